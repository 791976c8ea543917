import type {Deps} from '../deps.js'
import {parseDuration} from '../config/duration.js'
import {FlowError, isFlowError} from '../errors.js'
import type {DeploymentKind} from '../records/facts.js'
import {runPlan, type RunResult} from '../../engine/runner.js'
import type {Plan, StepSpec} from '../../engine/types.js'
import {actorOf, approvalEvents, lockEvents, readEnvRecords, requireEnvironment, resolveSha, versionOf, type EnvRecords} from './context.js'
import {liveDeployment, type DeploymentRecord} from './facts.js'
import {gateStageSteps} from '../gates/gate-steps.js'
import {buildDeploySteps} from './plan.js'
import {deployRefusals, type Refusal} from './policy.js'
import {errorBudgetVerdict} from '../slo/status.js'

/** Input of `flow env deploy`, `promote` and `rollback`. */
export interface DeployInput {
  environment: string
  /** What to deploy (default HEAD). */
  ref?: string
  kind?: DeploymentKind
  /** Goes ahead despite refusals, recording the reason and what it overrode. */
  breakGlass?: string
  changeId?: string
  dryRun?: boolean
  /** Refusals found by the caller (promote's soak time), added to the policy's. */
  extraRefusals?: Refusal[]
  /** The command that deploys, for the journal (default `env deploy`, `env promote`, `env rollback`). */
  command?: string
  /** Steps of the caller run first in the same plan (`flow change implement` records its break-glass on the change). */
  before?: StepSpec[]
}

/** The result of a deployment (its --json document). */
export interface DeployResult {
  environment: string
  sha: string
  version?: string
  previousSha?: string
  kind: DeploymentKind
  strategy: string
  /** success, rolled_back or failed; undefined for a dry run. */
  outcome?: string
  deployment?: string
  rollback?: string
  rollbackOutcome?: string
  breakGlass?: {reason: string; overrode: string[]}
  refusals: Refusal[]
  /** What the error-budget policy said (services.<name>.slo), when a service of the environment has an SLO. */
  errorBudget?: {warnings: string[]; allowedBecause: string[]}
  runId: string | null
  status: RunResult['status']
  steps: RunResult['steps']
}

function logUrl(deps: Pick<Deps, 'env'>, info: {host?: string; owner?: string; repo?: string}): string | undefined {
  const {GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: run} = deps.env
  if (server && repository && run) return `${server}/${repository}/actions/runs/${run}`
  if (info.owner && info.repo) return `https://${info.host ?? 'github.com'}/${info.owner}/${info.repo}/tree/flow/records/deployments/{id}`
  return undefined
}

/** The refusals that apply to a kind of deployment: a rollback is refused only by a lock (it is how freezes end well). */
function applicable(kind: DeploymentKind, refusals: Refusal[]): Refusal[] {
  return kind === 'rollback' ? refusals.filter((r) => r.code === 'LOCKED') : refusals
}

/**
 * Every reason deploying `sha` to `environment` is refused now (freeze, lock, approvals, promotion order, a
 * deployment still running), read from flow.yml and the records: what `flow env deploy` checks before it runs.
 * Other features add their own reasons to the list (change control, error budgets) and pass them to
 * deployEnvironment as `extraRefusals`.
 */
export async function deployPolicy(deps: Pick<Deps, 'config' | 'records' | 'clock' | 'git'>, input: {environment: string; sha: string; kind?: DeploymentKind}, known?: {records?: EnvRecords; actor?: string}): Promise<Refusal[]> {
  const config = (await deps.config()).config
  const records = known?.records ?? (await readEnvRecords(deps))
  const actor = known?.actor ?? (await actorOf(deps.git))
  return applicable(input.kind ?? 'deploy', deployRefusals({
    config, environment: input.environment, sha: input.sha, at: deps.clock.now(), deployments: records.deployments,
    lockEvents: lockEvents(records, input.environment), approvalEvents: approvalEvents(records, input.environment), ...(actor ? {actor} : {}),
  }))
}

/** Refuses (exit 6, every reason listed) unless break-glass was given. */
function refuseUnlessBreakGlass(environment: string, sha: string, refusals: Refusal[], breakGlass: string | undefined): void {
  if (refusals.length === 0 || breakGlass !== undefined) return
  throw new FlowError('POLICY_BLOCKED', `Deploying ${sha.slice(0, 7)} to ${environment} is refused: ${refusals.map((r) => r.message).join('; ')}`, {
    hint: 'Fix each reason, or, in an emergency, pass --break-glass "why" (it is recorded and flagged).',
    details: {refusals},
  })
}

/**
 * Deploys a ref to an environment: policy check (freeze, lock, approvals, promotion order; all reasons, exit 6
 * unless break-glass), confirmation, then the plan through the engine: gates, record, the strategy's commands and
 * checks, automatic rollback, outcome. A rolled-back or failed deployment exits 1 (DEPLOY_FAILED) after recording.
 */
