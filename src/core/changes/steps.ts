import {FlowError} from '../errors.js'
import type {RecordEvent, RecordStore} from '../ports.js'
import {CHANGES_COLLECTION} from '../records/facts.js'
import type {NumberedRecord} from '../records/numbering.js'
import type {StepContext, StepKind} from '../../engine/types.js'
import {changeId, foldChange, numberChanges, type Change, type ChangeDecision} from './model.js'

/** A change record with its resolved number. */
export interface LoadedChange {
  change: Change
  record: NumberedRecord
}

/** Finds a change by id (`CHG-3`, or `3`); throws FORGE_NOT_FOUND when there is none. */
export async function loadChange(store: RecordStore, id: string): Promise<LoadedChange> {
  const number = Number(/^(?:CHG-)?(\d+)$/i.exec(id.trim())?.[1] ?? Number.NaN)
  if (!Number.isInteger(number)) throw new FlowError('USAGE', `${JSON.stringify(id)} is not a change id`, {hint: 'Change ids look like CHG-3; flow change list shows them.'})
  const record = numberChanges(await store.collection(CHANGES_COLLECTION)).records.find((r) => r.number === number)
  const change = record && foldChange(record.number, record.events)
  if (!record || !change) throw new FlowError('FORGE_NOT_FOUND', `There is no change ${changeId(number)}`, {hint: 'flow change list shows the changes.'})
  return {change, record}
}

const hasOp = (events: readonly RecordEvent[], op: string) => events.some((e) => (e.data as {op?: unknown}).op === op)

async function appendTo(ctx: StepContext, id: string, op: string, type: string, actor: string | undefined, data: Record<string, unknown>): Promise<void> {
  const store = await ctx.records()
  const {record} = await loadChange(store, id)
  await store.append(CHANGES_COLLECTION, record.recordId, {type, at: ctx.clock.now().toISOString(), ...(actor ? {actor} : {}), data: {...data, op, root: record.rootId}})
}

async function doneIn(ctx: StepContext, id: string, op: string): Promise<boolean> {
  const {record} = await loadChange(await ctx.records(), id)
  return hasOp(record.events, op)
}

/** Input of `change.create`: the creating event's data; `op` makes the step idempotent. */
export interface CreateChangeInput {
  op: string
  actor?: string
  data: Record<string, unknown>
}

/** `change.create`: writes a new change record with the next free CHG number (offline numbering). */
export const createChangeKind: StepKind<CreateChangeInput> = {
  kind: 'change.create',
  describe: (input) => `Record the ${String(input.data.type)} change "${String(input.data.title)}"`,
  async isDone(ctx, input) {
    const numbering = numberChanges(await (await ctx.records()).collection(CHANGES_COLLECTION))
    const found = numbering.records.find((r) => r.events.some((e) => e.id === r.rootId && (e.data as {op?: unknown}).op === input.op))
    return found ? {id: changeId(found.number)} : false
  },
  async run(ctx, input) {
    const store = await ctx.records()
    const number = numberChanges(await store.collection(CHANGES_COLLECTION)).next
    const created = await store.append(CHANGES_COLLECTION, changeId(number), {type: 'created', at: ctx.clock.now().toISOString(), ...(input.actor ? {actor: input.actor} : {}), data: {...input.data, number, op: input.op}})
    const record = numberChanges(await store.collection(CHANGES_COLLECTION)).records.find((r) => r.rootId === created.id)
    if (!record) throw new FlowError('RECORDS_INVALID', `The change just written (${created.id}) cannot be read back from flow/records`)
    return {id: changeId(record.number)}
  },
  async undo(ctx, input, entry) {
    const id = entry.output?.id
    if (typeof id === 'string') await appendTo(ctx, id, `${input.op}-undo`, 'withdrawn', input.actor, {reason: 'flow undo'})
  },
}

/** Input of `change.event`: one more event on a change. */
export interface ChangeEventInput {
  changeId: string
  op: string
  type: string
  actor?: string
  data: Record<string, unknown>
}

/** `change.event`: appends an event (break-glass, check, risk, close) to a change. */
export const changeEventKind: StepKind<ChangeEventInput> = {
  kind: 'change.event',
  describe: (input) => `Record ${input.type} on ${input.changeId}`,
  isDone: (ctx, input) => doneIn(ctx, input.changeId, input.op),
  run: (ctx, input) => appendTo(ctx, input.changeId, input.op, input.type, input.actor, input.data),
  undo: false,
  cannotUndo: 'change records are append-only; the event stays in the audit trail',
}

