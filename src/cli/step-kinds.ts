import type {StepKind} from '../engine/types.js'

/**
 * The step kinds a plan needs: the git and feature kinds alone when they are enough (the plans of the daily
 * commands, `feature start` and co.), so the modules of every other area are not loaded; else allStepKinds().
 */
export async function stepKindsFor(names?: readonly string[]): Promise<StepKind[]> {
  if (names) {
    const [{gitStepKinds}, {featureStepKinds}] = await Promise.all([import('../engine/steps/git-steps.js'), import('../core/feature/feature-steps.js')])
    const common = [...gitStepKinds, ...featureStepKinds]
    if (names.every((name) => common.some((k) => k.kind === name))) return common
  }
  return allStepKinds()
}

/**
 * Every step kind flow knows, so a journal written by any command can be resumed or undone.
 * A plain list: each area appends its own kinds (imported lazily, so startup stays cheap).
 */
export async function allStepKinds(): Promise<StepKind[]> {
  const kinds: StepKind[][] = [
    (await import('../engine/steps/git-steps.js')).gitStepKinds,
    (await import('../core/records/sync-steps.js')).recordsStepKinds,
    (await import('../core/feature/feature-steps.js')).featureStepKinds,
    (await import('../core/files/file-steps.js')).fileStepKinds,
    (await import('../core/gates/gate-steps.js')).gateStepKinds,
    (await import('../core/release/steps.js')).releaseStepKinds,
    (await import('../core/metrics/import.js')).metricsStepKinds,
    (await import('../core/changes/steps.js')).changeStepKinds,
    (await import('../core/incidents/steps.js')).incidentStepKinds,
    (await import('../core/env/steps.js')).envStepKinds,
    [(await import('../core/env/note-step.js')).noteKind],
    (await import('../core/env/preview-steps.js')).previewStepKinds,
  ]
  return kinds.flat()
}
