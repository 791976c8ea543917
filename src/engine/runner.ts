import {hostname} from 'node:os'
import type {Deps} from '../core/deps.js'
import {FlowError} from '../core/errors.js'
import {redactValue} from '../core/redact.js'
import {archiveJournal, isUnfinished, journalText, readJournal, writeJournalText} from './journal.js'
import {describeStep, errorInfo, kindOf, kindsFor, stepContext, type KindRegistry} from './kinds.js'
import {pidAlive, withLock} from './lock.js'
import {memoGit} from './read-memo.js'
import {headState, snapshotRefs, type RefSnapshot} from './refs.js'
import type {Journal, JournalStep, Plan, RunVerdict} from './types.js'

/** What the engine needs from the composition root. */
export type EngineDeps = Pick<Deps, 'cwd' | 'git' | 'shell' | 'reporter' | 'clock' | 'ids' | 'forge' | 'records' | 'repo' | 'stepKinds'>

/** The outcome of a run (or of a dry run: the plan, described). */
export interface RunResult {
  runId: string | null
  command: string
  status: 'done' | 'dry-run' | 'undone' | 'aborted'
  steps: JournalStep[]
  /** The output of each step, by index. */
  outputs: Array<Record<string, unknown> | undefined>
}

/** The next actions offered for a paused run. */
export const PAUSED_HINT = 'Fix the cause, then run flow continue; or flow undo to go back to where you started, or flow abort to stop here.'

/** The hint of a paused run: the cause's own hint first (how to fix it), then the next actions. */
export function pausedHint(causeHint?: string): string {
  return causeHint ? `${causeHint.trim().replace(/([^.!?])$/, '$1.')} ${PAUSED_HINT}` : PAUSED_HINT
}

/** Runs a plan step by step with a journal; with dryRun, only describes it. */
export async function runPlan(deps: EngineDeps, plan: Plan, options: {dryRun?: boolean} = {}): Promise<RunResult> {
  // The checkout the run starts from is read while the kinds load and the lock is taken (the plan itself was
  // made from what git said before that).
  const start = options.dryRun ? undefined : headState(deps.git)
  start?.catch(() => {})
  const kinds = await kindsFor(deps, plan.steps, 'plan')
  if (!start) {
    const steps = plan.steps.map((spec): JournalStep => ({kind: spec.kind, description: describeStep(kindOf(kinds, spec), spec), status: 'pending'}))
    return {runId: null, command: plan.command, status: 'dry-run', steps, outputs: steps.map(() => undefined)}
  }
  const {flowDir} = await deps.repo()
  return withLock(flowDir, plan.command, deps, async () => {
    const existing = await currentJournal(flowDir)
    if (existing) throw runInProgress(existing)
    const {branch, head} = await start
    const now = deps.clock.now().toISOString()
    const journal: Journal = {
      version: 1,
      id: deps.ids.ulid(),
      command: plan.command,
      inputs: redactValue(plan.inputs),
      status: 'running',
      cursor: 0,
      startedAt: now,
      updatedAt: now,
      start: {branch, head},
      pid: process.pid,
      host: hostname(),
      plan: plan.steps,
      steps: plan.steps.map((spec) => ({kind: spec.kind, description: describeStep(kindOf(kinds, spec), spec), status: 'pending'})),
    }
    return execute(deps, flowDir, journal, kinds)
  })
}

/** Resumes the paused (or interrupted) run of this worktree at its cursor; pauses again on a failure. */
export async function continueRun(deps: EngineDeps): Promise<RunResult> {
  const {flowDir} = await deps.repo()
  return withLock(flowDir, 'continue', deps, async () => {
    // Killed after its last step but before the journal was archived: the run is finished, so continue finishes it.
    const left = await readJournal(flowDir)
    if (left?.status === 'done') {
      await archiveJournal(flowDir, left)
      return {runId: left.id, command: left.command, status: 'done', steps: left.steps, outputs: left.steps.map((s) => s.output)}
    }
    const journal = await requireJournal(flowDir, 'continue')
    if (journal.steps.some((s) => s.status === 'undone')) {
      throw new FlowError('RUN_IN_PROGRESS', `An undo of flow ${journal.command} was interrupted, so it cannot be continued`, {
        hint: 'Run flow undo again to finish going back, or flow abort to stop tracking the run.',
      })
    }
    const kinds = await kindsFor(deps, journal.plan, 'journal')
    return execute(deps, flowDir, journal, kinds)
  })
}

/** The unfinished journal of a worktree, archiving one left finished by a crash; null when there is none. */
export async function currentJournal(flowDir: string): Promise<Journal | null> {
  const journal = await readJournal(flowDir)
  if (!journal) return null
  if (isUnfinished(journal.status)) return journal
  await archiveJournal(flowDir, journal)
  return null
}

