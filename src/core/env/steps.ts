import type {Command, HealthConfig} from '../config/schema.js'
import {FlowError} from '../errors.js'
import type {Forge, RecordStore} from '../ports.js'
import {DEPLOYMENTS_COLLECTION, type DeploymentKind} from '../records/facts.js'
import type {RunVerdict, StepContext, StepKind} from '../../engine/types.js'
import {runEnvCommand, showCommand, type CommandValues} from './commands.js'
import {deploymentRecords, numberDeployments, type DeploymentRecord} from './facts.js'
import {describeCheck, verifyHealth} from './health.js'

/** One deployment as a plan knows it: everything its steps need, so a resumed run never re-reads flow.yml. */
export interface DeploymentSpec {
  /** Unique per planned deployment; finds its record again on resume. */
  token: string
  environment: string
  sha: string
  ref: string
  previousSha?: string
  version?: string
  kind: DeploymentKind
  services: string[]
  strategy: 'rolling' | 'blue-green' | 'canary'
  color?: string
  breakGlass?: {reason: string; overrode: string[]; messages: string[]}
  changeId?: string
  /** For a rollback planned by `flow env rollback`: the deployment it undoes. */
  rollbackOf?: string
  /** Where the environment is reachable (GitHub's environment_url). */
  url?: string
  /** Where the deployment's record can be read (GitHub's log_url). */
  logUrl?: string
  production: boolean
  actor?: string
}

/** Which deployment of a run a step belongs to: the one planned, or the automatic rollback after it failed. */
export type Role = 'main' | 'rollback'
/** When a step runs: always, only while nothing failed, or only to roll back a failed deployment that went live. */
export type When = 'always' | 'ok' | 'rollback'

/** Input of `env.begin`: creates the deployment record (and the GitHub deployment). */
export interface BeginInput {
  role: Role
  when: When
  deployment: DeploymentSpec
}

/** Input of `env.command`: runs deploy, switch, weight or rollback command. */
export interface CommandInput {
  role: Role
  when: When
  purpose: 'deploy' | 'switch' | 'weight' | 'rollback'
  command: Command
  values: CommandValues
  env: Record<string, string>
  /** True when, once this command ran (even failing), the new version may be serving traffic. */
  live: boolean
  /** Wait before running it (a rolling deployment's pause between batches). */
  delayMs?: number
}

/** Input of `env.verify`: health checks, recorded on the deployment. */
export interface VerifyInput {
  role: Role
  when: When
  phase: string
  check: HealthConfig
  values: CommandValues
  env: Record<string, string>
  /** Wait before checking (a canary's pause). */
  delayMs: number
  token: string
}

/** Input of `env.finish`: the outcome of the deployment and its rollback, on the records and GitHub. */
export interface FinishInput {
  deployment: DeploymentSpec
  rollback?: DeploymentSpec
}

type Output = Record<string, unknown>

interface RunState {
  failed: boolean
  live: boolean
  main?: {deployment: string; recordId: string; rootId: string; githubId?: number}
  rollback?: {deployment: string; recordId: string; rootId: string; githubId?: number}
  rollbackFailed: boolean
  /** A step before the deployment said not to deploy at all (a preview whose create command failed): every env step is skipped. */
  aborted: boolean
}

/** What the steps done so far say: did the deployment fail, did it go live, which records were created. */
export function runState(outputs: ReadonlyArray<Output | undefined>): RunState {
  const state: RunState = {failed: false, live: false, rollbackFailed: false, aborted: false}
  for (const o of outputs) {
    if (o?.abortDeployment === true) state.aborted = true
    if (!o || o.skipped || typeof o.role !== 'string') continue
    if (o.step === 'begin') state[o.role as Role] = {deployment: String(o.deployment), recordId: String(o.recordId), rootId: String(o.rootId), ...(typeof o.githubId === 'number' ? {githubId: o.githubId} : {})}
    if (o.role === 'main') {
      if (o.failed) state.failed = true
      if (o.live) state.live = true
    } else if (o.failed) state.rollbackFailed = true
  }
  return state
}

function shouldRun(when: When, ctx: StepContext): boolean {
  const state = runState(ctx.outputs)
  if (state.aborted) return false
  if (when === 'always') return true
  return when === 'ok' ? !state.failed : state.failed && state.live
}

const skipped = (role: Role) => ({skipped: true, role})

async function findByToken(store: RecordStore, token: string): Promise<DeploymentRecord | undefined> {
  return (await deploymentRecords(store)).find((r) => r.token === token)
}

async function appendOnce(store: RecordStore, recordId: string, type: string, data: Output, actor?: string): Promise<void> {
  const events = await store.events(DEPLOYMENTS_COLLECTION, recordId)
  if (data.token && events.some((e) => e.type === type && (e.data as Output).token === data.token)) return
  await store.append(DEPLOYMENTS_COLLECTION, recordId, {type, ...(actor ? {actor} : {}), data})
}

