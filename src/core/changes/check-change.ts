import {ownersFor} from '../codeowners.js'
import type {Deps} from '../deps.js'
import {FlowError} from '../errors.js'
import {currentBranch} from '../feature/lineage.js'
import type {FlowConfig} from '../config/schema.js'
import type {Forge, Review} from '../ports.js'
import {CHANGES_COLLECTION} from '../records/facts.js'
import {runPlan} from '../../engine/runner.js'
import type {Plan, StepSpec} from '../../engine/types.js'
import {actorOf, filesOf, freezeAt, gateStanding, headOf, ownerRules, riskOf} from './context.js'
import {countDecisions, evaluateCheck, findConflicts, type ChangeCheck} from './evaluate.js'
import {foldAll, numberChanges, type Change, type ChangeBinding, type ChangeDecision, type RecordedCheck} from './model.js'
import type {RiskAssessment} from './risk.js'
import {loadChange} from './steps.js'

/** The commit status context `flow change check --status` posts. */
export const STATUS_CONTEXT = 'flow/change'

/** The input of `flow change check`. */
export interface CheckChangeInput {
  /** Default: the open change bound to the current branch. */
  id?: string
  /** Post the result as the `flow/change` commit status (GitHub). */
  status?: boolean
  breakGlass?: string
}

/** The result of `flow change check`: the check, and what was recorded or posted. */
export type ChangeChecked = ChangeCheck & {recorded: boolean; posted?: {sha: string; state: 'success' | 'failure'; context: string}}

/** The open change of the current branch (the newest when there are several). */
async function changeOfBranch(deps: Pick<Deps, 'git' | 'records'>): Promise<string> {
  const branch = await currentBranch(deps.git)
  const all = foldAll(numberChanges(await (await deps.records()).collection(CHANGES_COLLECTION)))
  const mine = all.find(({change}) => change.status === 'open' && branch !== null && change.binding.branch === branch)
  if (!mine) throw new FlowError('USAGE', `No open change is bound to ${branch ?? 'a detached HEAD'}`, {hint: 'Pass the change id (flow change list), or raise one with flow change new.'})
  return mine.change.id
}

function reviewDecision(review: Review): ChangeDecision | undefined {
  if (review.state !== 'approved' && review.state !== 'changes_requested') return undefined
  return {by: review.author, login: review.author, decision: review.state === 'approved' ? 'approved' : 'rejected', at: review.submittedAt ?? '', via: 'github', reviewId: review.id, ...(review.body ? {comment: review.body} : {})}
}

/** A stable digest of what a check found, so an unchanged result is not recorded twice. */
function fingerprint(c: Pick<RecordedCheck, 'ok' | 'reasons' | 'approvals' | 'gates'>): string {
  return JSON.stringify([c.ok, c.reasons, c.approvals.required, c.approvals.given.map((g) => g.by).sort(), c.gates.map((g) => [g.name, g.status, g.sha])])
}

/** The pull request whose reviews are a change's approvals on GitHub: the bound one, else the open one of its branch. */
export async function pullRequestOf(forge: Forge, binding: ChangeBinding): Promise<number | undefined> {
  if (forge.kind !== 'github') return undefined
  if (binding.pullRequest !== undefined) return binding.pullRequest
  if (!binding.branch) return undefined
  return (await forge.findPullRequest({head: binding.branch, state: 'open'}))?.number
}

/**
 * Whether a change may go ahead now, recording nothing: the heart of `flow change check`, and what
 * `flow change implement` asks before it runs the change's deployment.
 */
