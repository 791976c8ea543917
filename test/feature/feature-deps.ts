import {defaultConfig, type FlowConfig} from '../../src/core/config/schema.js'
import type {Deps} from '../../src/core/deps.js'
import {featureStepKinds} from '../../src/core/feature/feature-steps.js'
import type {Forge} from '../../src/core/ports.js'
import {gitStepKinds} from '../../src/engine/steps/git-steps.js'
import type {GitRecordStore} from '../../src/providers/git-record-store.js'
import {LocalForge} from '../../src/providers/local-forge.js'
import {stepDeps} from '../helpers/run-steps.js'
import type {TempRepo} from '../helpers/temp-repo.js'

/** Options of featureDeps. */
export interface FeatureDepsOptions {
  config?: (c: FlowConfig) => void
  forge?: Forge
  cwd?: string
  env?: Record<string, string>
}

/** Deps for the feature services on a temp repo: real git, default (or edited) config, the local forge unless given. */
export function featureDeps(repo: TempRepo, options: FeatureDepsOptions = {}): Deps & {progress: string[]; warnings: string[]; store: GitRecordStore} {
  const base = stepDeps(options.cwd ?? repo.dir, {...repo.env, ...options.env})
  const config = defaultConfig()
  options.config?.(config)
  const progress: string[] = []
  const warnings: string[] = []
  const forge = options.forge ?? new LocalForge({records: base.store, clock: base.clock, ids: base.ids, actor: 'author@example.com'})
  return {
    ...base,
    env: {...repo.env, ...options.env},
    config: async () => ({config}),
    forge: async () => forge,
    stepKinds: async () => [...gitStepKinds, ...featureStepKinds],
    reporter: {progress: (m) => progress.push(m), warn: (m) => warnings.push(m), info: () => {}},
    progress,
    warnings,
  }
}
