/** The use cases behind `flow metrics dora` and `flow metrics incidents`: read the facts and git, compute, report. */
import {runPlan, type RunResult} from '../../engine/runner.js'
import {isDuration, parseDuration} from '../config/duration.js'
import type {Deps} from '../deps.js'
import {FlowError} from '../errors.js'
import type {DeploymentFact, IncidentFact} from '../records/facts.js'
import {RECORDS_REF} from '../records/layout.js'
import {computeDora, type DoraReport} from './dora.js'
import {checkImport, importInput} from './import.js'
import {computeIncidentMetrics, type IncidentReport} from './incident-metrics.js'
import {cached, cachedThenSave, digest} from './cache.js'
import {assignCommits, loadGraph, type GraphCommit} from './lead-time.js'
import {loadDeployments, loadIncidents} from './sources.js'

/** Flags shared by the metrics commands. */
export interface MetricsInput {
  /** A duration back from `until` (`90d`) or a date (`2026-01-01`); default flow.yml metrics.window. */
  since?: string
  /** End of the window (a date or time); default now. */
  until?: string
  service?: string
  /** Read GitHub's deployments and incident issues into an empty record store first. */
  import?: boolean
}

/** Input of metricsDora. */
export interface DoraInputFlags extends MetricsInput {
  env?: string
}

/** The window a report covers, from --since and --until. */
export function resolveWindow(now: Date, since: string, until?: string): {start: string; end: string} {
  const end = until === undefined ? now.getTime() : parseTime(until, '--until')
  const start = isDuration(since) ? end - parseDuration(since) : parseTime(since, '--since')
  if (!(start < end)) throw new FlowError('USAGE', `The window is empty: ${new Date(start).toISOString()} is not before ${new Date(end).toISOString()}`, {hint: 'Pass --since 90d, or a --since date before --until.'})
  return {start: new Date(start).toISOString(), end: new Date(end).toISOString()}
}

function parseTime(text: string, flag: string): number {
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text)
  if (Number.isNaN(t)) throw new FlowError('USAGE', `${flag} ${text} is neither a duration nor a date`, {hint: `Pass ${flag} 90d, or a date such as 2026-01-01.`})
  return t
}

type MetricsDeps = Pick<Deps, 'config' | 'records' | 'git' | 'clock' | 'forge' | 'reporter'> & Parameters<typeof runPlan>[0]

/** When the code that folds the facts was built (this module and the folds), so a new flow never reads old folds. */
async function foldStamp(): Promise<string> {
  const {stat} = await import('node:fs/promises')
  const files = [import.meta.url, new URL('../env/facts.js', import.meta.url), new URL('../incidents/model.js', import.meta.url), new URL('./sources.js', import.meta.url)]
  const times = await Promise.all(files.map((f) => stat(new URL(f)).then((s) => String(s.mtimeMs), () => '-')))
  return times.join(',')
}

/**
 * The deployment and incident facts, from the cache when the records branch has not moved since they were folded;
 * `save` stores freshly folded ones (the caller starts its next git work first, so the write overlaps it).
 */
export async function loadFacts(deps: Pick<Deps, 'git' | 'repo' | 'records'>): Promise<{deployments: DeploymentFact[]; incidents: IncidentFact[]; save: () => Promise<void>}> {
  const [repo, tip] = await Promise.all([deps.repo(), deps.git.exec(['rev-parse', '-q', '--verify', RECORDS_REF])])
  const load = async () => {
    const store = await deps.records()
    const [deployments, incidents] = await Promise.all([loadDeployments(store), loadIncidents(store)])
    return {deployments, incidents}
  }
  if (tip.exitCode !== 0) return {...(await load()), save: async () => {}}
  const {value, save} = await cachedThenSave(repo.flowDir, 'metrics-facts', `${tip.stdout.trim()}:${await foldStamp()}`, load)
  return {...value, save}
}

