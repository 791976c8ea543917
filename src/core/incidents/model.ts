import type {RecordEvent} from '../ports.js'
import type {IncidentFact, IncidentStatus} from '../records/facts.js'
import type {NumberedRecord} from '../records/numbering.js'

/** The record id of incident number n (`INC-7`). */
export const incidentId = (n: number): string => `INC-${n}`

/** The event that creates an incident (its root: later events name its id in `data.root`). */
export const DECLARED = 'declared'

/** Event types that are bookkeeping of flow itself (notify runs, forge mirroring), left out of timelines. */
export const INTERNAL_EVENTS = new Set(['notified', 'mirrored', 'mirror-commented'])

/** The order of the lifecycle states. */
export const STATUS_ORDER: IncidentStatus[] = ['investigating', 'identified', 'mitigated', 'resolved', 'closed']

/** One follow-up of an incident, with the key of the event that added it (how `done` names it). */
export interface FollowUp {
  key: string
  title: string
  done: boolean
  url?: string
  issue?: number
}

/** One line of an incident's timeline, in time order. */
export interface IncidentTimelineEntry {
  at: string
  type: string
  actor?: string
  summary: string
}

/** An incident folded from its events: the shared fact plus what the incident commands need. */
export interface IncidentView extends IncidentFact {
  number: number
  /** The directory its events are appended to (`INC-n` as its creator numbered it). */
  recordId: string
  /** The id of its `declared` event; every later event names it in `data.root`. */
  rootId: string
  /** The declare run's key (idempotence of the declare steps). */
  key?: string
  commander?: string
  roles: Record<string, string>
  /** The time of the last status update (or of the declaration). */
  lastUpdateAt: string
  updates: number
  notes: number
  /** The GitHub issue the incident is mirrored to. */
  mirror?: {issue: number; url: string}
  /** Keys of events already written (steps check them to never write twice). */
  keys: Set<string>
  /** Keys of events already mirrored as comments. */
  mirroredKeys: Set<string>
  /** Keys of notify runs already done. */
  notifiedKeys: Set<string>
  followUpList: FollowUp[]
  timeline: IncidentTimelineEntry[]
}

type Data = Record<string, unknown>
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [])

