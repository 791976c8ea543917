import {stringify} from 'yaml'
import type {Deps} from '../deps.js'
import type {FlowConfig} from './schema.js'

/** The effective configuration and where it came from. */
export interface ShownConfig {
  /** Absolute path of flow.yml, or null when the defaults apply. */
  file: string | null
  config: FlowConfig
}

/** Loads flow.yml (or the defaults) and renders the effective configuration as YAML too, with a comment naming its source. */
export async function showConfig(deps: Pick<Deps, 'config'>): Promise<ShownConfig & {yaml: string}> {
  const {path, config} = await deps.config()
  const source = path ? `# effective configuration from ${path}, defaults filled in` : '# effective configuration: no flow.yml found, these are the defaults'
  return {file: path ?? null, config, yaml: `${source}\n${stringify(config, {lineWidth: 0}).trimEnd()}`}
}