/**
 * The GitHub deployment of a record, made once. `again` (the record was already there: the step runs a second
 * time after a crash, a pause or an answer lost on the way back) first looks for the deployment an earlier attempt
 * made, by the record id its description starts with, so a resumed run never makes a second one.
 */
async function mirror(ctx: StepContext, spec: DeploymentSpec, record: DeploymentRecord, again: boolean): Promise<number | undefined> {
  const forge = await ctx.forge()
  if (forge.kind !== 'github') return undefined
  const existing = again ? (await forge.listDeployments({environment: spec.environment, sha: spec.sha})).find((d) => d.description?.startsWith(`${record.id}:`)) : undefined
  const githubId = Number(existing ? existing.id : (await forge.createDeployment({
    ref: spec.sha, environment: spec.environment, description: `${record.id}: ${spec.kind} ${spec.version ?? spec.sha.slice(0, 7)}`,
    payload: {flow: record.id, kind: spec.kind}, productionEnvironment: spec.production,
  })).id)
  if (!existing?.state) await forge.createDeploymentStatus(githubId, {state: 'in_progress', ...(spec.url ? {environmentUrl: spec.url} : {}), ...(spec.logUrl ? {logUrl: spec.logUrl.replace('{id}', record.id)} : {})})
  const store = await ctx.records()
  await appendOnce(store, record.recordId, 'mirrored', {root: record.rootId, githubId, token: `${spec.token}:mirror`})
  return githubId
}

/**
 * `env.begin`: the deployment record `deployments/DEP-n` (`created` + `status: in_progress`, the local forge's own
 * record shape, so the local forge never records a deployment a second time) and, with the GitHub forge, a GitHub
 * deployment with an `in_progress` status.
 */
