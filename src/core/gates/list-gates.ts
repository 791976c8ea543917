import type {GateConfig} from '../config/schema.js'
import type {Deps} from '../deps.js'
import {gatesDirOf, readLastResults, type LastResults} from './run-gates.js'

/** One gate as `flow gates list` shows it. */
export interface GateListing {
  name: string
  /** The command (as written) or `builtin:NAME`. */
  does: string
  needs: string[]
  inputs: string[]
  optional: boolean
  stages: string[]
  last?: LastResults[string]
}

/** The --json document of `flow gates list`. */
export interface GatesListed {
  gates: GateListing[]
  stages: Record<string, string[]>
}

/** The gates of flow.yml with their stages and last results. */
export async function listGates(deps: Pick<Deps, 'config' | 'repo'>): Promise<GatesListed> {
  const {config} = await deps.config()
  const repo = await deps.repo()
  const last = await readLastResults(gatesDirOf(repo.flowDir))
  const stages = Object.fromEntries(Object.entries(config.stages as Record<string, string[] | undefined>).filter((e): e is [string, string[]] => Array.isArray(e[1])))
  const gates = Object.entries(config.gates).map(([name, gate]: [string, GateConfig]) => ({
    name,
    does: 'run' in gate ? (typeof gate.run === 'string' ? gate.run : gate.run.join(' ')) : `builtin:${gate.builtin}`,
    needs: gate.needs,
    inputs: gate.inputs,
    optional: gate.optional,
    stages: Object.keys(stages).filter((s) => stages[s]?.includes(name)),
    ...(last[name] ? {last: last[name]} : {}),
  }))
  return {gates, stages}
}
