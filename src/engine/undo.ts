import type {Deps} from '../core/deps.js'
import {FlowError} from '../core/errors.js'
import type {Git} from '../core/ports.js'
import {archiveJournal, lastRun, writeJournal} from './journal.js'
import {errorInfo, kindOf, kindsFor, stepContext} from './kinds.js'
import {withLock} from './lock.js'
import {headRef, isClean, restoreRef, snapshotRefs} from './refs.js'
import {currentJournal, requireJournal, type EngineDeps} from './runner.js'
import type {Journal, JournalStep, StepKind} from './types.js'

/** One step that undo reversed. */
export interface UndoneStep {
  step: number
  kind: string
  description: string
  note?: string
}

/** One step that undo could not reverse, and why. */
export interface NotUndoneStep {
  step: number
  kind: string
  description: string
  reason: string
}

/** What `flow undo` did. */
export interface UndoResult {
  runId: string
  command: string
  status: 'undone'
  /** True when every step was reversed and the starting checkout restored. */
  complete: boolean
  undone: UndoneStep[]
  notUndone: NotUndoneStep[]
  /** The starting checkout: restored, already in place, or why it was left alone. */
  checkout: {branch: string | null; head: string | null; restored: boolean; reason?: string}
}

/** What undo needs: the engine's deps, and optionally a prompter to confirm with. */
export type UndoDeps = EngineDeps & Partial<Pick<Deps, 'prompter' | 'yes'>>

/** Asks before a destructive engine action when a person is there to answer; proceeds otherwise. */
export async function confirmAction(deps: Partial<Pick<Deps, 'prompter' | 'yes'>>, question: string): Promise<void> {
  if (deps.yes || !deps.prompter?.canPrompt) return
  if (!(await deps.prompter.confirm(question, false))) throw new FlowError('CANCELLED', 'Cancelled: nothing was changed')
}

/** With no unfinished run, the last run when it finished (not undone or aborted): `flow undo` right after a command reverses it. */
async function finishedRunToUndo(flowDir: string): Promise<Journal | null> {
  if (await currentJournal(flowDir)) return null
  const last = await lastRun(flowDir)
  return last?.status === 'done' ? last : null
}

/** Reverses the steps of the paused or interrupted run (or, with none, of the last finished one), newest first, then restores the starting checkout. */
export async function undoRun(deps: UndoDeps): Promise<UndoResult> {
  const {flowDir} = await deps.repo()
  return withLock(flowDir, 'undo', deps, async () => {
    const journal = (await finishedRunToUndo(flowDir)) ?? (await requireJournal(flowDir, 'undo'))
    const kinds = await kindsFor(deps, journal.plan, 'journal')
    const started = journal.steps.filter((s) => s.status === 'done' || s.status === 'failed' || s.status === 'running').length
    await confirmAction(deps, `Undo ${started} step(s) of flow ${journal.command} and go back to where it started?`)
    const undone: UndoneStep[] = []
    const notUndone: NotUndoneStep[] = []
    for (let i = journal.steps.length - 1; i >= 0; i--) {
      const entry = journal.steps[i]!
      if (entry.status !== 'done' && entry.status !== 'failed' && entry.status !== 'running') continue
      if (entry.skipped) continue
      const spec = journal.plan[i]!
      const id = {step: i + 1, kind: spec.kind, description: entry.description}
      deps.reporter.progress(`Undoing [${i + 1}/${journal.steps.length}] ${entry.description}`)
      const outcome = await undoStep(deps, journal, i, kindOf(kinds, spec))
      if (outcome.ok) {
        entry.status = 'undone'
        undone.push({...id, ...(outcome.note ? {note: outcome.note} : {})})
      } else {
        notUndone.push({...id, reason: outcome.reason})
      }
      journal.updatedAt = deps.clock.now().toISOString()
      await writeJournal(flowDir, journal)
    }
    const checkout = await restoreCheckout(deps.git, journal)
    journal.status = 'undone'
    journal.updatedAt = deps.clock.now().toISOString()
    await archiveJournal(flowDir, journal)
    return {
      runId: journal.id,
      command: journal.command,
      status: 'undone' as const,
      complete: notUndone.length === 0 && (checkout.restored || !checkout.reason),
      undone,
      notUndone,
      checkout,
    }
  })
}