/** Events in the order they happened: by time, then by id (write order), so merged clones agree. */
export function byTime<E extends {at: string; id: string}>(events: readonly E[]): E[] {
  const seen = new Set<string>()
  return events
    .filter((e) => (seen.has(e.id) ? false : (seen.add(e.id), true)))
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

const later = (a: string | undefined, b: string) => (a === undefined || b > a ? b : a)

/** One line for a timeline entry. */
export function describeEvent(event: RecordEvent): string {
  const d = (event.data ?? {}) as Data
  switch (event.type) {
    case DECLARED: return `Declared ${str(d.severity) ?? ''} "${str(d.title) ?? ''}"${d.drill === true ? ' (drill)' : ''}${str(d.commander) ? `, commander ${str(d.commander)}` : ''}`
    case 'acknowledged': return 'Acknowledged'
    case 'note': return `Note: ${str(d.text) ?? ''}`
    case 'update': return `Status update${str(d.status) ? ` (${str(d.status)})` : ''}: ${str(d.text) ?? ''}`
    case 'status': return `Status: ${str(d.status) ?? ''}`
    case 'role': return `${str(d.role) ?? 'role'}: ${str(d.who) ?? ''}`
    case 'cause': return `Cause: ${str(d.deployment) ?? ''}${str(d.deployment) && str(d.sha) ? ' ' : ''}${str(d.sha) ? `commit ${str(d.sha)!.slice(0, 12)}` : ''}`
    case 'resolved': return 'Resolved'
    case 'closed': return 'Closed'
    case 'follow-up': return `Follow-up: ${str(d.title) ?? ''}${str(d.url) ? ` (${str(d.url)})` : ''}`
    case 'follow-up-done': return `Follow-up done: ${str(d.title) ?? ''}`
    case 'postmortem': return `Postmortem drafted: ${str(d.path) ?? ''}`
    default: return event.type
  }
}

/** Folds one incident record (numbers resolved) into its view; undefined when it has no `declared` event. */
export function foldIncident(record: Pick<NumberedRecord, 'number' | 'recordId' | 'rootId' | 'events'>): IncidentView | undefined {
  const events = byTime(record.events)
  const root = events.find((e) => e.id === record.rootId && e.type === DECLARED)
  if (!root) return undefined
  const d = (root.data ?? {}) as Data
  const view: IncidentView = {
    id: incidentId(record.number),
    number: record.number,
    recordId: record.recordId,
    rootId: record.rootId,
    ...(str(d.key) ? {key: str(d.key)} : {}),
    title: str(d.title) ?? '',
    severity: str(d.severity) ?? '',
    services: strings(d.services),
    environments: strings(d.environments),
    status: 'investigating',
    drill: d.drill === true,
    ...(str(d.impactStartedAt) ? {impactStartedAt: str(d.impactStartedAt)} : {}),
    ...(str(d.detectedAt) ? {detectedAt: str(d.detectedAt)} : {}),
    declaredAt: root.at,
    followUps: [],
    roles: {},
    lastUpdateAt: root.at,
    updates: 0,
    notes: 0,
    keys: new Set(),
    mirroredKeys: new Set(),
    notifiedKeys: new Set(),
    followUpList: [],
    timeline: [],
  }
  if (str(d.commander)) {
    view.commander = str(d.commander)
    view.roles.commander = str(d.commander)!
  }
  const raise = (status: IncidentStatus) => {
    if (STATUS_ORDER.indexOf(status) > STATUS_ORDER.indexOf(view.status)) view.status = status
  }
  for (const event of events) {
    const e = (event.data ?? {}) as Data
    if (str(e.key)) view.keys.add(str(e.key)!)
    switch (event.type) {
      case 'acknowledged':
        view.acknowledgedAt ??= event.at
        break
      case 'note':
        view.notes++
        break
      case 'update':
        view.updates++
        view.lastUpdateAt = later(view.lastUpdateAt, event.at)
        if (str(e.status)) applyStatus(view, str(e.status) as IncidentStatus, event.at, raise)
        break
      case 'status':
        if (str(e.status)) applyStatus(view, str(e.status) as IncidentStatus, event.at, raise)
        break
      case 'role':
        if (str(e.role) && str(e.who)) {
          view.roles[str(e.role)!] = str(e.who)!
          if (str(e.role) === 'commander') view.commander = str(e.who)
        }
        break
      case 'cause':
        view.cause = {...(str(e.deployment) ? {deployment: str(e.deployment)} : {}), ...(str(e.sha) ? {sha: str(e.sha)} : {})}
        raise('identified')
        break
      case 'resolved':
        applyStatus(view, 'resolved', event.at, raise)
        break
      case 'closed':
        applyStatus(view, 'closed', event.at, raise)
        break
      case 'follow-up':
        view.followUpList.push({key: str(e.key) ?? event.id, title: str(e.title) ?? '', done: false, ...(str(e.url) ? {url: str(e.url)} : {}), ...(typeof e.issue === 'number' ? {issue: e.issue} : {})})
        break
      case 'follow-up-done': {
        const item = view.followUpList.find((f) => f.key === str(e.followUp))
        if (item) item.done = true
        break
      }
      case 'postmortem':
        if (str(e.path)) view.postmortem = {path: str(e.path)!, at: event.at}
        break
      case 'mirrored':
        if (typeof e.issue === 'number') view.mirror = {issue: e.issue, url: str(e.url) ?? ''}
        break
      case 'mirror-commented':
        if (str(e.event)) view.mirroredKeys.add(str(e.event)!)
        break
      case 'notified':
        if (str(e.run)) view.notifiedKeys.add(str(e.run)!)
        break
    }
  }
  view.followUps = view.followUpList.map((f) => ({title: f.title, done: f.done, ...(f.url ? {url: f.url} : {})}))
  view.timeline = timelineOf(view, events)
  return view
}

function applyStatus(view: IncidentView, status: IncidentStatus, at: string, raise: (s: IncidentStatus) => void): void {
  if (status === 'mitigated' || status === 'resolved' || status === 'closed') view.mitigatedAt ??= at
  if (status === 'resolved' || status === 'closed') view.resolvedAt ??= at
  if (status === 'closed') view.closedAt ??= at
  raise(status)
}

function timelineOf(view: IncidentView, events: RecordEvent[]): IncidentTimelineEntry[] {
  const entries: IncidentTimelineEntry[] = []
  if (view.impactStartedAt) entries.push({at: view.impactStartedAt, type: 'impact-started', summary: 'Impact started'})
  if (view.detectedAt) entries.push({at: view.detectedAt, type: 'detected', summary: 'Detected'})
  for (const event of events) {
    if (INTERNAL_EVENTS.has(event.type)) continue
    entries.push({at: event.at, type: event.type, ...(event.actor ? {actor: event.actor} : {}), summary: describeEvent(event)})
  }
  return entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
}

/** The shared read model of one incident: exactly the fields of IncidentFact. */
export function toFact(view: IncidentView): IncidentFact {
  return {
    id: view.id,
    title: view.title,
    severity: view.severity,
    services: [...view.services],
    environments: [...view.environments],
    status: view.status,
    drill: view.drill,
    ...(view.impactStartedAt ? {impactStartedAt: view.impactStartedAt} : {}),
    ...(view.detectedAt ? {detectedAt: view.detectedAt} : {}),
    declaredAt: view.declaredAt,
    ...(view.acknowledgedAt ? {acknowledgedAt: view.acknowledgedAt} : {}),
    ...(view.mitigatedAt ? {mitigatedAt: view.mitigatedAt} : {}),
    ...(view.resolvedAt ? {resolvedAt: view.resolvedAt} : {}),
    ...(view.closedAt ? {closedAt: view.closedAt} : {}),
    ...(view.cause ? {cause: {...view.cause}} : {}),
    followUps: view.followUps.map((f) => ({...f})),
    ...(view.postmortem ? {postmortem: {...view.postmortem}} : {}),
  }
}

/** Durations of an incident in whole seconds: to acknowledge (from detection), to mitigate and to resolve (from impact start). */
export interface IncidentDurations {
  timeToAcknowledge?: number
  timeToMitigate?: number
  timeToResolve?: number
}

const seconds = (from: string | undefined, to: string | undefined) =>
  from && to ? Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000)) : undefined

