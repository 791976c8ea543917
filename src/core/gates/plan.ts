import type {FlowConfig, GateConfig} from '../config/schema.js'
import {FlowError} from '../errors.js'

/** Stages flow itself knows (hooks, submit, release, deploy): running one that flow.yml leaves out runs nothing. */
export const KNOWN_STAGES = ['pre-commit', 'commit-msg', 'pre-push', 'submit', 'release', 'deploy'] as const

/** The gates of one run and what each waits for (only gates of the run). */
export interface GatePlan {
  /** The stage run, when a stage was named. */
  stage?: string
  /** Gate names in a topological order (needs first, then by name). */
  order: string[]
  /** Gate → the gates of this run it needs. */
  needs: Record<string, string[]>
}

/**
 * Resolves a stage (its gates and, transitively, what they need) or an explicit `--only` list (exactly those gates,
 * ordered by the needs among them) to a plan.
 */
export function planGates(config: Pick<FlowConfig, 'gates' | 'stages'>, input: {stage?: string; only?: string[]}): GatePlan {
  const defined = Object.keys(config.gates)
  const unknown = (name: string) =>
    new FlowError('USAGE', `no gate named ${name}`, {hint: defined.length > 0 ? `Gates in flow.yml: ${defined.join(', ')}.` : 'Define gates under gates: in flow.yml.'})
  let selected: string[]
  if (input.only && input.only.length > 0) {
    for (const name of input.only) if (!(name in config.gates)) throw unknown(name)
    selected = [...new Set(input.only)]
  } else {
    const stage = input.stage ?? 'submit'
    const stages = config.stages as Record<string, string[] | undefined>
    const list = stages[stage]
    if (!list) {
      if (!(KNOWN_STAGES as readonly string[]).includes(stage)) {
        const names = Object.keys(stages).filter((s) => stages[s])
        throw new FlowError('USAGE', `no stage named ${stage}`, {hint: names.length > 0 ? `Stages in flow.yml: ${names.join(', ')}.` : 'Define stages under stages: in flow.yml.'})
      }
      return {stage, order: [], needs: {}}
    }
    const seen = new Set<string>()
    const visit = (name: string) => {
      if (seen.has(name)) return
      const gate = config.gates[name]
      if (!gate) throw unknown(name)
      seen.add(name)
      for (const dep of gate.needs) visit(dep)
    }
    for (const name of list) visit(name)
    selected = [...seen]
  }
  const inRun = new Set(selected)
  const needs: Record<string, string[]> = {}
  for (const name of selected) needs[name] = (config.gates[name] as GateConfig).needs.filter((d) => inRun.has(d))
  return {stage: input.only && input.only.length > 0 ? input.stage : (input.stage ?? 'submit'), order: topoOrder(needs), needs}
}

/** Kahn's algorithm with names sorted at each step, so the order is deterministic; throws on a cycle. */
export function topoOrder(needs: Record<string, string[]>): string[] {
  const remaining = new Map(Object.entries(needs).map(([k, v]) => [k, new Set(v)]))
  const order: string[] = []
  while (remaining.size > 0) {
    const ready = [...remaining].filter(([, deps]) => deps.size === 0).map(([k]) => k).sort()
    if (ready.length === 0) throw new FlowError('CONFIG_INVALID', `gates needs form a cycle among ${[...remaining.keys()].sort().join(', ')}`)
    for (const name of ready) {
      order.push(name)
      remaining.delete(name)
      for (const deps of remaining.values()) deps.delete(name)
    }
  }
  return order
}

/** Each gate's depth in the DAG (0: needs nothing), for CI jobs and display. */
export function gateLevels(needs: Record<string, string[]>): Record<string, number> {
  const levels: Record<string, number> = {}
  for (const name of topoOrder(needs)) levels[name] = Math.max(-1, ...(needs[name] ?? []).map((d) => levels[d] ?? 0)) + 1
  return levels
}
