import {FlowError} from '../errors.js'
import type {Git} from '../ports.js'
import type {JournalStep, StepKind} from '../../engine/types.js'
import {RECORDS_REF, remoteRecordsRef} from './layout.js'
import {compareAndSwapRef, readRef, staleRefLock} from './plumbing.js'
import {fetchRecords, localContainsRemote, mergeRecords, pushRecords, remoteHasLocal} from './remote.js'

/** The input of every records sync step. */
export interface RecordsStepInput {
  remote: string
}

/** Fetches the remote's flow/records into `refs/flow/remotes/<remote>/records` (idempotent, so never skipped). */
export const recordsFetchKind: StepKind<RecordsStepInput> = {
  kind: 'records.fetch',
  describe: ({remote}) => `Fetch flow/records from ${remote}`,
  refs: ({remote}) => [remoteRecordsRef(remote)],
  run: async (ctx, {remote}) => ({...(await fetchRecords(ctx.git, remote))}),
}

/** Merges the fetched records into the local flow/records branch. */
export const recordsMergeKind: StepKind<RecordsStepInput> = {
  kind: 'records.merge',
  describe: ({remote}) => `Merge the records of ${remote} into flow/records`,
  refs: () => [RECORDS_REF],
  isDone: (ctx, {remote}) => localContainsRemote(ctx.git, remote),
  run: async (ctx, {remote}) => ({...(await mergeRecords(ctx.git, ctx.clock, remote))}),
  undo: async (ctx, _input, entry) => restoreRecordsRef(ctx.git, entry),
}

/** Pushes flow/records, fetching and merging again when the push is rejected as non-fast-forward. */
export const recordsPushKind: StepKind<RecordsStepInput> = {
  kind: 'records.push',
  describe: ({remote}) => `Push flow/records to ${remote}`,
  refs: ({remote}) => [RECORDS_REF, remoteRecordsRef(remote)],
  isDone: (ctx, {remote}) => remoteHasLocal(ctx.git, remote),
  run: async (ctx, {remote}) => ({...(await pushRecords(ctx.git, ctx.clock, remote))}),
  undo: false,
  cannotUndo: 'records are append-only; pushed events stay on the remote',
}

/** The step kinds of `flow records sync`. */
export const recordsStepKinds: StepKind[] = [recordsFetchKind, recordsMergeKind, recordsPushKind]

/** Puts flow/records back where it was before the merge, unless new events were written on top since. */
async function restoreRecordsRef(git: Git, entry: JournalStep): Promise<void> {
  const before = entry.refsBefore?.[RECORDS_REF] ?? null
  const after = entry.refsAfter?.[RECORDS_REF] ?? (await readRef(git, RECORDS_REF))
  const current = await readRef(git, RECORDS_REF)
  if (current === before) return
  if (current !== after) {
    throw new FlowError('UNDO_IMPOSSIBLE', 'flow/records has new events since the sync; undoing the merge would drop them', {
      hint: 'Leave the merged records in place (they are append-only), or run flow abort.',
    })
  }
  const ok = before === null
    ? (await git.exec(['update-ref', '-d', RECORDS_REF, current ?? ''])).exitCode === 0
    : await compareAndSwapRef(git, RECORDS_REF, before, current, 'flow: undo records merge')
  if (!ok) throw (await staleRefLock(git, RECORDS_REF)) ?? new FlowError('UNDO_IMPOSSIBLE', 'flow/records moved while undoing the merge', {hint: 'Run flow undo again.'})
}
