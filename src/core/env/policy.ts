import {activeFreeze, parseFreezeWindow, type FreezeWindow} from '../config/freeze.js'
import type {FlowConfig} from '../config/schema.js'
import type {RecordEvent} from '../ports.js'
import {approversOf, foldLock, type DeploymentRecord} from './facts.js'

/** One reason a deployment is refused; later features add their own codes (change control, error budget). */
export interface Refusal {
  code: string
  message: string
}

/** What the policy check reads: flow.yml, the records, the moment; each part optional so callers pass what they have. */
export interface PolicyInput {
  config: Pick<FlowConfig, 'environments' | 'changes'>
  environment: string
  sha: string
  at: Date
  /** Every deployment record (deploymentRecords). */
  deployments: readonly DeploymentRecord[]
  /** Events of `LOCK-<env>` and `APPROVALS-<env>`. */
  lockEvents: readonly RecordEvent[]
  approvalEvents: readonly RecordEvent[]
  /** Who is deploying (an approval of one's own deployment does not count). */
  actor?: string
  /** Failed gates of the `deploy` stage, when they were run. */
  failedGates?: string[]
}

/** The freeze windows of an environment: its own plus the change freeze windows of every environment. */
export function freezeWindowsOf(config: Pick<FlowConfig, 'environments' | 'changes'>, environment: string): FreezeWindow[] {
  const texts = [...(config.environments[environment]?.freeze ?? []), ...config.changes.freeze]
  return texts.map((t) => parseFreezeWindow(t)).filter((w): w is FreezeWindow => w !== undefined)
}

const short = (sha: string) => sha.slice(0, 7)

/** An unfinished deployment older than this no longer holds its environment (its run was abandoned). */
const STALE_MS = 3_600_000

/**
 * Every reason deploying `sha` to `environment` is refused right now: freeze window, lock, missing approvals,
 * promotion order (`after:`), another deployment still running (environments.<env>.lock, for an hour at most),
 * failed deploy gates. Empty when it may go ahead. Pure: callers gather the records.
 */
export function deployRefusals(input: PolicyInput): Refusal[] {
  const env = input.config.environments[input.environment]
  if (!env) return [{code: 'UNKNOWN_ENVIRONMENT', message: `${input.environment} is not an environment of flow.yml`}]
  const reasons: Refusal[] = []
  const freeze = activeFreeze(freezeWindowsOf(input.config, input.environment), input.at)
  if (freeze) reasons.push({code: 'FREEZE', message: `${input.environment} is frozen until ${freeze.end.toISOString()} (${freeze.window.text})`})
  const lock = foldLock(input.lockEvents)
  if (lock.locked) reasons.push({code: 'LOCKED', message: `${input.environment} is locked${lock.by ? ` by ${lock.by}` : ''}${lock.reason ? `: ${lock.reason}` : ''}`})
  if (env.approvals > 0) {
    const approvers = approversOf(input.approvalEvents, input.sha).filter((a) => a !== input.actor && (env.reviewers.length === 0 || env.reviewers.includes(a)))
    if (approvers.length < env.approvals) {
      reasons.push({code: 'APPROVALS', message: `${short(input.sha)} has ${approvers.length} of ${env.approvals} approval(s) needed for ${input.environment}`})
    }
  }
  for (const before of env.after) {
    const reached = input.deployments.some((d) => d.environment === before && d.sha === input.sha && d.outcome === 'success')
    if (!reached) reasons.push({code: 'PROMOTION_ORDER', message: `${short(input.sha)} has not been deployed successfully to ${before} (${input.environment} comes after it)`})
  }
  if (env.lock) {
    const running = input.deployments.find((d) => d.environment === input.environment && d.outcome === 'in_progress' && input.at.getTime() - Date.parse(d.startedAt) < STALE_MS)
    if (running) reasons.push({code: 'IN_PROGRESS', message: `${running.id} (${short(running.sha)}${running.actor ? `, by ${running.actor}` : ''}) is still deploying to ${input.environment} (flow continue, where it was started, finishes it)`})
  }
  if (input.failedGates && input.failedGates.length > 0) reasons.push({code: 'GATES', message: `the deploy gates failed: ${input.failedGates.join(', ')}`})
  return reasons
}
