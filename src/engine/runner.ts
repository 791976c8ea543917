// PLACEHOLDER: replaced by the engine work.
import type {Deps} from '../core/deps.js'
import type {JournalStep, Plan} from './types.js'

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

/** Runs a plan step by step with a journal; with dryRun, only describes it. */
export async function runPlan(_deps: EngineDeps, _plan: Plan, _options: {dryRun?: boolean} = {}): Promise<RunResult> {
  throw new Error('not implemented')
}
