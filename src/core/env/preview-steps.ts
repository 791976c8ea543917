import type {Command} from '../config/schema.js'
import type {RecordStore} from '../ports.js'
import {DEPLOYMENTS_COLLECTION} from '../records/facts.js'
import type {StepContext, StepKind} from '../../engine/types.js'
import {runEnvCommand, showCommand, type CommandValues} from './commands.js'
import {deploymentRecords} from './facts.js'
import {fillPreviewCommand, previewRecordId, previewUrl, previewVars, PREVIEWS_COLLECTION, withPreviewLine, type PreviewSpec} from './preview.js'

type Output = Record<string, unknown>

/** Input of `preview.create`: runs the template's create command (unless the preview is live already) and records it. */
export interface PreviewCreateInput {
  preview: PreviewSpec
  sha: string
  /** The template's create command; none when it has only deploy, or when the preview is live already. */
  command?: Command
  env: Record<string, string>
  token: string
  /** True when the preview exists already: only its deployment is updated. */
  existing: boolean
}

/** Input of `preview.ready`: the outcome of the preview's deployment, on its record. */
export interface PreviewReadyInput {
  preview: PreviewSpec
  sha: string
  token: string
}

/** Input of `preview.link`: the preview's URL in the branch's pull request body (one line, replaced on re-submit). */
export interface PreviewLinkInput {
  head: string
}

/** Input of `preview.destroy`: runs the template's destroy command and records it; a failure is recorded for flow env prune. */
export interface PreviewDestroyInput {
  preview: PreviewSpec
  command?: Command
  env: Record<string, string>
  token: string
}

async function hasToken(store: RecordStore, recordId: string, token: string): Promise<{type: string; data: Output} | undefined> {
  const events = await store.events(PREVIEWS_COLLECTION, recordId)
  const found = events.find((e) => (e.data as Output).token === token)
  return found ? {type: found.type, data: found.data as Output} : undefined
}

function values(spec: PreviewSpec, sha: string): CommandValues {
  return {environment: spec.environment, sha, ref: spec.branch}
}

/** The preview as the run knows it now: with the pull request number (and the URL that needs it) once a step opened the pull request. */
function resolved(ctx: StepContext, spec: PreviewSpec): PreviewSpec {
  if (spec.number !== undefined || !spec.urlPattern?.includes('{number}')) return spec
  const opened = ctx.outputs.find((o) => typeof o?.number === 'number' && typeof o.created === 'boolean')
  if (!opened) return spec
  const number = opened.number as number
  const url = previewUrl(spec.urlPattern, {...spec, number})
  return {...spec, number, ...(url ? {url} : {})}
}

/** The output of the preview.create step of this run. */
function createOutput(ctx: StepContext): Output | undefined {
  return ctx.outputs.find((o) => o?.step === 'preview.create')
}

/** `preview.create`: the create command, then a `created` event (or `create_failed`, which stops the deployment steps after it). */
export const previewCreateKind: StepKind<PreviewCreateInput> = {
  kind: 'preview.create',
  describe: ({preview, command, existing}) => existing ? `Update the preview of ${preview.branch} (${preview.environment})` : `Create the preview of ${preview.branch} (${preview.environment})${command ? `: ${showCommand(command)}` : ''}`,
  isDone: async (ctx, input) => {
    const done = await hasToken(await ctx.records(), previewRecordId(input.preview.slug), input.token)
    if (!done) return false
    const ok = done.type !== 'create_failed'
    return {step: 'preview.create', ok, ...(ok ? {} : {abortDeployment: true}), ...(str(done.data.url) ? {url: done.data.url} : {}), ...(typeof done.data.number === 'number' ? {number: done.data.number} : {})}
  },
  run: async (ctx, input) => {
    const spec = resolved(ctx, input.preview)
    const store = await ctx.records()
    const recordId = previewRecordId(spec.slug)
    const data = {branch: spec.branch, slug: spec.slug, template: spec.template, environment: spec.environment, sha: input.sha, ...(spec.url ? {url: spec.url} : {}), ...(spec.number === undefined ? {} : {number: spec.number}), token: input.token}
    if (input.command && !input.existing) {
      ctx.reporter.progress(`Creating the preview of ${spec.branch}`)
      const command = fillPreviewCommand(input.command, spec)
      const result = await runEnvCommand(ctx.shell, command, values(spec, input.sha), {cwd: ctx.cwd, env: {...input.env, ...previewVars(spec)}})
      if (result.exitCode !== 0) {
        const reason = `the create command exited ${result.timedOut ? 'by timeout' : result.exitCode}${result.stderr.trim() ? `: ${result.stderr.trim().split('\n').at(-1)}` : ''}`
        await store.append(PREVIEWS_COLLECTION, recordId, {type: 'create_failed', data: {...data, reason}})
        ctx.reporter.warn(`The preview of ${spec.branch} was not created: ${reason}`)
        return {step: 'preview.create', ok: false, abortDeployment: true, reason}
      }
    }
    if (!input.existing) await store.append(PREVIEWS_COLLECTION, recordId, {type: 'created', data})
    return {step: 'preview.create', ok: true, ...(spec.url ? {url: spec.url} : {}), ...(spec.number === undefined ? {} : {number: spec.number})}
  },
  undo: false,
  cannotUndo: 'a preview stays until flow env destroy --preview BRANCH (or flow env prune) removes it',
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)