export async function deployEnvironment(deps: Deps, input: DeployInput, known?: {records: EnvRecords; sha: string}): Promise<DeployResult> {
  const config = (await deps.config()).config
  if (requireEnvironment(config, input.environment).preview) {
    throw new FlowError('USAGE', `${input.environment} is a preview template: it is not deployed to itself`, {hint: 'Create the preview of a branch: flow env create --preview BRANCH.'})
  }
  if (input.breakGlass !== undefined && !input.breakGlass.trim()) throw new FlowError('USAGE', '--break-glass needs a reason', {hint: 'Pass --break-glass "why this cannot wait".'})
  const sha = known?.sha ?? (await resolveSha(deps.git, input.ref ?? 'HEAD'))
  // What is recorded and passed as {ref}: the name the user gave, else the sha itself (HEAD means nothing later).
  const ref = input.ref ?? sha
  const kind = input.kind ?? 'deploy'
  const records = known?.records ?? (await readEnvRecords(deps))
  const [version, actor] = await Promise.all([versionOf(deps.git, config, sha), actorOf(deps.git)])
  const live = liveDeployment(records.deployments, input.environment)
  const budget = await errorBudgetVerdict(deps, {environment: input.environment, sha, kind, ...(live ? {previousSha: live.sha} : {})})
  for (const w of [...budget.warnings, ...budget.allowedBecause]) deps.reporter.warn(w)
  const budgetRefusals = budget.refusals.map((r): Refusal => ({code: r.code, message: r.message}))
  const refusals = [...(await deployPolicy(deps, {environment: input.environment, sha, kind}, {records, ...(actor ? {actor} : {})})), ...applicable(kind, [...(input.extraRefusals ?? []), ...budgetRefusals])]
  if (!input.dryRun) refuseUnlessBreakGlass(input.environment, sha, refusals, input.breakGlass)
  // Break-glass also skips the deploy gate stage (an emergency cannot wait for a red test); that is recorded too.
  const skipped = gateStageSteps(config, 'deploy').length > 0 ? [{code: 'GATES', message: 'the deploy gates were not run'}] : []
  const overridden = [...refusals, ...skipped]
  const breakGlass = input.breakGlass !== undefined && refusals.length > 0 ? {reason: input.breakGlass.trim(), overrode: overridden.map((r) => r.code), messages: overridden.map((r) => r.message)} : undefined
  if (input.breakGlass !== undefined && refusals.length === 0) deps.reporter.warn('--break-glass given but nothing was refused: deploying normally')
  const info = await deps.forgeInfo()
  const built = buildDeploySteps(config, {
    environment: input.environment, sha, ref, kind, token: deps.ids.ulid(),
    ...(version ? {version} : {}),
    ...(live ? {previous: {sha: live.sha, deployment: live.id, ...(live.version ? {version: live.version} : {}), ...(live.color ? {color: live.color} : {})}} : {}),
    ...(breakGlass ? {breakGlass, skipGates: true} : {}),
    ...(input.changeId ? {changeId: input.changeId} : {}),
    ...(actor ? {actor} : {}),
    ...(info.kind === 'github' ? {logUrl: logUrl(deps, info)} : {}),
  })
  if (!built.steps.some((s) => s.kind === 'env.verify')) deps.reporter.warn(`${input.environment} has no health check: the deployment counts as healthy once its commands exit 0`)
  const base = {
    environment: input.environment, sha, ...(version ? {version} : {}), ...(live ? {previousSha: live.sha} : {}), kind, strategy: built.deployment.strategy,
    ...(breakGlass ? {breakGlass: {reason: breakGlass.reason, overrode: breakGlass.overrode}} : {}), refusals,
    ...(budget.warnings.length + budget.allowedBecause.length > 0 ? {errorBudget: {warnings: budget.warnings, allowedBecause: budget.allowedBecause}} : {}),
  }
  const plan = {
    command: input.command ?? `env ${kind === 'deploy' ? 'deploy' : kind}`,
    inputs: {environment: input.environment, ref, sha, kind, ...(input.breakGlass ? {breakGlass: input.breakGlass} : {}), ...(input.changeId ? {changeId: input.changeId} : {})},
    steps: [...(input.before ?? []), ...built.steps],
  }
  if (input.dryRun) {
    const result = await runPlan(deps, plan, {dryRun: true})
    return {...base, runId: null, status: result.status, steps: result.steps}
  }
  if (!deps.yes) {
    if (!deps.prompter.canPrompt) throw new FlowError('PROMPT_NEEDED', `Deploying to ${input.environment} needs a confirmation and flow cannot prompt here`, {hint: 'Pass --yes to deploy (--dry-run shows the plan).'})
    if (!(await deps.prompter.confirm(`Deploy ${version ?? sha.slice(0, 7)} to ${input.environment}?`, true))) throw new FlowError('CANCELLED', `Nothing deployed to ${input.environment}`)
  }
  return runDeployment(deps, plan, base)
}

