/** Incident response figures (flow metrics incidents), as a pure function over the incident read model. */
import type {IncidentFact} from '../records/facts.js'
import type {MetricsWindow, Spread} from './dora.js'
import {between, median, percentile} from './stats.js'

/** Everything computeIncidentMetrics reads. */
export interface IncidentMetricsInput {
  incidents: readonly IncidentFact[]
  window: MetricsWindow
  service?: string
  /** Severities whose incidents need a postmortem (flow.yml incidents.severities.*.postmortem: required). */
  postmortemRequired?: readonly string[]
  /** Severities in flow.yml order, most severe first, so counts list in that order. */
  severityOrder?: readonly string[]
}

/** A duration figure with its sample. */
export interface TimedFigure extends Spread {
  sample: number
}

/** The incident report (the --json document of flow metrics incidents). */
export interface IncidentReport {
  window: MetricsWindow
  service?: string
  definitions: Record<'timeToAcknowledge' | 'timeToMitigate' | 'timeToResolve' | 'postmortemLag', string>
  total: number
  open: number
  drillsExcluded: number
  bySeverity: Record<string, number>
  byService: Record<string, number>
  timeToAcknowledge: TimedFigure
  timeToMitigate: TimedFigure
  timeToResolve: TimedFigure
  followUps: {total: number; done: number; rate?: number}
  postmortems: {lag: TimedFigure; written: number; missing: string[]}
  withoutCause: number
  notes: string[]
}

/** What each duration measures. */
export const INCIDENT_DEFINITIONS: IncidentReport['definitions'] = {
  timeToAcknowledge: 'From detection (or the declaration, when no detection time was recorded) to acknowledgement.',
  timeToMitigate: 'From the start of impact (else detection, else declaration) to mitigation.',
  timeToResolve: 'From the start of impact (else detection, else declaration) to resolution.',
  postmortemLag: 'From resolution to the postmortem being recorded.',
}

function figure(values: number[]): TimedFigure {
  const m = median(values)
  const p = percentile(values, 90)
  return {sample: values.length, ...(m === undefined ? {} : {median: m}), ...(p === undefined ? {} : {p90: p})}
}

const positive = (ms: number | undefined): ms is number => ms !== undefined && ms >= 0

/** Counts and response times of the real incidents declared in the window (drills left out). */
export function computeIncidentMetrics(input: IncidentMetricsInput): IncidentReport {
  const start = Date.parse(input.window.start)
  const end = Date.parse(input.window.end)
  const inWindow = (i: IncidentFact) => {
    const t = Date.parse(i.declaredAt)
    return t >= start && t < end && (input.service === undefined || i.services.includes(input.service))
  }
  const all = input.incidents.filter(inWindow)
  const drills = all.filter((i) => i.drill).length
  const real = all.filter((i) => !i.drill)

  const bySeverity: Record<string, number> = {}
  for (const s of input.severityOrder ?? []) bySeverity[s] = 0
  const byService: Record<string, number> = {}
  for (const i of real) {
    bySeverity[i.severity] = (bySeverity[i.severity] ?? 0) + 1
    for (const s of i.services.length > 0 ? i.services : ['(none)']) byService[s] = (byService[s] ?? 0) + 1
  }
  const detected = (i: IncidentFact) => i.detectedAt ?? i.declaredAt
  const impact = (i: IncidentFact) => i.impactStartedAt ?? i.detectedAt ?? i.declaredAt
  const followUps = real.flatMap((i) => i.followUps)
  const done = followUps.filter((f) => f.done).length
  const required = new Set(input.postmortemRequired ?? [])
  const resolved = real.filter((i) => i.resolvedAt !== undefined)
  const missing = resolved.filter((i) => required.has(i.severity) && i.postmortem === undefined).map((i) => i.id)
  const withoutCause = real.filter((i) => i.cause?.deployment === undefined && i.cause?.sha === undefined).length

  const notes: string[] = []
  if (drills > 0) notes.push(`${drills} drill${drills === 1 ? '' : 's'} left out.`)
  if (withoutCause > 0) notes.push(`${withoutCause} of ${real.length} incidents have no recorded cause (flow incident cause).`)
  if (missing.length > 0) notes.push(`Postmortems required but not recorded: ${missing.join(', ')}.`)

  return {
    window: input.window,
    ...(input.service === undefined ? {} : {service: input.service}),
    definitions: INCIDENT_DEFINITIONS,
    total: real.length,
    open: real.filter((i) => i.status !== 'resolved' && i.status !== 'closed').length,
    drillsExcluded: drills,
    bySeverity,
    byService,
    timeToAcknowledge: figure(real.map((i) => between(detected(i), i.acknowledgedAt)).filter(positive)),
    timeToMitigate: figure(real.map((i) => between(impact(i), i.mitigatedAt)).filter(positive)),
    timeToResolve: figure(real.map((i) => between(impact(i), i.resolvedAt)).filter(positive)),
    followUps: {total: followUps.length, done, ...(followUps.length > 0 ? {rate: Math.round((done / followUps.length) * 1000) / 1000} : {})},
    postmortems: {lag: figure(resolved.map((i) => between(i.resolvedAt, i.postmortem?.at)).filter(positive)), written: real.filter((i) => i.postmortem).length, missing},
    withoutCause,
    notes,
  }
}
