import type {Deps} from '../deps.js'
import {parseDuration} from '../config/duration.js'
import type {FlowConfig} from '../config/schema.js'
import {FlowError} from '../errors.js'
import type {RecordStore} from '../ports.js'
import {runPlan, type RunResult} from '../../engine/runner.js'
import type {StepSpec} from '../../engine/types.js'
import {resolveSha} from './context.js'
import {deploymentRecords, liveDeployment} from './facts.js'
import {buildDeploySteps} from './plan.js'
import {branchSlug, foldPreview, foldPreviews, mayExist, previewEnvConfig, previewEnvironment, previewRecordId, previewTemplate, previewUrl, PREVIEWS_COLLECTION, requirePreviewTemplate, stalePreviews, type PreviewSpec, type PreviewView} from './preview.js'
import type {PreviewCreateInput, PreviewDestroyInput, PreviewReadyInput} from './preview-steps.js'

/** Every preview recorded, newest first. */
export async function readPreviews(store: RecordStore): Promise<PreviewView[]> {
  return foldPreviews(await store.collection(PREVIEWS_COLLECTION))
}

/** The recorded preview of a branch, if any. */
export async function previewOf(store: RecordStore, branch: string): Promise<PreviewView | undefined> {
  const id = previewRecordId(branchSlug(branch))
  return foldPreview(id, await store.events(PREVIEWS_COLLECTION, id))
}

/** What planning a preview needs. */
export interface PreviewPlanInput {
  branch: string
  sha: string
  number?: number
  /** The template (default: the environment with preview: true). */
  from?: string
  actor?: string
}

/**
 * The steps that create (or update) a branch's preview: `preview.create` (the create command, skipped when it is
 * live already), the deployment of the branch head with the same steps as any environment (buildDeploySteps:
 * record, deploy command, health checks, rollback, outcome; the `deploy` gate stage is left out), `preview.ready`.
 */
export async function previewSteps(deps: Pick<Deps, 'records' | 'ids'>, config: FlowConfig, input: PreviewPlanInput): Promise<{steps: StepSpec[]; preview: PreviewSpec}> {
  const template = requirePreviewTemplate(config, input.from)
  const slug = branchSlug(input.branch)
  const store = await deps.records()
  const existing = await previewOf(store, input.branch)
  const number = input.number ?? existing?.number
  const url = previewUrl(template.env.url, {branch: input.branch, slug, ...(number === undefined ? {} : {number})})
  const preview: PreviewSpec = {
    branch: input.branch, slug, template: template.name, environment: previewEnvironment(template.name, slug),
    ...(number === undefined ? {} : {number}), ...(url ? {url} : {}), ...(template.env.url ? {urlPattern: template.env.url} : {}),
  }
  const live = existing?.state === 'live'
  const token = deps.ids.ulid()
  const steps: StepSpec[] = [{kind: 'preview.create', input: {preview, sha: input.sha, ...(template.env.create ? {command: template.env.create} : {}), env: template.env.env, token: `${token}:create`, existing: live} satisfies PreviewCreateInput}]
  if (template.env.deploy) {
    const env = previewEnvConfig(template.env, preview)
    // What runs in the preview now (a destroyed preview runs nothing: its old deployments are no rollback target).
    const previous = live ? liveDeployment(await deploymentRecords(store), preview.environment) : undefined
    const synthetic = {...config, environments: {...config.environments, [preview.environment]: env}}
    const built = buildDeploySteps(synthetic, {
      environment: preview.environment, sha: input.sha, ref: input.branch, kind: 'deploy', token, skipGates: true,
      ...(previous ? {previous: {sha: previous.sha, deployment: previous.id}} : {}),
      ...(input.actor ? {actor: input.actor} : {}),
    })
    steps.push(...built.steps)
  }
  steps.push({kind: 'preview.ready', input: {preview, sha: input.sha, token: `${token}:ready`} satisfies PreviewReadyInput})
  return {steps, preview}
}

/** The step that destroys a preview (its template's destroy command, or only the record when it has none). */
export function destroyStep(config: FlowConfig, view: PreviewView, token: string): StepSpec {
  const template = config.environments[view.template]
  const preview: PreviewSpec = {branch: view.branch, slug: view.slug, template: view.template, environment: view.environment, ...(view.number === undefined ? {} : {number: view.number}), ...(view.url ? {url: view.url} : {})}
  return {kind: 'preview.destroy', input: {preview, ...(template?.destroy ? {command: template.destroy} : {}), env: template?.env ?? {}, token} satisfies PreviewDestroyInput}
}

