/** DORA's four keys and rework rate, as pure functions over the deployment and incident read models. */
import type {DeploymentFact, DeploymentKind, IncidentFact} from '../records/facts.js'
import {DORA_BANDS, MIN_SAMPLES, durationBand, failureRateBand, frequencyBand, type Band} from './bands.js'
import type {ChangeCommit} from './lead-time.js'
import {MS, median, percentile, round3} from './stats.js'

/** The time span a report covers (ISO-8601, start inclusive, end exclusive). */
export interface MetricsWindow {
  start: string
  end: string
}

/** Everything computeDora reads. */
export interface DoraInput {
  deployments: readonly DeploymentFact[]
  incidents: readonly IncidentFact[]
  /** The environment that counts as production. */
  environment: string
  /** Only deployments (and incidents) of this service. */
  service?: string
  window: MetricsWindow
  /** The commits each deployment brought to the environment first (see assignCommits); absent: no lead time. */
  changes?: ReadonlyMap<string, readonly ChangeCommit[]>
}

/** Why a deployment counts as failed (each deployment counted once, whatever the number of reasons). */
export type FailureReason = 'rolled_back' | 'caused_incident' | 'needed_hotfix'

/** A median and 90th percentile, in milliseconds. */
export interface Spread {
  median?: number
  p90?: number
}

/** One band placement per report year, or why there is none. */
export interface BandResult {
  shown: boolean
  /** Why no band is shown (too few samples, no value). */
  reason?: string
  minimumSample: number
  byYear?: Record<string, {label: Band['label']; text: string}>
}

/** The DORA report (the --json document of flow metrics dora). */
export interface DoraReport {
  environment: string
  service?: string
  window: MetricsWindow & {days: number; weeks: number}
  /** Start of each weekly bucket of the trends. */
  weekStarts: string[]
  definitions: Record<'deploymentFrequency' | 'leadTime' | 'changeFailureRate' | 'recoveryTime' | 'reworkRate', string>
  deploymentFrequency: {sample: number; successful: number; perDay: number; perWeek: number; weekly: number[]; band: BandResult}
  leadTime: {sample: number; deployments: number; fromCommit: Spread; fromMerge: Spread; weeklyMedian: Array<number | null>; distribution: Array<{label: string; count: number}>; band: BandResult}
  changeFailureRate: {
    sample: number
    failed: number
    rate?: number
    byReason: Record<FailureReason, number>
    failures: Array<{id: string; sha: string; at: string; reasons: FailureReason[]}>
    weekly: Array<number | null>
    band: BandResult
  }
  recoveryTime: {sample: number; recovered: number; unrecovered: string[]; median?: number; items: Array<{id: string; recoveredBy: string; ms: number}>; weekly: Array<number | null>; band: BandResult}
  reworkRate: {sample: number; rework: number; rate?: number; byKind: Partial<Record<DeploymentKind, number>>; weekly: Array<number | null>}
  incidents: {inWindow: number; drillsExcluded: number; withoutCause: number; causedByDeployment: number}
  notes: string[]
}

/** The definitions every report prints next to its figures. */
export const DORA_DEFINITIONS: DoraReport['definitions'] = {
  deploymentFrequency: 'Successful deployments to the environment in the window (rollbacks not counted), per day and per week.',
  leadTime:
    'Per commit: the time its first successful deployment to the environment finished minus the commit\'s author time ("from commit"), or minus the time it landed on the deployed branch ("from merge"); median and 90th percentile (nearest rank).',
  changeFailureRate:
    'Deployments that were rolled back, that caused an incident through an explicit cause link (flow incident cause), or that the next hotfix deployment replaced, each counted once, divided by all finished deployments in the window (rollbacks are not deployments of a change).',
  recoveryTime:
    'For each failed deployment: from when it finished to the first of the next healthy deployment (a successful one that did not fail itself) and the resolution of an incident it caused; median.',
  reworkRate: 'Emergency, hotfix and rollback deployments divided by all finished deployments in the window.',
}

const at = (d: DeploymentFact) => Date.parse(d.startedAt)
const doneAt = (d: DeploymentFact) => Date.parse(d.finishedAt ?? d.startedAt)