/**
 * TTA runs from detection (else the declaration) to acknowledgement; TTM and TTR run from impact start (else
 * detection, else the declaration) to mitigation and resolution.
 */
export function durationsOf(fact: Pick<IncidentFact, 'impactStartedAt' | 'detectedAt' | 'declaredAt' | 'acknowledgedAt' | 'mitigatedAt' | 'resolvedAt'>): IncidentDurations {
  const detected = fact.detectedAt ?? fact.declaredAt
  const start = fact.impactStartedAt ?? detected
  const out: IncidentDurations = {}
  const tta = seconds(detected, fact.acknowledgedAt)
  const ttm = seconds(start, fact.mitigatedAt)
  const ttr = seconds(start, fact.resolvedAt)
  if (tta !== undefined) out.timeToAcknowledge = tta
  if (ttm !== undefined) out.timeToMitigate = ttm
  if (ttr !== undefined) out.timeToResolve = ttr
  return out
}

/** `1h 5m`, `42s`: a duration in seconds for people. */
export function formatSeconds(total: number): string {
  if (total < 60) return `${total}s`
  const d = Math.floor(total / 86_400)
  const h = Math.floor((total % 86_400) / 3600)
  const m = Math.floor((total % 3600) / 60)
  return [d ? `${d}d` : '', h ? `${h}h` : '', m ? `${m}m` : ''].filter(Boolean).join(' ') || '0m'
}
