import type {Deps} from '../deps.js'
import {FlowError} from '../errors.js'
import {ownersFor} from '../codeowners.js'
import {runPlan, type RunResult} from '../../engine/runner.js'
import type {Plan} from '../../engine/types.js'
import {pullRequestOf} from './check-change.js'
import {actorOf, filesOf, headOf, ownerRules} from './context.js'
import type {ChangeDecision} from './model.js'
import {loadChange, type DecideInput} from './steps.js'

/** The input of `flow change approve` and `flow change reject`. */
export interface DecideChangeInput {
  id: string
  decision: ChangeDecision['decision']
  comment?: string
  dryRun?: boolean
}

/** The result of `flow change approve | reject` (its --json output). */
export interface ChangeDecided {
  id: string
  decision: ChangeDecision['decision']
  by: string
  /** `github`: a pull request review; `local`: an approval record with the git identity. */
  via: 'github' | 'local'
  pullRequest?: number
  /** The forge login of the review, on GitHub. */
  login?: string
  warnings: string[]
  dryRun?: true
  steps?: RunResult['steps']
}

/**
 * Approves or rejects a change. With the GitHub forge and a pull request, the decision is a review on it (only
 * reviews by code owners of the changed paths count); otherwise an approval record carrying the git identity.
 * Authors cannot approve their own change.
 */
export async function decideChange(deps: Parameters<typeof runPlan>[0] & Pick<Deps, 'config'>, input: DecideChangeInput): Promise<ChangeDecided> {
  const {change} = await loadChange(await deps.records(), input.id)
  if (change.status !== 'open') throw new FlowError('POLICY_BLOCKED', `${change.id} is ${change.status}; only open changes are approved or rejected`)
  const by = await actorOf(deps.git)
  if (input.decision === 'approved' && by === change.author) {
    throw new FlowError('POLICY_BLOCKED', `${by} raised ${change.id} and cannot approve it`, {hint: 'Ask a peer (a code owner of the changed paths) to run flow change approve.'})
  }
  const forge = await deps.forge()
  const pullRequest = await pullRequestOf(forge, change.binding)
  const sha = await headOf(deps, change.binding)
  const step: DecideInput = {changeId: change.id, op: deps.ids.ulid(), decision: input.decision, by, ...(input.comment ? {comment: input.comment} : {}), ...(sha ? {sha} : {}), ...(pullRequest !== undefined ? {pullRequest} : {})}
  const plan: Plan = {command: `change ${input.decision === 'approved' ? 'approve' : 'reject'}`, inputs: {...input}, steps: [{kind: 'change.decide', input: step}]}
  const result = await runPlan(deps, plan, {dryRun: input.dryRun})
  const base = {id: change.id, decision: input.decision, by, via: pullRequest !== undefined ? 'github' as const : 'local' as const, ...(pullRequest !== undefined ? {pullRequest} : {})}
  if (input.dryRun) return {...base, warnings: [], dryRun: true, steps: result.steps}
  const made = (result.outputs[0] as {decision?: ChangeDecision} | undefined)?.decision
  const warnings: string[] = []
  if (made?.login && input.decision === 'approved') {
    const owners = ownersFor(await ownerRules(deps), (await filesOf(deps, change.binding)).map((f) => f.path))
    const users = owners.filter((o) => !o.includes('/'))
    if (users.length > 0 && users.length === owners.length && !users.includes(made.login)) {
      warnings.push(`${made.login} is not a code owner of the changed paths (${owners.join(', ')}); this review does not count as an approval of ${change.id}`)
    }
  }
  for (const w of warnings) deps.reporter.warn(w)
  return {...base, ...(made?.login ? {login: made.login} : {}), warnings}
}