function band(sample: number, minimum: number, what: string, pick: ((set: (typeof DORA_BANDS)['2023']) => Band) | undefined): BandResult {
  if (pick === undefined) return {shown: false, reason: 'no value', minimumSample: minimum}
  if (sample < minimum) return {shown: false, reason: `${sample} ${what}; bands need at least ${minimum}`, minimumSample: minimum}
  const byYear: Record<string, {label: Band['label']; text: string}> = {}
  for (const [year, set] of Object.entries(DORA_BANDS)) {
    const b = pick(set)
    byYear[year] = {label: b.label, text: b.text}
  }
  return {shown: true, minimumSample: minimum, byYear}
}

/** Computes the report. Pure: the same facts always give the same figures. */
export function computeDora(input: DoraInput): DoraReport {
  const start = Date.parse(input.window.start)
  const end = Date.parse(input.window.end)
  const days = Math.max((end - start) / MS.day, 1 / 24)
  const weeks = Math.max(1, Math.ceil((end - start) / MS.week))
  const weekOf = (t: number) => Math.min(weeks - 1, Math.max(0, Math.floor((t - start) / MS.week)))
  const weekStarts = Array.from({length: weeks}, (_, i) => new Date(start + i * MS.week).toISOString())
  const inWindow = (t: number) => t >= start && t < end
  const matchesService = (services: readonly string[]) => input.service === undefined || services.includes(input.service)

  // Every deployment of the environment (any time): rollbacks and hotfixes after the window still mark failures in it.
  const startOf = new Map<DeploymentFact, number>()
  const doneOf = new Map<DeploymentFact, number>()
  for (const d of input.deployments) {
    startOf.set(d, at(d))
    doneOf.set(d, doneAt(d))
  }
  const t0 = (d: DeploymentFact) => startOf.get(d) as number
  const t1 = (d: DeploymentFact) => doneOf.get(d) as number
  // Sorted by start time, then id, with the times read once (not two Map lookups per comparison).
  const envDeployments = input.deployments
    .filter((d) => d.environment === input.environment && matchesService(d.services))
    .map((d) => ({d, t: t0(d)}))
    .sort((a, b) => a.t - b.t || (a.d.id < b.d.id ? -1 : 1))
    .map((x) => x.d)
  const byId = new Map(envDeployments.map((d) => [d.id, d]))
  const position = new Map(envDeployments.map((d, i) => [d.id, i]))
  const finished = envDeployments.filter((d) => d.outcome !== 'in_progress')
  const windowed = finished.filter((d) => inWindow(t0(d)))
  const changesInWindow = windowed.filter((d) => d.kind !== 'rollback')

  const realIncidents = input.incidents.filter((i) => !i.drill)
  const drills = input.incidents.filter((i) => i.drill && inWindow(Date.parse(i.declaredAt))).length
  const relevantIncidents = realIncidents.filter((i) => matchesService(i.services) && (i.environments.length === 0 || i.environments.includes(input.environment)))

  // Reasons per deployment: a Map keyed by id, so a deployment with several reasons still counts once.
  const reasons = new Map<string, Set<FailureReason>>()
  const mark = (id: string | undefined, reason: FailureReason) => {
    if (id === undefined || !byId.has(id)) return
    const set = reasons.get(id) ?? new Set<FailureReason>()
    set.add(reason)
    reasons.set(id, set)
  }
  for (const d of envDeployments) {
    if (d.outcome === 'rolled_back' || d.rolledBackBy !== undefined) mark(d.id, 'rolled_back')
    if (d.kind === 'rollback' && d.rollbackOf !== undefined) mark(d.rollbackOf, 'rolled_back')
  }
  const causedBy = new Map<string, IncidentFact[]>()
  let caused = 0
  const firstOfSha = new Map<string, DeploymentFact>()
  for (const d of envDeployments) if (d.outcome === 'success' && d.kind !== 'rollback' && !firstOfSha.has(d.sha)) firstOfSha.set(d.sha, d)
  for (const incident of realIncidents) {
    const id = causeDeployment(incident, byId, firstOfSha)
    if (id === undefined) continue
    caused++
    mark(id, 'caused_incident')
    causedBy.set(id, [...(causedBy.get(id) ?? []), incident])
  }
  for (let i = 0; i < envDeployments.length; i++) {
    const hotfix = envDeployments[i] as DeploymentFact
    if (hotfix.kind !== 'hotfix') continue
    let latest: DeploymentFact | undefined
    let replaced: DeploymentFact | undefined
    for (let j = i - 1; j >= 0 && replaced === undefined; j--) {
      const d = envDeployments[j] as DeploymentFact
      if (d.outcome !== 'success' || d.kind === 'rollback') continue
      latest ??= d
      if (hotfix.previousSha === undefined || d.sha === hotfix.previousSha) replaced = d
    }
    mark((replaced ?? latest)?.id, 'needed_hotfix')
  }

  const failures = changesInWindow.filter((d) => reasons.has(d.id))
  const byReason: Record<FailureReason, number> = {rolled_back: 0, caused_incident: 0, needed_hotfix: 0}
  for (const d of failures) for (const r of reasons.get(d.id) as Set<FailureReason>) byReason[r]++

  // Recovery: the first healthy deployment after the failure, or the resolution of an incident it caused.
  const recovery: DoraReport['recoveryTime']['items'] = []
  const unrecovered: string[] = []
  for (const failed of failures) {
    const from = t1(failed)
    const candidates: Array<{by: string; t: number}> = []
    for (let j = (position.get(failed.id) as number) + 1; j < envDeployments.length; j++) {
      const d = envDeployments[j] as DeploymentFact
      if (t0(d) > t0(failed) && d.outcome === 'success' && !reasons.has(d.id)) {
        candidates.push({by: d.id, t: t1(d)})
        break
      }
    }
    for (const incident of causedBy.get(failed.id) ?? []) if (incident.resolvedAt) candidates.push({by: incident.id, t: Date.parse(incident.resolvedAt)})
    const first = candidates.filter((c) => c.t >= from).sort((a, b) => a.t - b.t)[0]
    if (first) recovery.push({id: failed.id, recoveredBy: first.by, ms: first.t - from})
    else unrecovered.push(failed.id)
  }

  // Lead time: the commits each successful change deployment in the window brought there first.
  const successful = changesInWindow.filter((d) => d.outcome === 'success')
  const fromCommit: number[] = []
  const fromMerge: number[] = []
  const weeklyLead: number[][] = Array.from({length: weeks}, () => [])
  let leadDeployments = 0
  for (const d of successful) {
    const commits = input.changes?.get(d.id)
    if (!commits || commits.length === 0) continue
    leadDeployments++
    const t = t1(d)
    for (const c of commits) {
      const lead = Math.max(0, t - c.authoredAt)
      fromCommit.push(lead)
      fromMerge.push(Math.max(0, t - c.mergedAt))
      weeklyLead[weekOf(t0(d))]!.push(lead)
    }
  }

  const rework = windowed.filter((d) => d.kind === 'emergency' || d.kind === 'hotfix' || d.kind === 'rollback')
  const byKind: Partial<Record<DeploymentKind, number>> = {}
  for (const d of rework) byKind[d.kind] = (byKind[d.kind] ?? 0) + 1

  const weekly = (list: DeploymentFact[]) => {
    const counts = new Array<number>(weeks).fill(0)
    for (const d of list) counts[weekOf(t0(d))]!++
    return counts
  }
  const ratio = (num: number[], den: number[]) => num.map((n, i) => ((den[i] as number) > 0 ? round3(n / (den[i] as number)) : null))
  const weeklyRecovery: number[][] = Array.from({length: weeks}, () => [])
  for (const r of recovery) weeklyRecovery[weekOf(t0(byId.get(r.id) as DeploymentFact))]!.push(r.ms)

  const perDay = successful.length / days
  const rate = changesInWindow.length > 0 ? failures.length / changesInWindow.length : undefined
  const leadMedian = median(fromCommit)
  const recoveryMedian = median(recovery.map((r) => r.ms))

  const incidentsInWindow = relevantIncidents.filter((i) => inWindow(Date.parse(i.declaredAt)))
  const withoutCause = incidentsInWindow.filter((i) => i.cause === undefined || (i.cause.deployment === undefined && i.cause.sha === undefined)).length
  const notes: string[] = []
  if (withoutCause > 0) notes.push(`${withoutCause} of ${incidentsInWindow.length} incidents in the window have no recorded cause (flow incident cause): they count toward no deployment, so the change failure rate may be low.`)
  if (drills > 0) notes.push(`${drills} drill incident${drills === 1 ? '' : 's'} left out.`)
  const unknownLead = successful.length - leadDeployments
  if (input.changes !== undefined && unknownLead > 0) notes.push(`${unknownLead} successful deployment${unknownLead === 1 ? '' : 's'} brought no commit that git could place (sha not in this clone, a redeploy, or no earlier deployment to measure from).`)
  if (input.changes === undefined) notes.push('Lead time needs git history; none was read.')

  return {
    environment: input.environment,
    ...(input.service === undefined ? {} : {service: input.service}),
    window: {start: input.window.start, end: input.window.end, days: round3(days), weeks},
    weekStarts,
    definitions: DORA_DEFINITIONS,
    deploymentFrequency: {
      sample: successful.length,
      successful: successful.length,
      perDay: round3(perDay),
      perWeek: round3(perDay * 7),
      weekly: weekly(successful),
      band: band(successful.length, MIN_SAMPLES.deployments, 'deployments', (s) => frequencyBand(s, perDay)),
    },
    leadTime: {
      sample: fromCommit.length,
      deployments: leadDeployments,
      fromCommit: spread(fromCommit),
      fromMerge: spread(fromMerge),
      weeklyMedian: weeklyLead.map((l) => median(l) ?? null),
      distribution: LEAD_BUCKETS.map(([label, lo, hi]) => ({label, count: fromCommit.filter((v) => v >= lo && v < hi).length})),
      band: band(fromCommit.length, MIN_SAMPLES.commits, 'commits', leadMedian === undefined ? undefined : (s) => durationBand(s.leadTime, leadMedian / MS.hour)),
    },
    changeFailureRate: {
      sample: changesInWindow.length,
      failed: failures.length,
      ...(rate === undefined ? {} : {rate: round3(rate)}),
      byReason,
      failures: failures.map((d) => ({id: d.id, sha: d.sha, at: d.startedAt, reasons: [...(reasons.get(d.id) as Set<FailureReason>)].sort()})),
      weekly: ratio(weekly(failures), weekly(changesInWindow)),
      band: band(changesInWindow.length, MIN_SAMPLES.deployments, 'deployments', rate === undefined ? undefined : (s) => failureRateBand(s, rate)),
    },
    recoveryTime: {
      sample: failures.length,
      recovered: recovery.length,
      unrecovered,
      ...(recoveryMedian === undefined ? {} : {median: recoveryMedian}),
      items: recovery,
      weekly: weeklyRecovery.map((l) => median(l) ?? null),
      band: band(recovery.length, MIN_SAMPLES.failures, 'recovered failures', recoveryMedian === undefined ? undefined : (s) => durationBand(s.recoveryTime, recoveryMedian / MS.hour)),
    },
    reworkRate: {
      sample: windowed.length,
      rework: rework.length,
      ...(windowed.length > 0 ? {rate: round3(rework.length / windowed.length)} : {}),
      byKind,
      weekly: ratio(weekly(rework), weekly(windowed)),
    },
    incidents: {inWindow: incidentsInWindow.length, drillsExcluded: drills, withoutCause, causedByDeployment: caused},
    notes,
  }
}