export async function changeReadiness(deps: Pick<Deps, 'git' | 'repo' | 'records' | 'clock' | 'forge'>, config: FlowConfig, change: Change, now: Date): Promise<{check: ChangeCheck; head?: string; risk: RiskAssessment}> {
  const forge = await deps.forge()
  const head = await headOf(deps, change.binding)
  const files = await filesOf(deps, change.binding)
  const risk = files.length > 0 || !change.risk ? await riskOf(deps, config, change, files) : change.risk
  const owners = ownersFor(await ownerRules(deps), files.map((f) => f.path))
  const isOwner = (login: string) => owners.length === 0 || owners.includes(login) || owners.some((o) => o.includes('/'))
  const decisions = [...change.decisions.filter((d) => d.via === 'local')]
  const pullRequest = await pullRequestOf(forge, change.binding)
  if (pullRequest !== undefined) {
    for (const review of await forge.listReviews(pullRequest)) {
      const d = reviewDecision(review)
      if (d) decisions.push(d)
    }
  }
  const counted = countDecisions(change, decisions, forge.kind === 'github' ? isOwner : undefined)
  const others = foldAll(numberChanges(await (await deps.records()).collection(CHANGES_COLLECTION))).map((c) => c.change)
  const freeze = freezeAt(config, change.environments, now)
  const check = evaluateCheck({
    change, now, risk, approvals: counted.approvals, ignored: counted.ignored,
    gates: await gateStanding(deps, config, change.binding, head),
    ...(freeze ? {freeze} : {}),
    conflicts: findConflicts(change, others),
  }, counted.rejections)
  return {check, ...(head ? {head} : {}), risk}
}

/**
 * Decides whether a change may go ahead: approvals (peer, code owner reviews on GitHub), the submit gates on its head,
 * its planned window, freezes and conflicts. Records the check on the change when the result is new, optionally posts
 * it as a commit status, and fails with POLICY_BLOCKED (exit 6) listing every reason when it may not.
 */
export async function checkChange(deps: Parameters<typeof runPlan>[0] & Pick<Deps, 'config'>, input: CheckChangeInput): Promise<ChangeChecked> {
  const {config} = await deps.config()
  const {change: loaded} = await loadChange(await deps.records(), input.id ?? (await changeOfBranch(deps)))
  const now = deps.clock.now()
  const forge = await deps.forge()
  if (input.status && !forge.createCommitStatus) throw new FlowError('USAGE', `--status posts a commit status, which the ${forge.kind} forge does not have`, {hint: 'Use the GitHub forge, or leave out --status.'})
  const by = await actorOf(deps.git)
  const change: Change = input.breakGlass ? {...loaded, breakGlass: [...loaded.breakGlass, {reason: input.breakGlass, at: now.toISOString(), by}], reviewAfter: true} : loaded

  const {check, head, risk} = await changeReadiness(deps, config, change, now)

  const recorded: RecordedCheck = {
    at: now.toISOString(), by, ok: check.ok, reasons: check.reasons, ...(head ? {sha: head} : {}),
    approvals: {required: check.approvals.required, given: check.approvals.given},
    gates: check.gates.results, risk: {score: risk.score, approvals: risk.approvals},
  }
  const last = change.checks.at(-1)
  const steps: StepSpec[] = []
  if (input.breakGlass) steps.push({kind: 'change.event', input: {changeId: change.id, op: deps.ids.ulid(), type: 'break-glass', actor: by, data: {reason: input.breakGlass, by}}})
  const fresh = !last || fingerprint(last) !== fingerprint(recorded)
  if (fresh) steps.push({kind: 'change.event', input: {changeId: change.id, op: deps.ids.ulid(), type: 'checked', actor: by, data: {check: recorded}}})
  let posted: ChangeChecked['posted']
  if (input.status) {
    if (!head) throw new FlowError('USAGE', `${change.id} has no commit to post a status on`)
    const state = check.ok ? 'success' as const : 'failure' as const
    const description = check.ok ? `${change.id} may go ahead` : `${change.id}: ${check.reasons[0] ?? 'blocked'}`
    steps.push({kind: 'change.postStatus', input: {sha: head, state, description, context: STATUS_CONTEXT}})
    posted = {sha: head, state, context: STATUS_CONTEXT}
  }
  if (steps.length > 0) {
    const plan: Plan = {command: 'change check', inputs: {...input}, steps}
    await runPlan(deps, plan)
  }
  const result: ChangeChecked = {...check, recorded: fresh, ...(posted ? {posted} : {})}
  if (!check.ok) {
    throw new FlowError('POLICY_BLOCKED', `${change.id} cannot go ahead: ${check.reasons.join('; ')}`, {
      hint: 'Each reason must be resolved (approvals: flow change approve; gates: flow gates run submit), then check again.',
      details: result,
    })
  }
  return result
}
