import type {FlowConfig} from '../config/schema.js'
import {parseDuration} from '../config/duration.js'
import type {Deps} from '../deps.js'
import {FlowError} from '../errors.js'
import type {IncidentFact} from '../records/facts.js'
import {loadIncidents, pickIncident} from './common.js'
import {checklistFor, suspectsOf, type Checklist} from './declare.js'
import {durationsOf, formatSeconds, toFact, type FollowUp, type IncidentDurations, type IncidentTimelineEntry, type IncidentView} from './model.js'
import type {Suspect} from './suspects.js'

/** Input of `flow incident list`. */
export interface ListIncidentsInput {
  /** Only incidents not resolved yet. */
  open?: boolean
  severity?: string
  /** Drills instead of real incidents (kept apart). */
  drills?: boolean
}

/** One incident in `flow incident list`. */
export interface IncidentListItem extends IncidentFact {
  durations: IncidentDurations
}

/** The result of `flow incident list` (its --json output). */
export interface IncidentList {
  drills: boolean
  incidents: IncidentListItem[]
}

/** Lists incidents, newest first: real ones, or with `drills` only the drills. */
export async function listIncidents(deps: Pick<Deps, 'records' | 'config'>, input: ListIncidentsInput): Promise<IncidentList> {
  if (input.severity !== undefined) {
    const {config} = await deps.config()
    if (!config.incidents.severities[input.severity]) {
      throw new FlowError('USAGE', `Unknown severity ${JSON.stringify(input.severity)}`, {hint: `Use one of ${Object.keys(config.incidents.severities).join(', ')} (flow.yml incidents.severities).`})
    }
  }
  const views = (await loadIncidents(deps))
    .filter((v) => v.drill === Boolean(input.drills))
    .filter((v) => !input.open || (v.status !== 'resolved' && v.status !== 'closed'))
    .filter((v) => input.severity === undefined || v.severity === input.severity)
    .sort((a, b) => b.number - a.number)
  return {drills: Boolean(input.drills), incidents: views.map((v) => ({...toFact(v), durations: durationsOf(v)}))}
}

/** The result of `flow incident show` (its --json output). */
export interface IncidentShown extends IncidentFact {
  roles: Record<string, string>
  checklist?: Checklist
  timeline: IncidentTimelineEntry[]
  durations: IncidentDurations
  openFollowUps: Array<{number: number; title: string; url?: string}>
  /** Overdue status updates and other things to act on. */
  warnings: string[]
  suspects: Suspect[]
  mirror?: {issue: number; url: string}
  lastUpdateAt: string
}

/** Why a status update is overdue, or undefined. */
export function overdueUpdate(config: FlowConfig, view: Pick<IncidentView, 'severity' | 'status' | 'lastUpdateAt' | 'id'>, now: Date): string | undefined {
  const every = config.incidents.severities[view.severity]?.update_every
  if (!every || view.status === 'resolved' || view.status === 'closed') return undefined
  const due = Date.parse(view.lastUpdateAt) + parseDuration(every)
  if (now.getTime() <= due) return undefined
  const late = formatSeconds(Math.round((now.getTime() - due) / 1000))
  return `A status update on ${view.id} is overdue by ${late} (${view.severity} asks for one every ${every}; last at ${view.lastUpdateAt}): flow incident update TEXT`
}

function numbered(list: FollowUp[]): IncidentShown['openFollowUps'] {
  return list.flatMap((f, i) => (f.done ? [] : [{number: i + 1, title: f.title, ...(f.url ? {url: f.url} : {})}]))
}

/** Shows one incident: timeline, durations, open follow-ups, and a warning when a status update is overdue. */
export async function showIncident(deps: Pick<Deps, 'records' | 'config' | 'clock' | 'git' | 'repo'>, input: {incident?: string}): Promise<IncidentShown> {
  const {config} = await deps.config()
  const view = pickIncident(await loadIncidents(deps), input.incident)
  const warnings: string[] = []
  const overdue = overdueUpdate(config, view, deps.clock.now())
  if (overdue) warnings.push(overdue)
  const required = config.incidents.severities[view.severity]?.postmortem === 'required'
  if (required && view.resolvedAt && !view.postmortem) warnings.push(`${view.severity} needs a postmortem before ${view.id} is closed: flow incident postmortem ${view.id}`)
  return {
    ...toFact(view),
    roles: view.roles,
    ...(config.incidents.severities[view.severity] ? {checklist: checklistFor(config, view.severity, view.roles)} : {}),
    timeline: view.timeline,
    durations: durationsOf(view),
    openFollowUps: numbered(view.followUpList),
    warnings,
    suspects: await suspectsOf(deps, view),
    ...(view.mirror ? {mirror: view.mirror} : {}),
    lastUpdateAt: view.lastUpdateAt,
  }
}