/** Buckets of the lead time distribution (from commit): the DORA cluster boundaries. */
const LEAD_BUCKETS: Array<[string, number, number]> = [
  ['< 1 hour', 0, MS.hour],
  ['1 hour – 1 day', MS.hour, MS.day],
  ['1 day – 1 week', MS.day, MS.week],
  ['1 week – 1 month', MS.week, 30 * MS.day],
  ['> 1 month', 30 * MS.day, Number.POSITIVE_INFINITY],
]

function spread(values: number[]): Spread {
  const m = median(values)
  const p = percentile(values, 90)
  return {...(m === undefined ? {} : {median: m}), ...(p === undefined ? {} : {p90: p})}
}

/** The deployment an incident's explicit cause names: by id, or the first successful deployment of the cause's sha. */
export function causeDeployment(incident: IncidentFact, byId: ReadonlyMap<string, DeploymentFact>, firstOfSha: ReadonlyMap<string, DeploymentFact>): string | undefined {
  const cause = incident.cause
  if (!cause) return undefined
  if (cause.deployment !== undefined) return byId.has(cause.deployment) ? cause.deployment : undefined
  if (cause.sha === undefined) return undefined
  const exact = firstOfSha.get(cause.sha)
  if (exact || cause.sha.length < 7) return exact?.id
  // An abbreviated sha: the earliest deployment whose sha starts with it.
  let first: DeploymentFact | undefined
  for (const [sha, d] of firstOfSha) if (sha.startsWith(cause.sha) && (first === undefined || Date.parse(d.startedAt) < Date.parse(first.startedAt))) first = d
  return first?.id
}