type StepOutcome = {ok: true; note?: string} | {ok: false; reason: string}

async function undoStep(deps: EngineDeps, journal: Journal, i: number, kind: StepKind): Promise<StepOutcome> {
  const entry = journal.steps[i]!
  const spec = journal.plan[i]!
  const ctx = stepContext(deps, journal, entry.prepared)
  const interrupted = entry.status !== 'done'
  // attempts is counted in the journal write just before run(): without it, the step's effect never began.
  if (interrupted && !entry.attempts) return {ok: true, note: 'it had not started'}
  let effectInPlace = true
  if (interrupted && kind.isDone) {
    try {
      effectInPlace = Boolean(await kind.isDone(ctx, spec.input))
    } catch {
      effectInPlace = true
    }
  }
  if (kind.undo === false) {
    if (!effectInPlace) return {ok: true, note: 'it had not taken effect'}
    const reason = kind.cannotUndo ?? 'this kind of step cannot be undone'
    return {ok: false, reason: interrupted ? `it was interrupted and may have taken effect; ${reason}` : reason}
  }
  if (typeof kind.undo === 'function') {
    if (!effectInPlace) return restoreSnapshot(deps.git, journal, entry, 'it had not taken effect')
    try {
      await kind.undo(ctx, spec.input, entry)
      return {ok: true}
    } catch (error) {
      return {ok: false, reason: errorInfo(error).message}
    }
  }
  return restoreSnapshot(deps.git, journal, entry)
}

async function restoreSnapshot(git: Git, journal: Journal, entry: JournalStep, note?: string): Promise<StepOutcome> {
  const before = entry.refsBefore ?? {}
  const reasons: string[] = []
  let changed = false
  // HEAD (and other names outside refs/) come back with the starting checkout, not by moving what they point to.
  for (const ref of Object.keys(before).filter((r) => r.startsWith('refs/'))) {
    const after = entry.refsAfter ? entry.refsAfter[ref] : undefined
    const outcome = await restoreRef(git, ref, before[ref] ?? null, after, async () => (await restoreCheckout(git, journal)).restored)
    if (!outcome.ok) reasons.push(outcome.reason)
    else if (!outcome.note) changed = true
  }
  if (reasons.length > 0) return {ok: false, reason: reasons.join('; ')}
  return {ok: true, ...(note ? {note} : changed || Object.keys(before).length === 0 ? {} : {note: 'refs were already as before'})}
}

async function restoreCheckout(git: Git, journal: Journal): Promise<UndoResult['checkout']> {
  const {branch, head} = journal.start
  const base = {branch, head}
  const current = await headRef(git)
  const currentHead = (await snapshotRefs(git, ['HEAD'])).HEAD ?? null
  if (branch ? current === `refs/heads/${branch}` : current === null && currentHead === head) return {...base, restored: false}
  if (!branch && !head) return {...base, restored: false}
  if (branch && (await snapshotRefs(git, [`refs/heads/${branch}`]))[`refs/heads/${branch}`] === null) {
    return {...base, restored: false, reason: `the starting branch ${branch} no longer exists`}
  }
  if (!(await isClean(git))) {
    return {...base, restored: false, reason: `the work tree has uncommitted changes, so ${branch ?? head} was not checked out again`}
  }
  const result = await git.exec(branch ? ['checkout', '-q', branch] : ['checkout', '-q', '--detach', head!])
  if (result.exitCode !== 0) return {...base, restored: false, reason: `git checkout ${branch ?? head} failed: ${result.stderr.trim()}`}
  return {...base, restored: true}
}
