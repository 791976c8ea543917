// PLACEHOLDER: replaced by the config work.
import type {Git} from '../ports.js'

/** flow.yml as loaded. */
export interface LoadedConfig {
  /** Absolute path of the file, or undefined when defaults are used. */
  path?: string
  config: Record<string, unknown>
}

/** Finds, parses and validates flow.yml. */
export async function loadConfig(_git: Git, _cwd: string): Promise<LoadedConfig> {
  throw new Error('not implemented')
}