/** Imports GitHub's history into an empty record store when asked; returns what the steps did. */
async function maybeImport(deps: MetricsDeps, input: MetricsInput): Promise<RunResult['steps'] | undefined> {
  if (!input.import) return undefined
  const {config} = await deps.config()
  await checkImport(await deps.forge(), await deps.records())
  const data = importInput(config)
  const plan = {command: 'metrics import', inputs: {}, steps: [{kind: 'metrics.importDeployments', input: data}, {kind: 'metrics.importIncidents', input: data}]}
  const run = await runPlan(deps, plan)
  for (const [i, out] of run.outputs.entries()) deps.reporter.progress(`${run.steps[i]?.description}: ${String(out?.imported ?? 0)}`)
  return run.steps
}

/** Which commits each successful production deployment brought there first (one cat-file and one git log). */
async function changesOf(deps: Pick<Deps, 'git' | 'repo'>, deployments: readonly DeploymentFact[], environment: string, service: string | undefined, start: number, end: number) {
  const line = deployments
    .filter((d) => d.environment === environment && d.outcome === 'success' && d.kind !== 'rollback' && (service === undefined || d.services.includes(service)))
    .map((d) => ({d, t: Date.parse(d.startedAt)}))
    .sort((a, b) => a.t - b.t)
  const first = line.findIndex((x) => x.t >= start)
  if (first === -1) return new Map()
  const inWindow = line.slice(first).filter((x) => x.t < end).map((x) => x.d)
  const before = line[first - 1]?.d.sha ?? inWindow[0]?.previousSha
  const tips = inWindow.map((d) => d.sha)
  const boundary = before === undefined ? [] : [before]
  const {flowDir} = await deps.repo()
  const head = await deps.git.exec(['rev-parse', '-q', '--verify', 'HEAD'])
  // The graph of these revisions never changes; HEAD is in the key only so a rewritten history (a new clone) reloads.
  const entries = await cached(flowDir, 'metrics-graph', digest([head.stdout.trim(), ...tips, '^', ...boundary]), async () => [...(await loadGraph(deps.git, tips, boundary))])
  const graph = new Map<string, GraphCommit>(entries)
  const changes = assignCommits(graph, inWindow)
  // Without an earlier deployment there is no start to measure the first one's range from: its commits are left out.
  if (before === undefined && inWindow[0]) changes.delete(inWindow[0].id)
  return changes
}

/** `flow metrics dora`: the report over the window for the production environment (or --env). */
export async function metricsDora(deps: MetricsDeps, input: DoraInputFlags): Promise<DoraReport & {imported?: RunResult['steps']}> {
  const {config} = await deps.config()
  const imported = await maybeImport(deps, input)
  const environment = input.env ?? config.metrics.production ?? 'production'
  if (input.env !== undefined && Object.keys(config.environments).length > 0 && !(input.env in config.environments)) {
    throw new FlowError('USAGE', `No environment ${input.env} in flow.yml`, {hint: `Pass one of: ${Object.keys(config.environments).join(', ')}.`})
  }
  const window = resolveWindow(deps.clock.now(), input.since ?? config.metrics.window, input.until)
  const {deployments, incidents, save} = await loadFacts(deps)
  // The commit graph is read by git processes; the facts are written to the cache meanwhile.
  const changing = changesOf(deps, deployments, environment, input.service, Date.parse(window.start), Date.parse(window.end))
  changing.catch(() => {})
  await save()
  const changes = await changing
  const report = computeDora({deployments, incidents, environment, ...(input.service === undefined ? {} : {service: input.service}), window, changes})
  return imported ? {...report, imported} : report
}

/** `flow metrics incidents`: counts and response times of the real incidents in the window. */
export async function metricsIncidents(deps: MetricsDeps, input: MetricsInput): Promise<IncidentReport & {imported?: RunResult['steps']}> {
  const {config} = await deps.config()
  const imported = await maybeImport(deps, input)
  const window = resolveWindow(deps.clock.now(), input.since ?? config.metrics.window, input.until)
  const severities = Object.entries(config.incidents.severities)
  const {incidents, save} = await loadFacts(deps)
  await save()
  const report = computeIncidentMetrics({
    incidents,
    window,
    ...(input.service === undefined ? {} : {service: input.service}),
    postmortemRequired: severities.filter(([, s]) => s.postmortem === 'required').map(([name]) => name),
    severityOrder: severities.map(([name]) => name),
  })
  return imported ? {...report, imported} : report
}
