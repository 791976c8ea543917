// The body of `flow feature start`, run by its oclif class and by the fast lane (fast-lane.ts) alike, so both
// ways print the same. No @oclif/core here.
import type {Deps} from '../core/deps.js'
import {startFeature, type FeatureStarted, type StartFeatureInput} from '../core/feature/start-feature.js'

/** Where the body prints: lines for humans (dropped under --json). */
export interface FeatureStartOutput {
  log(line: string): void
}

/** flow feature start. */
export async function featureStartBody(deps: Deps, input: StartFeatureInput, out: FeatureStartOutput): Promise<FeatureStarted> {
  const started = await startFeature(deps, input)
  if (started.dryRun) {
    out.log(`Would start ${started.branch} from ${started.from}:`)
    for (const step of started.steps ?? []) out.log(`  ${step.description}`)
  } else {
    out.log(`On ${started.branch} (from ${started.from}, parent ${started.parent})`)
  }
  return started
}