/** The current branch, or USAGE when HEAD is detached. */
async function currentBranch(deps: Pick<Deps, 'git'>): Promise<string> {
  const head = await deps.git.exec(['symbolic-ref', '--quiet', '--short', 'HEAD'])
  if (head.exitCode !== 0 || !head.stdout.trim()) throw new FlowError('USAGE', 'HEAD is detached, so there is no current branch', {hint: 'Name the branch: flow env create --preview BRANCH.'})
  return head.stdout.trim()
}

/** The result of `flow env create --preview`. */
export interface PreviewCreated {
  branch: string
  slug: string
  environment: string
  template: string
  sha: string
  url?: string
  /** False when it existed already and only its deployment was updated. */
  created: boolean
  deployment?: string
  outcome?: string
  runId: string | null
  status: RunResult['status']
  steps: RunResult['steps']
}

/** The preview.create / preview.ready outputs of a run. */
export function previewOutcome(result: RunResult): {created?: Record<string, unknown>; ready?: Record<string, unknown>} {
  return {created: result.outputs.find((o) => o?.step === 'preview.create'), ready: result.outputs.find((o) => o?.step === 'preview.ready')}
}

/** `flow env create --preview [BRANCH]`: creates (or updates) the preview of a branch and deploys its head there. */
export async function createPreview(deps: Deps, input: {branch?: string; from?: string; dryRun?: boolean}): Promise<PreviewCreated> {
  const config = (await deps.config()).config
  const branch = input.branch ?? (await currentBranch(deps))
  const sha = await resolveSha(deps.git, `refs/heads/${branch}`).catch(() => resolveSha(deps.git, branch))
  const forge = await deps.forge()
  const pr = await forge.findPullRequest({head: branch, state: 'open'}).catch(() => undefined)
  const existing = await previewOf(await deps.records(), branch)
  const {steps, preview} = await previewSteps(deps, config, {branch, sha, ...(pr ? {number: pr.number} : {})})
  const plan = {command: 'env create', inputs: {preview: branch, ...(input.from ? {from: input.from} : {})}, steps}
  const result = await runPlan(deps, plan, {dryRun: input.dryRun})
  const base = {branch, slug: preview.slug, environment: preview.environment, template: preview.template, sha, ...(preview.url ? {url: preview.url} : {}), created: existing?.state !== 'live'}
  if (input.dryRun) return {...base, runId: null, status: result.status, steps: result.steps}
  const {created, ready} = previewOutcome(result)
  const done: PreviewCreated = {
    ...base, ...(typeof ready?.url === 'string' ? {url: ready.url} : {}), ...(ready?.deployment ? {deployment: String(ready.deployment)} : {}),
    outcome: String(ready?.outcome ?? 'failed'), runId: result.runId, status: result.status, steps: result.steps,
  }
  if (created?.ok === false) throw new FlowError('DEPLOY_FAILED', `The preview of ${branch} was not created: ${String(created.reason)}`, {hint: 'The failure is recorded (flow env list); fix the create command and run flow env create --preview again.', details: done})
  if (done.outcome !== 'success') throw new FlowError('DEPLOY_FAILED', `The preview of ${branch} was created but its deployment ${done.deployment ?? ''} ${done.outcome}`.replace('  ', ' '), {hint: `flow env history shows nothing for previews; see the deployment record ${done.deployment ?? ''} in flow records.`, details: done})
  return done
}

/** The result of `flow env destroy` and `flow env prune`. */
export interface PreviewsDestroyed {
  destroyed: string[]
  failed: Array<{branch: string; reason: string}>
  /** Previews prune looked at and left (fresh ones). */
  kept?: string[]
  runId: string | null
  status: RunResult['status']
  steps: RunResult['steps']
}

function destroyedResult(result: RunResult): Pick<PreviewsDestroyed, 'destroyed' | 'failed'> {
  const outs = result.outputs.filter((o) => o?.step === 'preview.destroy') as Array<{branch: string; ok: boolean; reason?: string}>
  return {destroyed: outs.filter((o) => o.ok).map((o) => o.branch), failed: outs.filter((o) => !o.ok).map((o) => ({branch: o.branch, reason: o.reason ?? 'failed'}))}
}