/** Input of `change.decide`: an approval or rejection, made a pull request review when `pullRequest` is set. */
export interface DecideInput {
  changeId: string
  op: string
  decision: ChangeDecision['decision']
  by: string
  comment?: string
  sha?: string
  pullRequest?: number
}

/** `change.decide`: records an approval or a rejection; with the GitHub forge it is a review on the change's pull request. */
export const decideKind: StepKind<DecideInput> = {
  kind: 'change.decide',
  describe: (input) => `${input.decision === 'approved' ? 'Approve' : 'Reject'} ${input.changeId}${input.pullRequest !== undefined ? ` with a review on #${input.pullRequest}` : ''}`,
  isDone: (ctx, input) => doneIn(ctx, input.changeId, input.op),
  async run(ctx, input) {
    let review: {login?: string; reviewId?: string | number; at?: string} = {}
    if (input.pullRequest !== undefined) {
      const forge = await ctx.forge()
      const body = input.comment ?? (input.decision === 'approved' ? `Approved ${input.changeId}` : `Rejected ${input.changeId}`)
      const made = await forge.createReview(input.pullRequest, {event: input.decision === 'approved' ? 'APPROVE' : 'REQUEST_CHANGES', body})
      review = {login: made.author, reviewId: made.id, ...(made.submittedAt ? {at: made.submittedAt} : {})}
    }
    const decision: ChangeDecision = {
      by: input.by,
      decision: input.decision,
      at: ctx.clock.now().toISOString(),
      via: input.pullRequest !== undefined ? 'github' : 'local',
      ...(review.login ? {login: review.login} : {}),
      ...(review.reviewId !== undefined ? {reviewId: review.reviewId} : {}),
      ...(input.comment ? {comment: input.comment} : {}),
      ...(input.sha ? {sha: input.sha} : {}),
    }
    await appendTo(ctx, input.changeId, input.op, 'decided', input.by, {decision})
    return {decision}
  },
  undo: false,
  cannotUndo: 'a decision stays in the audit trail (and a pull request review stays on the forge); decide again to change it',
}

/** Input of `change.followUp`: the review-after issue of an emergency or break-glass change. */
export interface FollowUpInput {
  changeId: string
  op: string
  title: string
  body: string
  labels: string[]
  actor?: string
}

/** `change.followUp`: opens the review-after issue on the forge (a local issue record offline) and links it to the change. */
export const followUpKind: StepKind<FollowUpInput> = {
  kind: 'change.followUp',
  describe: (input) => `Open the review-after follow-up of ${input.changeId}`,
  isDone: (ctx, input) => doneIn(ctx, input.changeId, input.op),
  async run(ctx, input) {
    const issue = await (await ctx.forge()).createIssue({title: input.title, body: input.body, labels: input.labels})
    await appendTo(ctx, input.changeId, input.op, 'follow-up', input.actor, {number: issue.number, url: issue.url, title: issue.title})
    return {number: issue.number, url: issue.url}
  },
  undo: false,
  cannotUndo: 'the follow-up issue stays open; close it on the forge if it is not needed',
}

/** Input of `change.postStatus`: the `flow/change` commit status on the change's head. */
export interface PostStatusInput {
  sha: string
  state: 'success' | 'failure'
  description: string
  context: string
}

/** `change.postStatus`: posts the check's result as a commit status, so branch protection can require it. */
export const postStatusKind: StepKind<PostStatusInput> = {
  kind: 'change.postStatus',
  describe: (input) => `Post ${input.context}: ${input.state} on ${input.sha.slice(0, 7)}`,
  async run(ctx, input) {
    const forge = await ctx.forge()
    if (!forge.createCommitStatus) throw new FlowError('USAGE', `The ${forge.kind} forge has no commit statuses`, {hint: 'Commit statuses need the GitHub forge; leave out --status.'})
    await forge.createCommitStatus(input.sha, {state: input.state, context: input.context, description: input.description})
  },
  undo: false,
  cannotUndo: 'a commit status cannot be deleted; the next check posts a new one',
}

/** The step kinds of change control. */
export const changeStepKinds: StepKind[] = [createChangeKind, changeEventKind, decideKind, followUpKind, postStatusKind]