/** The unfinished run that continue, undo or abort act on (lock held); NO_RUN when there is none. */
export async function requireJournal(flowDir: string, verb: 'continue' | 'undo' | 'abort'): Promise<Journal> {
  const journal = await currentJournal(flowDir)
  if (!journal) {
    throw new FlowError('NO_RUN', `Nothing to ${verb}: no paused run in this worktree`, {hint: 'flow status shows the last run.'})
  }
  // The lock should already exclude this; a journal written by a live process means its lock was removed by hand.
  if (journal.status === 'running' && journal.pid !== process.pid && pidAlive(journal.pid, journal.host) === true) {
    throw new FlowError('RUN_LOCKED', `flow ${journal.command} (pid ${journal.pid}) is still running in this worktree`, {
      hint: 'Wait for it to finish, then look at flow status.',
    })
  }
  return journal
}

function runInProgress(journal: Journal): FlowError {
  const at = journal.steps[journal.cursor]
  const where = at ? ` at step ${journal.cursor + 1}/${journal.steps.length} (${at.description})` : ''
  const state = journal.status === 'paused' ? 'is paused' : 'was interrupted'
  return new FlowError('RUN_IN_PROGRESS', `flow ${journal.command} ${state}${where} in this worktree`, {
    hint: 'Run flow continue to finish it, flow undo to go back to where it started, or flow abort to stop tracking it.',
    details: {runId: journal.id, command: journal.command, status: journal.status, step: journal.cursor + 1},
  })
}

/**
 * Writes the journal in the order it changes, each write whole (journalText is taken when the write is asked for).
 * `queue` does not wait: the write after a step then overlaps the checks of the next one, and `write` (before a
 * step's effect) waits for every earlier write as well as its own.
 */
function journalWriter(deps: Pick<EngineDeps, 'clock'>, flowDir: string, journal: Journal) {
  let last: Promise<void> = Promise.resolve()
  const write = (): Promise<void> => {
    journal.updatedAt = deps.clock.now().toISOString()
    const text = journalText(journal)
    last = last.then(() => writeJournalText(flowDir, text))
    // A failed write is seen by the next write or drain that is waited for (a queued one is not waited for here).
    last.catch(() => {})
    return last
  }
  return {write, queue: () => void write(), drain: () => last}
}

const pick = (snapshot: RefSnapshot, names: string[]): RefSnapshot => Object.fromEntries(names.map((name) => [name, snapshot[name] ?? null]))

