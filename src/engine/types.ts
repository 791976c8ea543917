import type {ErrorCode} from '../core/errors.js'
import type {Clock, Forge, Git, Ids, RecordStore, Reporter, Shell} from '../core/ports.js'

/** One step of a plan: serialisable data, rebuilt into behaviour by its kind on resume. */
export interface StepSpec<I = unknown> {
  /** Registered step kind, e.g. `git.updateRef`, `records.push`. */
  kind: string
  input: I
}

/** What a mutating command intends to do, before anything is touched. */
export interface Plan {
  /** The command id, e.g. `records sync`. */
  command: string
  /** The command's inputs (flags and args), for the journal and `flow status`. */
  inputs: Record<string, unknown>
  steps: StepSpec[]
}

/** What a step may use while it runs, is checked, or is undone. */
export interface StepContext {
  cwd: string
  git: Git
  shell: Shell
  reporter: Reporter
  clock: Clock
  ids: Ids
  forge(): Promise<Forge>
  records(): Promise<RecordStore>
  /** Outputs of the steps already done in this run, by step index. */
  outputs: ReadonlyArray<Record<string, unknown> | undefined>
  /** What the kind's `prepare()` captured for this step, journaled before its effect (undefined without one). */
  prepared?: Record<string, unknown>
}

/** The behaviour of one kind of step. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a registry holds kinds of every input type
export interface StepKind<I = any> {
  kind: string
  /** One line for people: `Push flow/records to origin`. */
  describe(input: I): string
  /** Refs (full names, e.g. `refs/heads/main`) whose values are snapshotted before and after the step. */
  refs?(input: I, ctx: StepContext): string[]
  /**
   * True when the step's effect is already in place, so resuming never repeats it. It may instead
   * return an object: the step is then done, and the object is kept as its output.
   */
  isDone?(ctx: StepContext, input: I): Promise<boolean | Record<string, unknown>>
  /**
   * Captures state that undo will need (for example a remote ref's value), journaled before the effect;
   * kept from the first attempt when the step is retried. Passed to run, isDone and undo as `ctx.prepared`.
   */
  prepare?(ctx: StepContext, input: I): Promise<Record<string, unknown>>
  /** Carries out the step; what it returns is kept in the journal for later steps and undo. */
  run(ctx: StepContext, input: I): Promise<Record<string, unknown> | void>
  /**
   * Reverses the step. Without it, undo restores the snapshotted refs; with `undo: false`
   * the kind says honestly that it cannot be undone, with `cannotUndo` as the reason.
   */
  undo?: false | ((ctx: StepContext, input: I, entry: JournalStep) => Promise<void>)
  cannotUndo?: string
  /**
   * What the whole run came to, read from this step's input and output once every step is done: a verdict makes
   * the command fail with it after the run is archived as done (nothing is left to continue or undo), the same way
   * for the first run and for `flow continue` (a deployment that ended rolled back exits DEPLOY_FAILED either way).
   * The latest done step whose kind has a verdict decides (undefined from it: the run succeeded).
   */
  verdict?(input: I, output: Record<string, unknown> | undefined): RunVerdict | undefined
}

/** A run that finished every step but failed at what it was for (a deployment rolled back): the command's error. */
export interface RunVerdict {
  code: ErrorCode
  message: string
  hint?: string
  details?: Record<string, unknown>
}

/** Where a step stands in a run. */
export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'undone'

/** The journal's record of one step. */
export interface JournalStep {
  kind: string
  description: string
  status: StepStatus
  startedAt?: string
  finishedAt?: string
  /** Ref values before the step (null: the ref did not exist). */
  refsBefore?: Record<string, string | null>
  refsAfter?: Record<string, string | null>
  output?: Record<string, unknown>
  error?: {code: string; message: string; hint?: string}
  /** What the kind's `prepare()` captured before the first attempt. */
  prepared?: Record<string, unknown>
  /** How many times the step was started (more than one after a pause or a crash). */
  attempts?: number
  /** True when the effect was already in place before flow ran the step: undo leaves it alone. */
  skipped?: boolean
}

/** Where a run stands. */
export type RunStatus = 'running' | 'paused' | 'done' | 'undone' | 'aborted'

/** The journal of one run, written atomically before and after every step. */
export interface Journal {
  version: 1
  id: string
  command: string
  inputs: Record<string, unknown>
  status: RunStatus
  /** Index of the step to run next (or the one that failed). */
  cursor: number
  startedAt: string
  updatedAt: string
  /** The branch and commit checked out when the run started. */
  start: {branch: string | null; head: string | null}
  pid: number
  /** The host of the process that last ran the journal (a pid is only meaningful there). */
  host?: string
  plan: StepSpec[]
  steps: JournalStep[]
}