/**
 * The result of a finished deployment run. A rolled-back or failed one never gets here: the engine raises the
 * deployment's verdict (DEPLOY_FAILED, exit 1; see deployVerdict) after archiving the run, and `runDeployment`
 * adds what the command knows (refusals, break-glass) to its details.
 */
export function finished(base: Omit<DeployResult, 'runId' | 'status' | 'steps'>, result: RunResult): DeployResult {
  const end = [...result.outputs].reverse().find((o) => o?.step === 'finish') ?? {}
  return {
    ...base, outcome: String(end.outcome ?? 'failed'),
    ...(end.deployment ? {deployment: String(end.deployment)} : {}),
    ...(end.rollback ? {rollback: String(end.rollback), rollbackOutcome: String(end.rollbackOutcome)} : {}),
    runId: result.runId, status: result.status, steps: result.steps,
  }
}

/** Runs a deployment plan; a DEPLOY_FAILED verdict keeps its code and message, with the command's result in its details. */
async function runDeployment(deps: Deps, plan: Plan, base: Omit<DeployResult, 'runId' | 'status' | 'steps'>): Promise<DeployResult> {
  try {
    return finished(base, await runPlan(deps, plan))
  } catch (error) {
    if (!isFlowError(error) || error.code !== 'DEPLOY_FAILED') throw error
    throw new FlowError('DEPLOY_FAILED', error.message, {...(error.hint ? {hint: error.hint} : {}), details: {...base, ...(error.details as Record<string, unknown>)}})
  }
}

/** Input of `flow env promote FROM TO`. */
export interface PromoteInput {
  from: string
  to: string
  /** Minimum time the sha must have run in FROM (a duration such as 30m). */
  minSoak?: string
  breakGlass?: string
  dryRun?: boolean
}

/** Deploys to TO exactly the sha that is live and healthy in FROM. */
export async function promoteEnvironment(deps: Deps, input: PromoteInput): Promise<DeployResult> {
  const config = (await deps.config()).config
  requireEnvironment(config, input.from)
  requireEnvironment(config, input.to)
  const records = await readEnvRecords(deps)
  const live = liveDeployment(records.deployments, input.from)
  if (!live) throw new FlowError('POLICY_BLOCKED', `Nothing is deployed to ${input.from}, so there is nothing to promote`, {hint: `Deploy to ${input.from} first: flow env deploy ${input.from}.`})
  const extra: {code: string; message: string}[] = []
  const last = live.health.at(-1)
  if (last && !last.ok) extra.push({code: 'UNHEALTHY', message: `${live.id} in ${input.from} failed its last health check (${last.detail ?? 'unhealthy'})`})
  if (input.minSoak) {
    const since = Date.parse(live.finishedAt ?? live.startedAt)
    const soaked = deps.clock.now().getTime() - since
    if (soaked < parseDuration(input.minSoak)) extra.push({code: 'SOAK', message: `${live.sha.slice(0, 7)} has run in ${input.from} for ${Math.round(soaked / 60_000)} min, less than ${input.minSoak}`})
  }
  return deployEnvironment(deps, {environment: input.to, ref: live.sha, kind: 'promote', extraRefusals: extra, ...(input.breakGlass !== undefined ? {breakGlass: input.breakGlass} : {}), ...(input.dryRun ? {dryRun: true} : {})}, {records, sha: live.sha})
}

/** Input of `flow env rollback ENV [--to SHA]`. */
export interface RollbackInput {
  environment: string
  to?: string
  breakGlass?: string
  dryRun?: boolean
}

/** The sha a rollback goes back to by default: the latest successful deployment before the live one, of another sha. */
export function rollbackTarget(deployments: readonly DeploymentRecord[], live: DeploymentRecord): DeploymentRecord | undefined {
  return deployments.filter((d) => d.environment === live.environment && d.outcome === 'success' && d.number < live.number && d.sha !== live.sha).at(-1)
}

/** Rolls an environment back to an earlier sha (the previous successful one by default). */
export async function rollbackEnvironment(deps: Deps, input: RollbackInput): Promise<DeployResult> {
  const config = (await deps.config()).config
  requireEnvironment(config, input.environment)
  const records = await readEnvRecords(deps)
  const live = liveDeployment(records.deployments, input.environment)
  if (!live) throw new FlowError('USAGE', `Nothing is deployed to ${input.environment}, so there is nothing to roll back`)
  const sha = input.to ? await resolveSha(deps.git, input.to) : rollbackTarget(records.deployments, live)?.sha
  if (!sha) throw new FlowError('USAGE', `${input.environment} has no earlier successful deployment to go back to`, {hint: 'Name one with --to SHA.'})
  return deployEnvironment(deps, {environment: input.environment, ref: sha, kind: 'rollback', ...(input.breakGlass !== undefined ? {breakGlass: input.breakGlass} : {}), ...(input.dryRun ? {dryRun: true} : {})}, {records, sha})
}
