/**
 * Service level objectives and error budgets, from flow's own records: downtime is the union of the impact windows
 * of a service's incidents (drills excluded) and the spans in which a deployment's health checks failed.
 */
import type {DeploymentFact, IncidentFact} from '../records/facts.js'

/** A span of downtime, in epoch milliseconds, with what caused it. */
export interface DowntimeSpan {
  start: number
  end: number
  source: string
}

/** The SLO settings of one service, as flow.yml holds them (after defaults). */
export interface SloSettings {
  target: number
  windowMs: number
}

/** Where one service stands against its SLO. */
export interface SloStatus {
  service: string
  /** Target availability, percent. */
  target: number
  window: {start: string; end: string; ms: number}
  /** `downtime`: from incidents and health checks; `events`: good over total from the SLO's source command. */
  basis: 'downtime' | 'events'
  /** Measured availability over the window, percent. */
  availability: number
  /** Downtime in the window after overlapping spans are merged (basis downtime). */
  downtimeMs?: number
  /** Allowed downtime (or bad events) over the window, and what is left of it as a share (may go below 0). */
  budgetMs?: number
  budgetEvents?: number
  badEvents?: number
  budgetLeft: number
  /** How fast the budget burns: the error rate over the allowed rate, over the whole window and the last day (1 = spending it exactly by the window's end). */
  burnRate: number
  burnRateLastDay?: number
  exhausted: boolean
  /** When the budget is spent: until when, if nothing else fails (undefined while downtime is still going on). */
  exhaustedUntil?: string
  /** Downtime that has not ended (an open incident): the budget keeps burning. */
  ongoing: boolean
  spans: Array<{start: string; end: string; source: string}>
}

/** The impact window of an incident: impact start (or detection, or declaration) to mitigation (or resolution, or now). */
export function incidentSpan(incident: IncidentFact, now: number): DowntimeSpan | undefined {
  const start = Date.parse(incident.impactStartedAt ?? incident.detectedAt ?? incident.declaredAt)
  const endText = incident.mitigatedAt ?? incident.resolvedAt ?? incident.closedAt
  const end = endText ? Date.parse(endText) : now
  if (Number.isNaN(start) || Number.isNaN(end) || end <= start) return undefined
  return {start, end, source: incident.id}
}

/**
 * The spans in which a deployment's health checks failed: from each failed sample to the next passing one (or to
 * the deployment's end, when nothing passed after it).
 */
export function healthSpans(deployment: DeploymentFact, now: number): DowntimeSpan[] {
  const samples = [...deployment.health].map((h) => ({...h, t: Date.parse(h.at)})).filter((h) => !Number.isNaN(h.t)).sort((a, b) => a.t - b.t)
  const spans: DowntimeSpan[] = []
  let failingSince: number | undefined
  for (const sample of samples) {
    if (!sample.ok && failingSince === undefined) failingSince = sample.t
    if (sample.ok && failingSince !== undefined) {
      if (sample.t > failingSince) spans.push({start: failingSince, end: sample.t, source: deployment.id})
      failingSince = undefined
    }
  }
  if (failingSince !== undefined) {
    const finished = deployment.finishedAt ? Date.parse(deployment.finishedAt) : now
    const end = Math.max(finished, failingSince)
    if (end > failingSince) spans.push({start: failingSince, end, source: deployment.id})
  }
  return spans
}

/** Merges overlapping spans so no minute counts twice; sources joined. */
export function mergeSpans(spans: readonly DowntimeSpan[]): DowntimeSpan[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || a.end - b.end)
  const merged: DowntimeSpan[] = []
  for (const span of sorted) {
    const last = merged.at(-1)
    if (last && span.start <= last.end) {
      last.end = Math.max(last.end, span.end)
      if (!last.source.split(', ').includes(span.source)) last.source = `${last.source}, ${span.source}`
    } else merged.push({...span})
  }
  return merged
}

/** The downtime of merged spans that falls inside [from, to]. */
export function downtimeWithin(spans: readonly DowntimeSpan[], from: number, to: number): number {
  let total = 0
  for (const s of spans) total += Math.max(0, Math.min(s.end, to) - Math.max(s.start, from))
  return total
}

/** The downtime spans of one service: its incidents' impact and the failed health checks of deployments of it. */
export function serviceDowntime(service: string, facts: {deployments: readonly DeploymentFact[]; incidents: readonly IncidentFact[]}, now: number): DowntimeSpan[] {
  const spans: DowntimeSpan[] = []
  for (const incident of facts.incidents) {
    if (incident.drill || !incident.services.includes(service)) continue
    const span = incidentSpan(incident, now)
    if (span) spans.push(span)
  }
  for (const deployment of facts.deployments) if (deployment.services.includes(service)) spans.push(...healthSpans(deployment, now))
  return mergeSpans(spans)
}

const DAY = 86_400_000

/**
 * When a spent budget is whole again if no new downtime comes: the first moment t at which the downtime in
 * [t - window, t] fits the budget (found by bisection: that downtime only shrinks as t moves on).
 */
export function budgetRecoversAt(spans: readonly DowntimeSpan[], windowMs: number, budgetMs: number, now: number): number {
  let lo = now
  let hi = now + windowMs
  if (downtimeWithin(spans, lo - windowMs, lo) <= budgetMs) return now
  for (let i = 0; i < 64 && hi - lo > 1; i++) {
    const mid = Math.floor((lo + hi) / 2)
    if (downtimeWithin(spans, mid - windowMs, mid) <= budgetMs) hi = mid
    else lo = mid
  }
  return hi
}

