import type {RecordEvent} from '../ports.js'
import {resolveNumbers, type NumberedRecord, type Numbering} from '../records/numbering.js'
import {CHANGES_COLLECTION} from '../records/facts.js'
import type {RiskAssessment} from './risk.js'

/** The three change types of ITIL / ServiceNow. */
export type ChangeType = 'standard' | 'normal' | 'emergency'
/** How a change ended. */
export type CloseCode = 'successful' | 'issues' | 'failed'
/** Where a change stands. */
export type ChangeStatus = 'open' | 'closed' | 'withdrawn'

/** The record id of a change (`CHG-3`). */
export const changeId = (n: number): string => `CHG-${n}`

/** What a change is about: a branch (and its pull request, when one is open), a pull request, or a deployment. */
export interface ChangeBinding {
  kind: 'branch' | 'pull-request' | 'deployment'
  branch?: string
  /** What the branch is compared with for the diff. */
  base?: string
  pullRequest?: number
  pullRequestUrl?: string
  deployment?: string
  /** The commit the change was raised for. */
  sha?: string
}

/** A planned window, ISO-8601 start and end. */
export interface ChangeWindow {
  start: string
  end: string
}

/** One person's decision on a change. */
export interface ChangeDecision {
  /** Git identity (email) of who decided, or the forge login. */
  by: string
  /** The forge login when the decision is a pull request review. */
  login?: string
  decision: 'approved' | 'rejected'
  at: string
  comment?: string
  /** The commit the decision was made on. */
  sha?: string
  via: 'local' | 'github'
  reviewId?: string | number
}

/** A check of the change as it was recorded. */
export interface RecordedCheck {
  at: string
  by?: string
  ok: boolean
  reasons: string[]
  sha?: string
  approvals: {required: number; given: Array<{by: string; at: string; via: string}>}
  gates: GateEvidence[]
  risk?: {score: number; approvals: number}
}

/** One gate result as evidence. */
export interface GateEvidence {
  name: string
  status: string
  at?: string
  sha?: string
}

/** A change request, folded from its events. */
export interface Change {
  id: string
  number: number
  type: ChangeType
  title: string
  description?: string
  impact?: string
  testPlan?: string
  backout?: string
  window?: ChangeWindow
  environments: string[]
  services: string[]
  binding: ChangeBinding
  /** Who asked (git identity). */
  author: string
  createdAt: string
  template?: string
  /** A standard change that matched its template needs no approval. */
  preApproved: boolean
  status: ChangeStatus
  /** The risk computed when the change was raised (`flow change risk` recomputes it). */
  risk?: RiskAssessment
  decisions: ChangeDecision[]
  /** Each override; from `flow change implement`, also the deployment's environment and sha and what it overrode. */
  breakGlass: Array<{reason: string; at: string; by: string; environment?: string; sha?: string; overrode?: string[]}>
  /** Emergency changes and break-glass overrides are reviewed after the fact. */
  reviewAfter: boolean
  checks: RecordedCheck[]
  closed?: {code: CloseCode; at: string; by: string; comment?: string}
  followUp?: {number: number; url: string; title: string}
}

type Data = Record<string, unknown>
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [])

/** True for the event that creates a change record. */
export const isChangeRoot = (event: RecordEvent): boolean => event.type === 'created'

/** Folds the events of one change (its number already resolved); undefined when it was never created. */
export function foldChange(number: number, events: readonly RecordEvent[]): Change | undefined {
  const created = events.find(isChangeRoot)
  if (!created) return undefined
  const d = created.data as Data
  const type = (['standard', 'normal', 'emergency'].includes(String(d.type)) ? d.type : 'normal') as ChangeType
  const change: Change = {
    id: changeId(number),
    number,
    type,
    title: str(d.title) ?? '',
    ...(str(d.description) ? {description: str(d.description)} : {}),
    ...(str(d.impact) ? {impact: str(d.impact)} : {}),
    ...(str(d.testPlan) ? {testPlan: str(d.testPlan)} : {}),
    ...(str(d.backout) ? {backout: str(d.backout)} : {}),
    ...(isWindow(d.window) ? {window: d.window} : {}),
    environments: strings(d.environments),
    services: strings(d.services),
    binding: (d.binding as ChangeBinding | undefined) ?? {kind: 'branch'},
    author: str(d.author) ?? created.actor ?? 'unknown',
    createdAt: created.at,
    ...(str(d.template) ? {template: str(d.template)} : {}),
    preApproved: d.preApproved === true,
    status: 'open',
    ...(d.risk ? {risk: d.risk as RiskAssessment} : {}),
    decisions: [],
    breakGlass: [],
    reviewAfter: typeof d.reviewAfter === 'boolean' ? d.reviewAfter : type === 'emergency',
    checks: [],
  }
  if (str(d.breakGlass)) {
    change.breakGlass.push({reason: str(d.breakGlass)!, at: created.at, by: change.author})
    change.reviewAfter = true
  }
  for (const event of events) {
    if (event === created) continue
    const e = event.data as Data
    switch (event.type) {
      case 'decided':
        change.decisions.push(e.decision as ChangeDecision)
        break
      case 'break-glass':
        change.breakGlass.push({
          reason: str(e.reason) ?? '', at: event.at, by: str(e.by) ?? event.actor ?? 'unknown',
          ...(str(e.environment) ? {environment: str(e.environment)} : {}), ...(str(e.sha) ? {sha: str(e.sha)} : {}),
          ...(strings(e.overrode).length > 0 ? {overrode: strings(e.overrode)} : {}),
        })
        change.reviewAfter = true
        break
      case 'checked':
        change.checks.push(e.check as RecordedCheck)
        break
      case 'risk-assessed':
        change.risk = e.risk as RiskAssessment
        break
      case 'closed':
        change.status = 'closed'
        change.closed = {code: e.code as CloseCode, at: event.at, by: str(e.by) ?? event.actor ?? 'unknown', ...(str(e.comment) ? {comment: str(e.comment)} : {})}
        break
      case 'withdrawn':
        change.status = 'withdrawn'
        break
      case 'follow-up':
        change.followUp = {number: Number(e.number), url: str(e.url) ?? '', title: str(e.title) ?? ''}
        break
    }
  }
  return change
}

function isWindow(v: unknown): v is ChangeWindow {
  return typeof v === 'object' && v !== null && typeof (v as Data).start === 'string' && typeof (v as Data).end === 'string'
}

/** Each person's latest decision (a later approval replaces an earlier rejection, and the other way round). */
export function latestDecisions(decisions: readonly ChangeDecision[]): ChangeDecision[] {
  const byPerson = new Map<string, ChangeDecision>()
  for (const d of decisions) byPerson.set(d.login ?? d.by, d)
  return [...byPerson.values()]
}

/** Every change record, numbers resolved the way every clone resolves them. */
export function numberChanges(records: ReadonlyMap<string, readonly RecordEvent[]>): Numbering {
  return resolveNumbers([{collection: CHANGES_COLLECTION, records}], isChangeRoot)
}

/** Every change, folded, newest first. */
export function foldAll(numbering: Numbering): Array<{change: Change; record: NumberedRecord}> {
  const out: Array<{change: Change; record: NumberedRecord}> = []
  for (const record of numbering.records) {
    const change = foldChange(record.number, record.events)
    if (change) out.push({change, record})
  }
  return out.sort((a, b) => b.change.number - a.change.number)
}