function throwIfFailed(done: PreviewsDestroyed): PreviewsDestroyed {
  if (done.failed.length === 0) return done
  throw new FlowError('COMMAND_FAILED', `Destroying the preview of ${done.failed.map((f) => f.branch).join(', ')} failed: ${done.failed.map((f) => f.reason).join('; ')}`, {
    hint: 'The failure is recorded; flow env prune retries it (flow env list shows it meanwhile).', details: done,
  })
}

/** `flow env destroy [--preview BRANCH]`: destroys a branch's preview (default: the current branch's). */
export async function destroyPreview(deps: Deps, input: {branch?: string; dryRun?: boolean}): Promise<PreviewsDestroyed> {
  const config = (await deps.config()).config
  const branch = input.branch ?? (await currentBranch(deps))
  const view = await previewOf(await deps.records(), branch)
  if (!view || !mayExist(view)) throw new FlowError('USAGE', `${branch} has no preview to destroy`, {hint: 'flow env list shows the previews.'})
  const plan = {command: 'env destroy', inputs: {preview: branch}, steps: [destroyStep(config, view, deps.ids.ulid())]}
  const result = await runPlan(deps, plan, {dryRun: input.dryRun})
  if (input.dryRun) return {destroyed: [], failed: [], runId: null, status: result.status, steps: result.steps}
  return throwIfFailed({...destroyedResult(result), runId: result.runId, status: result.status, steps: result.steps})
}

/** `flow env prune [--older-than D]`: destroys stale previews (default: older than their template's ttl) and retries failed destroys. */
export async function prunePreviews(deps: Deps, input: {olderThan?: string; dryRun?: boolean}): Promise<PreviewsDestroyed> {
  const config = (await deps.config()).config
  let olderThanMs: number | undefined
  if (input.olderThan !== undefined) {
    try {
      olderThanMs = parseDuration(input.olderThan)
    } catch {
      throw new FlowError('USAGE', `--older-than ${JSON.stringify(input.olderThan)} is not a duration`, {hint: 'Use a duration such as 7d, 12h or 90m.'})
    }
  }
  const previews = await readPreviews(await deps.records())
  const ttlOf = (template: string) => {
    const ttl = config.environments[template]?.ttl
    return ttl ? parseDuration(ttl) : undefined
  }
  const stale = stalePreviews(previews, deps.clock.now().getTime(), olderThanMs, ttlOf)
  const kept = previews.filter((p) => mayExist(p) && !stale.includes(p)).map((p) => p.branch)
  if (olderThanMs === undefined && previews.some((p) => mayExist(p) && ttlOf(p.template) === undefined)) {
    deps.reporter.warn('Some previews have no ttl in flow.yml and --older-than was not given: only their failed destroys are retried')
  }
  const token = deps.ids.ulid()
  const steps = stale.map((p, i) => destroyStep(config, p, `${token}:${i}`))
  if (steps.length === 0) return {destroyed: [], failed: [], kept, runId: null, status: input.dryRun ? 'dry-run' : 'done', steps: []}
  const result = await runPlan(deps, {command: 'env prune', inputs: {...(input.olderThan ? {olderThan: input.olderThan} : {})}, steps}, {dryRun: input.dryRun})
  if (input.dryRun) return {destroyed: [], failed: [], kept, runId: null, status: result.status, steps: result.steps}
  return throwIfFailed({...destroyedResult(result), kept, runId: result.runId, status: result.status, steps: result.steps})
}

/** A preview as `flow env list` shows it. */
export interface PreviewListed extends PreviewView {
  ageMs: number
}

/** The previews that may still exist (live, create failed, destroy failed), newest first, with their age. */
export async function listPreviews(deps: Pick<Deps, 'records' | 'clock' | 'config'>): Promise<PreviewListed[]> {
  const config = (await deps.config()).config
  if (!previewTemplate(config)) {
    const any = (await (await deps.records()).list(PREVIEWS_COLLECTION)).length > 0
    if (!any) return []
  }
  const now = deps.clock.now().getTime()
  return (await readPreviews(await deps.records())).filter(mayExist).map((p) => ({...p, ageMs: now - Date.parse(p.createdAt)}))
}