async function execute(deps: EngineDeps, flowDir: string, journal: Journal, kinds: KindRegistry): Promise<RunResult> {
  const total = journal.plan.length
  const journalFile = journalWriter(deps, flowDir, journal)
  journal.status = 'running'
  journal.pid = process.pid
  journal.host = hostname()
  // A step whose effect is done, while the snapshot after it is taken: that overlaps the next step's checks (both
  // only read the state the effect left), and the step is recorded done before the next one is recorded running.
  let finishing: {index: number; recorded: Promise<void>} | undefined
  const finished = async () => {
    const last = finishing
    finishing = undefined
    if (!last) return
    try {
      await last.recorded
    } catch (error) {
      await pause(deps, journal, last.index, error, journalFile.write)
    }
  }
  // No write yet: the first one comes before the first effect (or with the first step found done, or a pause).
  for (let i = journal.cursor; i < total; i++) {
    const spec = journal.plan[i]!
    const entry = journal.steps[i]!
    if (entry.status === 'done') continue
    const kind = kindOf(kinds, spec)
    const ctx = stepContext(deps, journal, entry.prepared)
    // The checks before the effect only read: they share one git port on which a question asked twice runs once.
    const reading = {...ctx, git: memoGit(deps.git)}
    // A step found done, or done without isDone, is written at once (the write overlaps the next checks); after
    // the last step the archive writes the journal.
    const afterStep = () => (i < total - 1 ? journalFile.queue() : undefined)
    // isDone, the snapshot and prepare (on the first attempt) read the same state: asked at the same time; what
    // prepare found is dropped when the step turns out to be done already.
    const checks = (async () => {
      const refs = kind.refs?.(spec.input, ctx) ?? []
      const names = [...new Set([...refs, ...Object.keys(entry.refsBefore ?? {})])]
      const preparing = kind.prepare && entry.prepared === undefined
        ? kind.prepare(reading, spec.input).then((value) => ({value}), (error: unknown) => ({error}))
        : undefined
      const [already, now] = await Promise.all([kind.isDone ? kind.isDone(reading, spec.input) : false, snapshotRefs(reading.git, names)])
      return {refs, already, now, prepared: await preparing}
    })()
    checks.catch(() => {})
    await finished()
    journal.cursor = i
    try {
      const {refs, already, now, prepared} = await checks
      // Values from an earlier attempt are kept: they are what the refs were before flow touched them.
      const earlier = entry.refsBefore
      if (already) {
        // A step with an earlier attempt was (probably) done by flow itself before a crash: keep it undoable.
        if (earlier) entry.refsAfter = pick(now, Object.keys(earlier))
        else entry.skipped = true
        if (typeof already === 'object') entry.output = redactValue(already)
        entry.status = 'done'
        entry.error = undefined
        entry.finishedAt = deps.clock.now().toISOString()
        journal.cursor = i + 1
        deps.reporter.progress(`[${i + 1}/${total}] ${entry.description}: already done`)
        afterStep()
        continue
      }
      const missing = refs.filter((ref) => !earlier || !(ref in earlier))
      if (!earlier || missing.length > 0) entry.refsBefore = {...pick(now, missing), ...earlier}
      if (prepared && 'error' in prepared) throw prepared.error
      if (prepared) entry.prepared = redactValue(prepared.value)
      entry.status = 'running'
      entry.startedAt = deps.clock.now().toISOString()
      entry.finishedAt = undefined
      entry.attempts = (entry.attempts ?? 0) + 1
      deps.reporter.progress(`[${i + 1}/${total}] ${entry.description}`)
      // The journal must say "running" before the effect, so a crash from here on is seen by continue and undo.
      await journalFile.write()
      const output = await kind.run({...ctx, prepared: entry.prepared}, spec.input)
      // The output is there for the next step's checks at once; the step is recorded done when its snapshot is in.
      entry.output = output ? redactValue(output) : undefined
      const recorded = snapshotRefs(deps.git, Object.keys(entry.refsBefore!)).then((after) => {
        entry.refsAfter = after
        entry.status = 'done'
        entry.error = undefined
        entry.finishedAt = deps.clock.now().toISOString()
        journal.cursor = i + 1
        // A kind that can tell whether its effect is in place is written done with the next step's "running" (one
        // write fewer): killed in between, the journal says it was running, and continue and undo ask isDone, as
        // after a kill during its effect. Without isDone, a step is written done at once (else continue would
        // carry it out again).
        if (!kind.isDone) afterStep()
      })
      recorded.catch(() => {})
      finishing = {index: i, recorded}
    } catch (error) {
      await pause(deps, journal, i, error, journalFile.write)
    }
  }
  await finished()
  // Every queued write lands before the archive renames the journal away.
  await journalFile.drain()
  journal.cursor = total
  journal.status = 'done'
  journal.updatedAt = deps.clock.now().toISOString()
  await archiveJournal(flowDir, journal)
  const verdict = verdictOf(journal, kinds)
  if (verdict) {
    throw new FlowError(verdict.code, verdict.message, {...(verdict.hint ? {hint: verdict.hint} : {}), details: {...verdict.details, runId: journal.id, command: journal.command}})
  }
  return {runId: journal.id, command: journal.command, status: 'done', steps: journal.steps, outputs: journal.steps.map((s) => s.output)}
}

/** The verdict of a finished run: given by the latest done step whose kind has a verdict (see StepKind.verdict). */
export function verdictOf(journal: Journal, kinds: KindRegistry): RunVerdict | undefined {
  for (let i = journal.steps.length - 1; i >= 0; i--) {
    const spec = journal.plan[i]!
    const entry = journal.steps[i]!
    const kind = kindOf(kinds, spec)
    if (entry.status === 'done' && kind.verdict) return kind.verdict(spec.input, entry.output)
  }
  return undefined
}

async function pause(deps: EngineDeps, journal: Journal, i: number, error: unknown, save: () => Promise<void>): Promise<never> {
  const entry = journal.steps[i]!
  const cause = errorInfo(error)
  entry.status = 'failed'
  entry.error = cause
  entry.finishedAt = deps.clock.now().toISOString()
  if (entry.refsBefore) {
    try {
      entry.refsAfter = await snapshotRefs(deps.git, Object.keys(entry.refsBefore))
    } catch {
      entry.refsAfter = undefined
    }
  }
  journal.status = 'paused'
  journal.cursor = i
  await save()
  throw new FlowError('RUN_PAUSED', `flow ${journal.command} paused at step ${i + 1}/${journal.steps.length} (${entry.description}): ${cause.message}`, {
    hint: pausedHint(cause.hint),
    exit: 8,
    details: {runId: journal.id, step: i + 1, cause},
    cause: error,
  })
}