/** Where a service stands, from downtime. */
export function downtimeStatus(service: string, slo: SloSettings, spans: readonly DowntimeSpan[], now: number): SloStatus {
  const start = now - slo.windowMs
  const inWindow = spans.filter((s) => s.end > start && s.start < now)
  const downtimeMs = downtimeWithin(inWindow, start, now)
  const allowedRate = 1 - slo.target / 100
  const budgetMs = Math.round(allowedRate * slo.windowMs)
  const errorRate = downtimeMs / slo.windowMs
  const lastDay = downtimeWithin(inWindow, now - DAY, now) / Math.min(DAY, slo.windowMs)
  const ongoing = inWindow.some((s) => s.end >= now)
  const exhausted = downtimeMs > budgetMs
  const recovers = exhausted && !ongoing ? budgetRecoversAt(inWindow, slo.windowMs, budgetMs, now) : undefined
  return {
    service, target: slo.target, window: {start: new Date(start).toISOString(), end: new Date(now).toISOString(), ms: slo.windowMs}, basis: 'downtime',
    availability: round((1 - errorRate) * 100, 4), downtimeMs, budgetMs, budgetLeft: round(budgetMs === 0 ? (downtimeMs > 0 ? -1 : 1) : 1 - downtimeMs / budgetMs, 4),
    burnRate: round(allowedRate === 0 ? 0 : errorRate / allowedRate, 3), burnRateLastDay: round(allowedRate === 0 ? 0 : lastDay / allowedRate, 3),
    exhausted, ...(recovers === undefined ? {} : {exhaustedUntil: new Date(recovers).toISOString()}), ongoing,
    spans: inWindow.map((s) => ({start: new Date(Math.max(s.start, start)).toISOString(), end: new Date(s.end).toISOString(), source: s.source})),
  }
}

/** Where a service stands, from good and total events printed by its SLO's source command. */
export function eventStatus(service: string, slo: SloSettings, counts: {good: number; total: number}, now: number): SloStatus {
  const bad = Math.max(0, counts.total - counts.good)
  const allowedRate = 1 - slo.target / 100
  const budgetEvents = allowedRate * counts.total
  const errorRate = counts.total === 0 ? 0 : bad / counts.total
  return {
    service, target: slo.target, window: {start: new Date(now - slo.windowMs).toISOString(), end: new Date(now).toISOString(), ms: slo.windowMs}, basis: 'events',
    availability: round((1 - errorRate) * 100, 4), budgetEvents: round(budgetEvents, 2), badEvents: bad,
    budgetLeft: round(budgetEvents === 0 ? (bad > 0 ? -1 : 1) : 1 - bad / budgetEvents, 4), burnRate: round(allowedRate === 0 ? 0 : errorRate / allowedRate, 3),
    exhausted: bad > budgetEvents, ongoing: false, spans: [],
  }
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits

/** A deployment as the error-budget policy sees it. */
export interface BudgetedDeployment {
  environment: string
  services: string[]
  kind: DeploymentFact['kind']
  /** Conventional types of the commits it brings (since the sha deployed before). */
  commitTypes: string[]
}

/** The error-budget policy of one service (flow.yml services.<name>.slo, after defaults). */
export interface BudgetPolicy {
  when_exhausted: 'freeze' | 'warn'
  freeze_environments: string[]
  allow: {commit_types: string[]; kinds: Array<'rollback' | 'hotfix'>}
}

/** What the policy says about a deployment: refusals (freeze), warnings, and exceptions that let it through. */
export interface BudgetVerdict {
  refusals: Array<{code: 'ERROR_BUDGET_SPENT'; service: string; message: string}>
  warnings: string[]
  allowedBecause: string[]
}

/** Applies each affected service's error-budget policy to a deployment. */
export function budgetVerdict(deployment: BudgetedDeployment, services: ReadonlyArray<{status: SloStatus; policy: BudgetPolicy}>, productionEnv: string): BudgetVerdict {
  const verdict: BudgetVerdict = {refusals: [], warnings: [], allowedBecause: []}
  for (const {status, policy} of services) {
    if (!status.exhausted || !deployment.services.includes(status.service)) continue
    const frozen = policy.freeze_environments.length > 0 ? policy.freeze_environments : [productionEnv]
    if (!frozen.includes(deployment.environment)) continue
    const until = status.ongoing ? 'until the downtime now going on ends and enough of it leaves the window' : status.exhaustedUntil ? `until ${status.exhaustedUntil}` : 'until the budget recovers'
    const spent = `the error budget of ${status.service} is spent (availability ${status.availability}% < ${status.target}% over ${Math.round(status.window.ms / DAY)}d, ${Math.round((1 - status.budgetLeft) * 100)}% of the budget used)`
    if (policy.when_exhausted === 'warn') {
      verdict.warnings.push(`${spent}; the policy only warns`)
      continue
    }
    const kindAllowed = (policy.allow.kinds as string[]).includes(deployment.kind)
    const fixesOnly = deployment.commitTypes.length > 0 && deployment.commitTypes.every((t) => policy.allow.commit_types.includes(t))
    if (kindAllowed) verdict.allowedBecause.push(`${spent}, but a ${deployment.kind} is allowed by the policy`)
    else if (fixesOnly) verdict.allowedBecause.push(`${spent}, but every new commit is a ${[...new Set(deployment.commitTypes)].join('/')} (allowed by the policy)`)
    else verdict.refusals.push({code: 'ERROR_BUDGET_SPENT', service: status.service, message: `${spent}: deployments to ${deployment.environment} are frozen ${until}`})
  }
  return verdict
}