export const beginKind: StepKind<BeginInput> = {
  kind: 'env.begin',
  describe: ({role, deployment: d}) => role === 'rollback'
    ? `If it fails: record a rollback of ${d.environment} to ${d.version ?? d.sha.slice(0, 7)}`
    : `Record a ${d.kind} of ${d.version ?? d.sha.slice(0, 7)} to ${d.environment}${d.breakGlass ? ' (break-glass)' : ''}`,
  run: async (ctx, {role, when, deployment: spec}) => {
    if (!shouldRun(when, ctx)) return skipped(role)
    const store = await ctx.records()
    let record = await findByToken(store, spec.token)
    const again = record !== undefined
    if (!record) {
      const rollbackOf = role === 'rollback' ? runState(ctx.outputs).main?.deployment : spec.rollbackOf
      const next = numberDeployments(await store.collection(DEPLOYMENTS_COLLECTION)).next
      const at = ctx.clock.now().toISOString()
      const created = await store.append(DEPLOYMENTS_COLLECTION, `DEP-${next}`, {type: 'created', at, ...(spec.actor ? {actor: spec.actor} : {}), data: {
        ref: spec.ref, sha: spec.sha, environment: spec.environment, kind: spec.kind, services: spec.services, strategy: spec.strategy,
        description: `${spec.kind} ${spec.version ?? spec.sha.slice(0, 7)}`, token: spec.token,
        ...(spec.previousSha ? {previousSha: spec.previousSha} : {}),
        ...(spec.version ? {version: spec.version} : {}),
        ...(spec.color ? {color: spec.color} : {}),
        ...(rollbackOf ? {rollbackOf} : {}),
        ...(spec.breakGlass ? {breakGlass: {reason: spec.breakGlass.reason, overrode: spec.breakGlass.overrode}, overrides: spec.breakGlass.messages} : {}),
        ...(spec.changeId ? {changeId: spec.changeId} : {}),
        productionEnvironment: spec.production,
      }})
      await store.append(DEPLOYMENTS_COLLECTION, `DEP-${next}`, {type: 'status', at, data: {state: 'in_progress', root: created.id}})
      record = await findByToken(store, spec.token)
      if (!record) throw new FlowError('RECORDS_INVALID', `The deployment record just written (${created.id}) cannot be read back from flow/records`)
    }
    const githubId = record.githubId ?? (await mirror(ctx, spec, record, again))
    ctx.reporter.progress(`${record.id}: ${spec.kind} of ${spec.version ?? spec.sha.slice(0, 7)} to ${spec.environment}`)
    return {step: 'begin', role, deployment: record.id, recordId: record.recordId, rootId: record.rootId, ...(githubId === undefined ? {} : {githubId})}
  },
  undo: false,
  cannotUndo: 'a deployment record stays (records are append-only); roll back with flow env rollback',
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** `env.command`: one of the team's commands (deploy, switch, weight, rollback); a failure is recorded, not thrown. */
export const commandKind: StepKind<CommandInput> = {
  kind: 'env.command',
  describe: ({role, purpose, command, values, delayMs}) => {
    const batch = values.batch === undefined ? '' : ` (batch ${values.batch}/${values.batches ?? values.batch})`
    const what = purpose === 'switch' ? `Switch traffic to ${values.color}` : purpose === 'weight' ? `Send ${values.percent}% of traffic to the new version` : purpose === 'rollback' ? `Roll back ${values.environment} to ${values.sha.slice(0, 7)}` : `Deploy ${values.sha.slice(0, 7)} to ${values.environment}${values.color ? ` (${values.color})` : ''}${batch}`
    return `${role === 'rollback' ? 'If it fails: ' : ''}${delayMs ? `after a ${delayMs >= 1000 ? `${Math.round(delayMs / 1000)}s` : `${delayMs}ms`} pause, ` : ''}${what}: ${showCommand(command)}`
  },
  run: async (ctx, input) => {
    if (!shouldRun(input.when, ctx)) return skipped(input.role)
    if (input.delayMs) await sleep(input.delayMs)
    const state = runState(ctx.outputs)
    const deployment = (input.role === 'rollback' ? state.rollback : state.main)?.deployment
    const values = {...input.values, ...(deployment ? {deployment} : {})}
    const result = await runEnvCommand(ctx.shell, input.command, values, {cwd: ctx.cwd, env: input.env})
    const failed = result.exitCode !== 0
    if (failed) ctx.reporter.warn(`The ${input.purpose} command exited ${result.timedOut ? 'by timeout' : result.exitCode}`)
    return {step: 'command', role: input.role, purpose: input.purpose, exitCode: result.exitCode, failed, live: input.live, ...(failed ? {reason: `the ${input.purpose} command exited ${result.exitCode}`} : {})}
  },
  undo: false,
  cannotUndo: 'a deploy command cannot be taken back by undo; roll back with flow env rollback',
}

/** `env.verify`: health checks (count, interval, failure limit), every sample recorded on the deployment. */
export const verifyKind: StepKind<VerifyInput> = {
  kind: 'env.verify',
  describe: ({role, phase, check, values, delayMs}) => `${role === 'rollback' ? 'If it fails: verify the rollback' : `Verify (${phase})`}${delayMs > 0 ? ` after ${Math.round(delayMs / 1000)}s` : ''}: ${describeCheck(check, values)}, ${check.count}× every ${check.interval}, ${check.failure_limit} failure(s) allowed`,
  isDone: async (ctx, input) => {
    const state = runState(ctx.outputs)
    const target = input.role === 'rollback' ? state.rollback : state.main
    if (!target) return false
    const events = await (await ctx.records()).events(DEPLOYMENTS_COLLECTION, target.recordId)
    const done = events.find((e) => e.type === 'health' && (e.data as Output).token === input.token)
    if (!done) return false
    const ok = (done.data as Output).ok === true
    return {step: 'verify', role: input.role, phase: input.phase, ok, failed: !ok, samples: (done.data as Output).samples}
  },
  run: async (ctx, input) => {
    if (!shouldRun(input.when, ctx)) return skipped(input.role)
    const state = runState(ctx.outputs)
    const target = input.role === 'rollback' ? state.rollback : state.main
    if (!target) throw new FlowError('JOURNAL_INVALID', 'No deployment record to verify: the plan has no env.begin step before env.verify')
    if (input.delayMs > 0) await sleep(input.delayMs)
    const verification = await verifyHealth({shell: ctx.shell, clock: ctx.clock, cwd: ctx.cwd, env: input.env}, input.check, {...input.values, deployment: target.deployment}, (s) => {
      ctx.reporter.progress(`  ${s.ok ? 'healthy' : `unhealthy: ${s.detail}`}`)
    })
    await appendOnce(await ctx.records(), target.recordId, 'health', {root: target.rootId, phase: input.phase, ok: verification.ok, samples: verification.samples, token: input.token})
    if (!verification.ok) ctx.reporter.warn(`${target.deployment} failed verification (${input.phase}): ${verification.failures} failed check(s)`)
    return {step: 'verify', role: input.role, phase: input.phase, ok: verification.ok, failed: !verification.ok, samples: verification.samples}
  },
  undo: false,
  cannotUndo: 'health checks change nothing',
}

async function setStatus(store: RecordStore, forge: Forge | undefined, target: NonNullable<RunState['main']>, spec: DeploymentSpec, state: 'success' | 'failure' | 'inactive', token: string): Promise<void> {
  await appendOnce(store, target.recordId, 'status', {state, root: target.rootId, token})
  if (forge && target.githubId !== undefined) {
    await forge.createDeploymentStatus(target.githubId, {
      state, ...(spec.url && state !== 'inactive' ? {environmentUrl: spec.url} : {}), ...(spec.logUrl ? {logUrl: spec.logUrl.replace('{id}', target.deployment)} : {}),
    })
  }
}

/** Marks the older successful GitHub deployments of the environment inactive, on GitHub and in the records. */
async function retireOlder(store: RecordStore, forge: Forge | undefined, spec: DeploymentSpec, current: string): Promise<void> {
  for (const r of await deploymentRecords(store)) {
    if (r.environment !== spec.environment || r.id === current || r.state !== 'success') continue
    await setStatus(store, r.githubId === undefined ? undefined : forge, {deployment: r.id, recordId: r.recordId, rootId: r.rootId, ...(r.githubId === undefined ? {} : {githubId: r.githubId})}, spec, 'inactive', `${spec.token}:retire:${r.id}`)
  }
}

/**
 * What a finished deployment run comes to: nothing when it succeeded, else DEPLOY_FAILED (exit 1) naming the
 * deployment and its rollback. The engine raises it after the run is archived, so `flow continue` of an interrupted
 * deployment that ended rolled back fails with the same code and message as the run that was not interrupted.
 */
export function deployVerdict(d: DeploymentSpec, end: Output | undefined): RunVerdict | undefined {
  // A deployment stopped before it began (a preview whose create failed) has nothing to judge.
  if (end?.skipped === true) return undefined
  const outcome = String(end?.outcome ?? 'failed')
  if (outcome === 'success') return undefined
  const deployment = end?.deployment ? String(end.deployment) : undefined
  const rollback = end?.rollback ? String(end.rollback) : undefined
  const what = outcome === 'rolled_back' ? `was rolled back (${rollback})` : rollback ? `failed, and so did its rollback ${rollback}` : 'failed'
  return {
    code: 'DEPLOY_FAILED',
    message: `${deployment ?? 'The deployment'} of ${d.version ?? d.sha.slice(0, 7)} to ${d.environment} ${what}`,
    hint: `flow env history ${d.environment} shows the failed checks.`,
    details: {
      environment: d.environment, sha: d.sha, ...(d.version ? {version: d.version} : {}), ...(d.previousSha ? {previousSha: d.previousSha} : {}),
      kind: d.kind, strategy: d.strategy, outcome, ...(deployment ? {deployment} : {}),
      ...(rollback ? {rollback, rollbackOutcome: String(end?.rollbackOutcome)} : {}),
    },
  }
}

/** `env.finish`: the outcome (success, rolled_back or failed) of the deployment and of its rollback. */
export const finishKind: StepKind<FinishInput> = {
  kind: 'env.finish',
  describe: ({deployment: d}) => `Record the outcome of the ${d.environment} deployment`,
  run: async (ctx, input) => {
    const state = runState(ctx.outputs)
    if (state.aborted) return {step: 'finish', skipped: true}
    if (!state.main) throw new FlowError('JOURNAL_INVALID', 'No deployment record to finish')
    const store = await ctx.records()
    const forgeNow = await ctx.forge()
    const forge = forgeNow.kind === 'github' ? forgeNow : undefined
    const rolledBack = state.failed && state.rollback !== undefined && !state.rollbackFailed
    const outcome = !state.failed ? 'success' : rolledBack ? 'rolled_back' : 'failed'
    const token = input.deployment.token
    if (outcome === 'success') await retireOlder(store, forge, input.deployment, state.main.deployment)
    await setStatus(store, forge, state.main, input.deployment, outcome === 'success' ? 'success' : 'failure', `${token}:final`)
    await appendOnce(store, state.main.recordId, 'finished', {root: state.main.rootId, outcome, token: `${token}:finished`, ...(state.rollback ? {rolledBackBy: state.rollback.deployment} : {})})
    let rollbackOutcome: string | undefined
    if (state.rollback && input.rollback) {
      rollbackOutcome = state.rollbackFailed ? 'failed' : 'success'
      if (rollbackOutcome === 'success') await retireOlder(store, forge, input.rollback, state.rollback.deployment)
      await setStatus(store, forge, state.rollback, input.rollback, rollbackOutcome === 'success' ? 'success' : 'failure', `${input.rollback.token}:final`)
      await appendOnce(store, state.rollback.recordId, 'finished', {root: state.rollback.rootId, outcome: rollbackOutcome, token: `${input.rollback.token}:finished`})
    }
    return {step: 'finish', outcome, deployment: state.main.deployment, ...(state.rollback ? {rollback: state.rollback.deployment, rollbackOutcome} : {})}
  },
  undo: false,
  cannotUndo: 'a recorded outcome stays',
  verdict: (input, output) => deployVerdict(input.deployment, output),
}

/** The step kinds of environments and deployments. */
export const envStepKinds: StepKind[] = [beginKind, commandKind, verifyKind, finishKind]
