import type {Deps} from '../deps.js'
import {FlowError} from '../errors.js'
import {deployEnvironment, deployPolicy, type DeployResult} from '../env/deploy.js'
import {readEnvRecords, requireEnvironment, resolveSha} from '../env/context.js'
import type {Refusal} from '../env/policy.js'
import type {StepSpec} from '../../engine/types.js'
import {actorOf, branchRef, revParse} from './context.js'
import {changeReadiness} from './check-change.js'
import type {Change, RecordedCheck} from './model.js'
import {loadChange} from './steps.js'

/** The input of `flow change implement`. */
export interface ImplementChangeInput {
  id: string
  /** Which of the change's environments (needed only when it names several). */
  environment?: string
  breakGlass?: string
  dryRun?: boolean
}

/** The result of `flow change implement` (its --json document): the change, what it deployed and why it was allowed. */
export type ChangeImplemented = DeployResult & {
  id: string
  ref: string
  /** Why the change itself was not ready (approvals, rejections, gates, window, conflicts); overridden by break-glass. */
  changeRefusals: Refusal[]
}

/** The refusal code of a reason found by the change check (approvals, gates, window, conflicts, status). */
export const CHANGE_REFUSAL = 'CHANGE'

/** The environment a change deploys to: its only one, or the one named. */
export function environmentOf(change: Change, named?: string): string {
  if (named) {
    if (change.environments.length > 0 && !change.environments.includes(named)) {
      throw new FlowError('USAGE', `${change.id} is about ${change.environments.join(', ')}, not ${named}`, {hint: `Pass --env ${change.environments[0]}.`})
    }
    return named
  }
  if (change.environments.length === 1) return change.environments[0] as string
  if (change.environments.length === 0) {
    throw new FlowError('USAGE', `${change.id} names no environment, so there is no deployment to run`, {hint: 'Raise the change with --env ENV (flow change new), or pass --env ENV.'})
  }
  throw new FlowError('USAGE', `${change.id} is about several environments (${change.environments.join(', ')})`, {hint: `Pass --env to say which one to deploy now, e.g. --env ${change.environments[0]}.`})
}

/** What a change deploys: its branch (local, else origin's copy), its pull request's head, or its deployment's sha. */
export async function refOf(deps: Pick<Deps, 'git' | 'forge'>, change: Change): Promise<string> {
  const b = change.binding
  if (b.kind !== 'deployment' && b.branch) {
    const ref = await branchRef(deps.git, b.branch)
    if (ref) return ref.replace(/^refs\/heads\//, '').replace(/^refs\/remotes\//, '')
  }
  if (b.kind === 'pull-request' && b.pullRequest !== undefined) {
    const forge = await deps.forge()
    const pr = await forge.getPullRequest(b.pullRequest).catch(() => undefined)
    if (pr?.headSha && (await revParse(deps.git, pr.headSha))) return pr.headSha
  }
  if (b.sha && (await revParse(deps.git, b.sha))) return b.sha
  const what = b.branch ? `its branch ${b.branch}` : b.pullRequest !== undefined ? `pull request #${b.pullRequest}` : b.sha ? b.sha.slice(0, 12) : 'a commit'
  throw new FlowError('USAGE', `${change.id} deploys ${what}, which is not in this clone`, {hint: 'git fetch origin, then run flow change implement again.'})
}

/** Every reason the change itself is not ready, but a freeze (the deploy policy reports that one, once). */
function changeRefusals(reasons: readonly string[], frozen: boolean): Refusal[] {
  return reasons.filter((r) => !(frozen && r.startsWith('inside the freeze'))).map((message) => ({code: CHANGE_REFUSAL, message}))
}

/**
 * Runs a change's deployment under the change: the change must be ready (changeReadiness: open, approved, gates,
 * planned window, no conflict) and the environment's policy must allow the deployment (freeze windows, changes.freeze,
 * lock, approvals, promotion order). Every refusal is listed (exit 6) unless break-glass, which goes ahead, and is
 * recorded on the change (flagged for review after) and on the deployment. The deployment carries the change id, so
 * `flow change evidence` lists it with its outcome.
 */
export async function implementChange(deps: Deps, input: ImplementChangeInput): Promise<ChangeImplemented> {
  const {config} = await deps.config()
  const {change} = await loadChange(await deps.records(), input.id)
  if (change.status !== 'open') throw new FlowError('USAGE', `${change.id} is ${change.status}: only an open change is implemented`, {hint: 'Raise a new change: flow change new.'})
  if (input.breakGlass !== undefined && !input.breakGlass.trim()) throw new FlowError('USAGE', '--break-glass needs a reason', {hint: 'Pass --break-glass "why this cannot wait".'})
  const environment = environmentOf(change, input.environment)
  requireEnvironment(config, environment)
  const ref = await refOf(deps, change)
  const sha = await resolveSha(deps.git, ref)
  const now = deps.clock.now()
  const [{check, head, risk}, records, actor] = await Promise.all([changeReadiness(deps, config, change, now), readEnvRecords(deps), actorOf(deps.git)])
  const fromChange = changeRefusals(check.reasons, check.freeze !== undefined)
  const fromPolicy = await deployPolicy(deps, {environment, sha}, {records, actor})
  const refusals = [...fromPolicy, ...fromChange]
  if (refusals.length > 0 && input.breakGlass === undefined && !input.dryRun) {
    throw new FlowError('POLICY_BLOCKED', `${change.id} cannot be implemented now: ${refusals.map((r) => r.message).join('; ')}`, {
      hint: `Fix each reason (flow change check ${change.id} shows the change's), or, in an emergency, pass --break-glass "why" (recorded on the change and the deployment, and flagged for review after).`,
      details: {id: change.id, environment, ref, sha, refusals},
    })
  }
  // What the change looked like when it was implemented is evidence: the check (approvals, gates) is recorded first.
  const recorded: RecordedCheck = {
    at: now.toISOString(), by: actor, ok: check.ok, reasons: check.reasons, ...(head ? {sha: head} : {}),
    approvals: {required: check.approvals.required, given: check.approvals.given},
    gates: check.gates.results, risk: {score: risk.score, approvals: risk.approvals},
  }
  const before: StepSpec[] = [{kind: 'change.event', input: {changeId: change.id, op: deps.ids.ulid(), type: 'checked', actor, data: {check: recorded}}}]
  const reason = input.breakGlass?.trim()
  if (reason && refusals.length > 0) {
    before.push({kind: 'change.event', input: {
      changeId: change.id, op: deps.ids.ulid(), type: 'break-glass', actor,
      data: {reason, by: actor, environment, sha, overrode: [...new Set(refusals.map((r) => r.code))], messages: refusals.map((r) => r.message)},
    }})
  }
  const result = await deployEnvironment(deps, {
    environment, ref, changeId: change.id, command: 'change implement', before, extraRefusals: fromChange,
    ...(reason !== undefined ? {breakGlass: reason} : {}), ...(input.dryRun ? {dryRun: true} : {}),
  }, {records, sha})
  return {id: change.id, ref, changeRefusals: fromChange, ...result}
}
