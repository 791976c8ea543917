import type {Deps} from '../deps.js'
import {FlowError} from '../errors.js'
import {runPlan, type RunResult} from '../../engine/runner.js'
import type {Plan} from '../../engine/types.js'
import {RECORDS_REF, checkRemoteName} from './layout.js'
import {readRef} from './plumbing.js'
import {countEvents, type FetchOutcome, type MergeOutcome, type PushOutcome} from './remote.js'
import type {RecordsStepInput} from './sync-steps.js'

/** The input of `flow records sync`. */
export interface RecordsSyncInput {
  remote: string
  dryRun?: boolean
}

/** The result of `flow records sync` (its --json output). */
export interface RecordsSyncResult {
  remote: string
  /** True when the remote had a records branch to fetch. */
  fetched: boolean
  /** True when the remote's events were merged in (fast-forward or merge commit). */
  merged: boolean
  /** True when the push moved the remote's branch. */
  pushed: boolean
  localBefore: string | null
  localAfter: string | null
  remoteAfter: string | null
  /** Event files added to the local branch by this sync, and how many it holds now. */
  events: {added: number; total: number}
  /** With --dry-run: the steps that would run. */
  dryRun?: true
  steps?: RunResult['steps']
}

/** Runs a plan; the engine's runner, or another loop in tests. */
export type PlanRunner = typeof runPlan

/** Builds the plan of `flow records sync`: fetch, merge, push; fails early when the remote does not exist. */
export async function planRecordsSync(deps: Pick<Deps, 'git'>, input: {remote: string}): Promise<Plan> {
  checkRemoteName(input.remote)
  const url = await deps.git.exec(['remote', 'get-url', input.remote])
  if (url.exitCode !== 0) {
    const remotes = (await deps.git.exec(['remote'])).stdout.split('\n').filter(Boolean)
    throw new FlowError('REMOTE_MISSING', `No git remote named "${input.remote}" to sync flow/records with`, {
      hint: remotes.length > 0
        ? `Pass one of the configured remotes with --remote (${remotes.join(', ')}), or add it with git remote add ${input.remote} URL.`
        : `Add one with git remote add ${input.remote} URL, then run flow records sync again.`,
    })
  }
  const stepInput: RecordsStepInput = {remote: input.remote}
  return {
    command: 'records sync',
    inputs: {remote: input.remote},
    steps: [
      {kind: 'records.fetch', input: stepInput},
      {kind: 'records.merge', input: stepInput},
      {kind: 'records.push', input: stepInput},
    ],
  }
}

/** Fetches, merges and pushes flow/records through a git remote, as a plan the engine can pause, resume and undo. */
export async function syncRecords(deps: Parameters<PlanRunner>[0], input: RecordsSyncInput, run: PlanRunner = runPlan): Promise<RecordsSyncResult> {
  const localBefore = await readRef(deps.git, RECORDS_REF)
  const plan = await planRecordsSync(deps, input)
  const result = await run(deps, plan, {dryRun: input.dryRun})
  if (input.dryRun) {
    const events = await countEvents(deps.git, localBefore, localBefore)
    return {
      remote: input.remote, fetched: false, merged: false, pushed: false,
      localBefore, localAfter: localBefore, remoteAfter: null, events: {added: 0, total: events.total},
      dryRun: true, steps: result.steps,
    }
  }
  const [fetch, merge, push] = result.outputs as [Partial<FetchOutcome>?, Partial<MergeOutcome>?, Partial<PushOutcome>?]
  const localAfter = await readRef(deps.git, RECORDS_REF)
  return {
    remote: input.remote,
    fetched: fetch?.fetched ?? false,
    merged: (merge?.merged !== undefined && merge.merged !== 'none') || Boolean(push?.remerged),
    pushed: push?.pushed ?? false,
    localBefore,
    localAfter,
    remoteAfter: push?.remoteAfter ?? fetch?.remoteTip ?? null,
    events: await countEvents(deps.git, localBefore, localAfter),
  }
}