/** `preview.ready`: records which deployment the preview runs and how it went. */
export const previewReadyKind: StepKind<PreviewReadyInput> = {
  kind: 'preview.ready',
  describe: ({preview}) => `Record the preview of ${preview.branch}${preview.url ? ` at ${preview.url}` : ''}`,
  isDone: async (ctx, input) => {
    const done = await hasToken(await ctx.records(), previewRecordId(input.preview.slug), input.token)
    return done ? {step: 'preview.ready', outcome: done.data.outcome, ...(str(done.data.deployment) ? {deployment: done.data.deployment} : {}), ...(str(done.data.url) ? {url: done.data.url} : {})} : false
  },
  run: async (ctx, input) => {
    const created = createOutput(ctx)
    if (created?.ok === false) return {step: 'preview.ready', outcome: 'not_created', reason: created.reason}
    const finish = [...ctx.outputs].reverse().find((o) => o?.step === 'finish' && !o.skipped)
    const outcome = finish ? String(finish.outcome) : 'success'
    const url = str(created?.url) ?? input.preview.url
    const data = {outcome, sha: input.sha, ...(finish?.deployment ? {deployment: finish.deployment} : {}), ...(url ? {url} : {}), token: input.token}
    await (await ctx.records()).append(PREVIEWS_COLLECTION, previewRecordId(input.preview.slug), {type: 'deployed', data})
    if (outcome !== 'success') ctx.reporter.warn(`The preview of ${input.preview.branch} did not deploy (${outcome})`)
    else ctx.reporter.progress(`Preview of ${input.preview.branch}: ${url ?? input.preview.environment}`)
    return {step: 'preview.ready', outcome, ...(finish?.deployment ? {deployment: finish.deployment} : {}), ...(url ? {url} : {})}
  },
  undo: false,
  cannotUndo: 'records are append-only',
  // A preview's outcome is judged by the command that made it (env create fails, feature submit warns), so its deploy's verdict never fails the run.
  verdict: () => undefined,
}

/** `preview.link`: the preview URL in the pull request body, on a line of its own that a re-submit replaces. */
export const previewLinkKind: StepKind<PreviewLinkInput> = {
  kind: 'preview.link',
  describe: ({head}) => `Put the preview URL in the pull request of ${head}`,
  run: async (ctx, input) => {
    const url = str(ctx.outputs.find((o) => o?.step === 'preview.ready')?.url)
    const ready = ctx.outputs.find((o) => o?.step === 'preview.ready')
    if (!url || ready?.outcome === 'not_created') return {skipped: true}
    const forge = await ctx.forge()
    const pr = await forge.findPullRequest({head: input.head, state: 'open'})
    if (!pr) return {skipped: true}
    const body = withPreviewLine(pr.body ?? '', url)
    if (body !== pr.body) await forge.updatePullRequest(pr.number, {body})
    return {number: pr.number, url, previousBody: pr.body ?? ''}
  },
  undo: false,
  cannotUndo: 'the preview line stays in the pull request body (flow feature submit rewrites it)',
}

/** Marks the successful deployments of a destroyed preview inactive (records, and GitHub when they were mirrored). */
async function retireDeployments(ctx: StepContext, store: RecordStore, environment: string, token: string): Promise<void> {
  const forge = await ctx.forge()
  for (const d of await deploymentRecords(store)) {
    if (d.environment !== environment || d.state !== 'success') continue
    if (forge.kind === 'github' && d.githubId !== undefined) await forge.createDeploymentStatus(d.githubId, {state: 'inactive', description: 'preview destroyed'})
    await store.append(DEPLOYMENTS_COLLECTION, d.recordId, {type: 'status', data: {state: 'inactive', root: d.rootId, token: `${token}:inactive:${d.id}`}})
  }
}

/** `preview.destroy`: the destroy command; `destroyed`, or `destroy_failed` (never thrown: flow env prune retries it). */
export const previewDestroyKind: StepKind<PreviewDestroyInput> = {
  kind: 'preview.destroy',
  describe: ({preview, command}) => `Destroy the preview of ${preview.branch} (${preview.environment})${command ? `: ${showCommand(command)}` : ''}`,
  isDone: async (ctx, input) => {
    const done = await hasToken(await ctx.records(), previewRecordId(input.preview.slug), input.token)
    return done ? {step: 'preview.destroy', branch: input.preview.branch, ok: done.type === 'destroyed', ...(str(done.data.reason) ? {reason: done.data.reason} : {})} : false
  },
  run: async (ctx, input) => {
    const spec = input.preview
    const store = await ctx.records()
    const recordId = previewRecordId(spec.slug)
    if (input.command) {
      const command = fillPreviewCommand(input.command, spec)
      const result = await runEnvCommand(ctx.shell, command, {environment: spec.environment, sha: '', ref: spec.branch}, {cwd: ctx.cwd, env: {...input.env, ...previewVars(spec)}})
      if (result.exitCode !== 0) {
        const reason = `the destroy command exited ${result.timedOut ? 'by timeout' : result.exitCode}${result.stderr.trim() ? `: ${result.stderr.trim().split('\n').at(-1)}` : ''}`
        await store.append(PREVIEWS_COLLECTION, recordId, {type: 'destroy_failed', data: {branch: spec.branch, reason, token: input.token}})
        ctx.reporter.warn(`The preview of ${spec.branch} was not destroyed (${reason}); it is recorded and flow env prune retries it`)
        return {step: 'preview.destroy', branch: spec.branch, ok: false, reason}
      }
    }
    await retireDeployments(ctx, store, spec.environment, input.token)
    await store.append(PREVIEWS_COLLECTION, recordId, {type: 'destroyed', data: {branch: spec.branch, token: input.token}})
    ctx.reporter.progress(`Destroyed the preview of ${spec.branch}`)
    return {step: 'preview.destroy', branch: spec.branch, ok: true}
  },
  undo: false,
  cannotUndo: 'a destroyed preview is created again with flow env create --preview BRANCH',
}

/** The step kinds of preview environments. */
export const previewStepKinds: StepKind[] = [previewCreateKind, previewReadyKind, previewLinkKind, previewDestroyKind]
