import {archiveJournal, isUnfinished, lastRun, readJournal} from './journal.js'
import {pidAlive, readLock, withLock, type LockInfo} from './lock.js'
import {requireJournal, type EngineDeps} from './runner.js'
import type {Journal, RunStatus, StepStatus} from './types.js'
import {confirmAction, type UndoDeps} from './undo.js'

/** One step as `flow status` shows it. */
export interface StepView {
  /** 1-based position in the plan. */
  step: number
  kind: string
  description: string
  status: StepStatus
  /** True when the effect was already in place and flow did nothing. */
  skipped?: boolean
  startedAt?: string
  finishedAt?: string
  error?: {code: string; message: string; hint?: string}
}

/** A run as `flow status` shows it. */
export interface RunView {
  runId: string
  command: string
  inputs: Record<string, unknown>
  /** `paused` also for a run whose process died mid-step (then `interrupted` is true). */
  status: RunStatus
  /** True when the process running it was killed or crashed: the run is paused at that step. */
  interrupted?: boolean
  /** 1-based number of the step to run next (or the one that failed). */
  step: number
  total: number
  startedAt: string
  updatedAt: string
  start: {branch: string | null; head: string | null}
  pid: number
  /** Whether the process that last ran it is alive (null: it ran on another host). */
  pidAlive: boolean | null
  steps: StepView[]
  /** The error the run paused on. */
  error?: {code: string; message: string; hint?: string}
}

/** What `flow status` reports. */
export interface StatusResult {
  /** The unfinished run of this worktree, or null. */
  run: RunView | null
  /** The most recently finished run, or null. */
  last: RunView | null
  /** Who holds the worktree lock right now, if anyone. */
  lock: (LockInfo & {alive: boolean | null}) | null
  /** Commands that make sense now. */
  next: string[]
}

/** The view of a journal for people and for --json. */
export function viewRun(journal: Journal): RunView {
  const failed = journal.steps.find((s) => s.status === 'failed')
  const alive = pidAlive(journal.pid, journal.host)
  const interrupted = journal.status === 'running' && alive === false
  return {
    runId: journal.id,
    command: journal.command,
    inputs: journal.inputs,
    status: interrupted ? 'paused' : journal.status,
    ...(interrupted ? {interrupted: true} : {}),
    step: Math.min(journal.cursor + 1, journal.steps.length),
    total: journal.steps.length,
    startedAt: journal.startedAt,
    updatedAt: journal.updatedAt,
    start: journal.start,
    pid: journal.pid,
    pidAlive: alive,
    steps: journal.steps.map((s, i) => ({
      step: i + 1,
      kind: s.kind,
      description: s.description,
      status: s.status,
      ...(s.skipped ? {skipped: true} : {}),
      ...(s.startedAt ? {startedAt: s.startedAt} : {}),
      ...(s.finishedAt ? {finishedAt: s.finishedAt} : {}),
      ...(s.error ? {error: s.error} : {}),
    })),
    ...(failed?.error ? {error: failed.error} : {}),
  }
}

/** The run in progress in this worktree (without taking the lock, so it works while a run is going), and the last one. */
export async function runStatus(deps: Pick<EngineDeps, 'repo'>): Promise<StatusResult> {
  const {flowDir} = await deps.repo()
  const [journal, last, lock] = await Promise.all([readJournal(flowDir), lastRun(flowDir), readLock(flowDir)])
  const current = journal && isUnfinished(journal.status) ? journal : null
  const finished = journal && !current ? journal : last
  const lockView = lock ? {...lock, alive: lock.pid === 0 ? null : pidAlive(lock.pid, lock.host)} : null
  const running = Boolean(current && current.status === 'running' && viewRun(current).pidAlive)
  const next = !current ? [] : running ? ['flow status'] : ['flow continue', 'flow undo', 'flow abort']
  return {run: current ? viewRun(current) : null, last: finished ? viewRun(finished) : null, lock: lockView, next}
}

/** What `flow abort` did. */
export interface AbortResult {
  runId: string
  command: string
  status: 'aborted'
  /** 1-based step the run had reached. */
  step: number
  total: number
}

/** Stops tracking the paused run without undoing anything (archived as `aborted`). */
export async function abortRun(deps: UndoDeps): Promise<AbortResult> {
  const {flowDir} = await deps.repo()
  return withLock(flowDir, 'abort', deps, async () => {
    const journal = await requireJournal(flowDir, 'abort')
    await confirmAction(deps, `Stop tracking flow ${journal.command} (at step ${journal.cursor + 1}/${journal.steps.length}) without undoing it?`)
    journal.status = 'aborted'
    journal.updatedAt = deps.clock.now().toISOString()
    await archiveJournal(flowDir, journal)
    return {runId: journal.id, command: journal.command, status: 'aborted' as const, step: journal.cursor + 1, total: journal.steps.length}
  })
}

