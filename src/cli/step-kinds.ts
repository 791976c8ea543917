import type {StepKind} from '../engine/types.js'
import {recordsStepKinds} from '../core/records/sync-steps.js'

/** Every step kind flow knows, so a journal written by any command can be resumed or undone. */
export async function allStepKinds(): Promise<StepKind[]> {
  return [...recordsStepKinds]
}
