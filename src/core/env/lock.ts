import type {Deps} from '../deps.js'
import {FlowError} from '../errors.js'
import {runPlan, type RunResult} from '../../engine/runner.js'
import {actorOf, approvalEvents, lockEvents, readEnvRecords, requireEnvironment, resolveSha} from './context.js'
import {approvalsRecordId, approversOf, foldLock, lockRecordId} from './facts.js'
import type {NoteInput} from './note-step.js'

/** The result of `flow env lock`, `unlock` and `approve`. */
export interface EnvNoteResult {
  environment: string
  locked?: boolean
  reason?: string
  sha?: string
  approvals?: {have: number; need: number; by: string[]}
  /** False when nothing had to change (already locked, already unlocked, already approved). */
  changed: boolean
  runId: string | null
  status: RunResult['status'] | 'unchanged'
  steps: RunResult['steps']
}

async function note(deps: Deps, command: string, inputs: Record<string, unknown>, step: NoteInput, dryRun?: boolean) {
  return runPlan(deps, {command, inputs, steps: [{kind: 'env.note', input: step}]}, {dryRun})
}

/** Locks (or unlocks) an environment: deployments are refused while it is locked; a reason is required. */
export async function setEnvironmentLock(deps: Deps, input: {environment: string; lock: boolean; reason?: string; dryRun?: boolean}): Promise<EnvNoteResult> {
  requireEnvironment((await deps.config()).config, input.environment)
  const reason = input.reason?.trim()
  if (input.lock && !reason) throw new FlowError('USAGE', 'Locking an environment needs a reason', {hint: `Pass --reason, e.g. flow env lock ${input.environment} --reason "incident INC-4".`})
  const records = await readEnvRecords(deps)
  const current = foldLock(lockEvents(records, input.environment))
  if (current.locked === input.lock) {
    return {environment: input.environment, locked: current.locked, ...(current.reason ? {reason: current.reason} : {}), changed: false, runId: null, status: 'unchanged', steps: []}
  }
  const actor = await actorOf(deps.git)
  const verb = input.lock ? 'lock' : 'unlock'
  const result = await note(deps, `env ${verb}`, {environment: input.environment, ...(reason ? {reason} : {})}, {
    recordId: lockRecordId(input.environment), type: input.lock ? 'locked' : 'unlocked', token: deps.ids.ulid(), ...(actor ? {actor} : {}),
    data: {environment: input.environment, ...(reason ? {reason} : {})},
    summary: `${input.lock ? 'Lock' : 'Unlock'} ${input.environment}${reason ? `: ${reason}` : ''}`,
  }, input.dryRun)
  return {environment: input.environment, locked: input.lock, ...(reason ? {reason} : {}), changed: true, runId: result.runId, status: result.status, steps: result.steps}
}

/** Approves deploying a sha to an environment (flow.yml environments.<env>.approvals). */
export async function approveDeployment(deps: Deps, input: {environment: string; ref?: string; dryRun?: boolean}): Promise<EnvNoteResult> {
  const env = requireEnvironment((await deps.config()).config, input.environment)
  const sha = await resolveSha(deps.git, input.ref ?? 'HEAD')
  const actor = await actorOf(deps.git)
  if (env.reviewers.length > 0 && (!actor || !env.reviewers.includes(actor))) {
    throw new FlowError('POLICY_BLOCKED', `${actor ?? 'You'} may not approve deployments to ${input.environment}`, {hint: `Approvers: ${env.reviewers.join(', ')}.`})
  }
  const records = await readEnvRecords(deps)
  const before = approversOf(approvalEvents(records, input.environment), sha)
  const already = actor !== undefined && before.includes(actor)
  const by = already || !actor ? before : [...before, actor]
  const approvals = {have: by.length, need: env.approvals, by}
  if (already) return {environment: input.environment, sha, approvals, changed: false, runId: null, status: 'unchanged', steps: []}
  const result = await note(deps, 'env approve', {environment: input.environment, sha}, {
    recordId: approvalsRecordId(input.environment), type: 'approved', token: deps.ids.ulid(), ...(actor ? {actor} : {}),
    data: {environment: input.environment, sha}, summary: `Approve ${sha.slice(0, 7)} for ${input.environment}`,
  }, input.dryRun)
  return {environment: input.environment, sha, approvals, changed: true, runId: result.runId, status: result.status, steps: result.steps}
}
