import type {FlowConfig, SeverityConfig} from '../config/schema.js'
import type {Deps} from '../deps.js'
import {FlowError} from '../errors.js'
import {isOffline} from '../feature/lineage.js'
import {runPlan, type EngineDeps, type RunResult} from '../../engine/runner.js'
import type {Plan, StepSpec} from '../../engine/types.js'
import {incidentNumbering, incidentViews} from './facts.js'
import type {IncidentView} from './model.js'
import {findIncident, type IncidentRef, type MirrorCommentInput, type MirrorIssueInput, type MirrorStateInput, type NotifyInput, type PlannedEvent, type RecordInput} from './steps.js'

/** What the incident services need. */
export type IncidentDeps = EngineDeps & Pick<Deps, 'config' | 'env' | 'prompter' | 'forgeInfo' | 'yes'>

/** The engine part of a command's result. */
export interface RunInfo {
  runId: string | null
  /** True with --dry-run: nothing was recorded. */
  dryRun?: true
  steps: RunResult['steps']
}

/** Every incident, folded (drills included). */
export async function loadIncidents(deps: Pick<Deps, 'records'>): Promise<IncidentView[]> {
  return incidentViews(await incidentNumbering(await deps.records()))
}

const open = (v: IncidentView) => v.status !== 'resolved' && v.status !== 'closed'

/** The number an id names: `INC-3`, `inc-3`, `#3` or `3`. */
export function parseIncidentId(text: string): number | undefined {
  const match = /^(?:INC-|#)?(\d+)$/i.exec(text.trim())
  return match ? Number(match[1]) : undefined
}

/** The incident an id names, or (without one) the only one still open; INCIDENT_NOT_FOUND or USAGE otherwise. */
export function pickIncident(views: IncidentView[], id: string | undefined, candidate: (v: IncidentView) => boolean = open, what = 'open'): IncidentView {
  if (id !== undefined) {
    const number = parseIncidentId(id)
    const found = number === undefined ? undefined : views.find((v) => v.number === number)
    if (!found) {
      throw new FlowError('INCIDENT_NOT_FOUND', `No incident ${JSON.stringify(id)} in the records`, {
        hint: 'flow incident list --all shows every incident (--drills the drills); flow records sync fetches those of others.',
      })
    }
    return found
  }
  const candidates = views.filter(candidate)
  if (candidates.length === 1) return candidates[0]!
  if (candidates.length === 0) throw new FlowError('INCIDENT_NOT_FOUND', `No incident is ${what}`, {hint: 'Pass --incident ID (flow incident list shows them), or declare one with flow incident declare TITLE --sev S.'})
  throw new FlowError('USAGE', `${candidates.length} incidents are ${what} (${candidates.map((c) => c.id).join(', ')}): which one?`, {hint: 'Pass --incident ID.'})
}

/** The severity's configuration; USAGE with the known ones otherwise. */
export function severityOf(config: FlowConfig, name: string): SeverityConfig {
  const found = config.incidents.severities[name]
  if (!found) {
    const known = Object.keys(config.incidents.severities)
    throw new FlowError('USAGE', `Unknown severity ${JSON.stringify(name)}`, {hint: `Use one of ${known.join(', ')} (flow.yml incidents.severities).`})
  }
  return found
}

/** The labels of an incident's GitHub issue. */
export function issueLabels(view: Pick<IncidentView, 'severity' | 'drill'>): string[] {
  return ['incident', `sev:${view.severity}`, ...(view.drill ? ['drill'] : [])]
}

/**
 * True when records are mirrored to GitHub: the forge is GitHub and FLOW_OFFLINE is not set. A GitHub forge with a
 * problem (no token) still mirrors: its step pauses with the reason, and flow continue finishes it once fixed.
 */
export async function mirrors(deps: Pick<Deps, 'forgeInfo' | 'env'>): Promise<boolean> {
  if (isOffline(deps.env)) return false
  return (await deps.forgeInfo()).kind === 'github'
}

/** Values a notify command gets. */
export interface NotifyValues {
  id: string
  severity: string
  title: string
  status: string
  event: string
  text: string
  drill: string
}

const PLACEHOLDER = /\{(id|severity|title|status|event|text|drill)\}/g

/**
 * The steps that run flow.yml's notify commands. In an argv command each placeholder is filled inside its own
 * argument (never through a shell); a string command (run by the user's shell) gets `"$FLOW_INCIDENT_<NAME>"`
 * in place of each placeholder, the value itself travelling in the environment.
 */
export function notifySteps(config: FlowConfig, ref: IncidentRef, runKey: string, values: NotifyValues): StepSpec[] {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(values)) env[`FLOW_INCIDENT_${k.toUpperCase()}`] = v
  return config.incidents.notify.map((command, i) => {
    const filled = typeof command === 'string'
      ? command.replace(PLACEHOLDER, (_, name: string) => `"$FLOW_INCIDENT_${name.toUpperCase()}"`)
      : command.map((arg) => arg.replace(PLACEHOLDER, (_, name: keyof NotifyValues) => values[name]))
    const display = typeof command === 'string' ? command : command.join(' ')
    return {kind: 'incident.notify', input: {ref, run: `${runKey}#${i}`, command: filled, env, display} satisfies NotifyInput}
  })
}

/** The steps that mirror one action to GitHub: the issue (made if missing), the comment, then the state. */
export function mirrorSteps(view: Pick<IncidentView, 'id' | 'title' | 'severity' | 'drill' | 'key'> & {ref: IncidentRef; body: string}, comment: {event: string; body: string} | undefined, state: 'open' | 'closed'): StepSpec[] {
  const labels = issueLabels(view)
  const steps: StepSpec[] = []
  if (view.key) steps.push({kind: 'incident.mirrorIssue', input: {ref: view.ref, marker: view.key, title: `${view.id}: ${view.title}`, body: view.body, labels} satisfies MirrorIssueInput})
  if (comment) steps.push({kind: 'incident.mirrorComment', input: {ref: view.ref, event: comment.event, body: comment.body} satisfies MirrorCommentInput})
  steps.push({kind: 'incident.mirrorState', input: {ref: view.ref, state, labels} satisfies MirrorStateInput})
  return steps
}

/** What one lifecycle action writes. */
export interface Action {
  command: string
  inputs: Record<string, unknown>
  describe: string
  events: PlannedEvent[]
  /** The event name notify commands get (none: no notification). */
  notify?: string
  /** Free text for notify commands and the mirrored comment. */
  text?: string
  /** The comment mirrored to GitHub (none: no comment). */
  comment?: string
  /** Extra steps before the record step (a follow-up issue); `withOutputOf` indexes count them. */
  before?: StepSpec[]
  withOutputOf?: RecordInput['withOutputOf']
}

/** The body of an incident's GitHub issue. */
export function issueBody(view: Pick<IncidentView, 'id' | 'severity' | 'services' | 'environments' | 'drill' | 'declaredAt'>): string {
  return [
    `Incident ${view.id} declared with flow at ${view.declaredAt}${view.drill ? ' (a drill)' : ''}.`,
    '',
    `- Severity: ${view.severity}`,
    ...(view.services.length > 0 ? [`- Services: ${view.services.join(', ')}`] : []),
    ...(view.environments.length > 0 ? [`- Environments: ${view.environments.join(', ')}`] : []),
    '',
    'The record in flow/records is the source of truth; this issue mirrors its timeline.',
  ].join('\n')
}

/** Plans and runs one action on an existing incident: the record, notify commands, the GitHub mirror. */
export async function runAction(deps: IncidentDeps, view: IncidentView, action: Action, options: {dryRun?: boolean; status?: IncidentView['status']}): Promise<{view: IncidentView; run: RunInfo}> {
  const {config} = await deps.config()
  const key = deps.ids.ulid()
  const ref: IncidentRef = {rootId: view.rootId, recordId: view.recordId}
  const status = options.status ?? view.status
  const before = action.before ?? []
  const steps: StepSpec[] = [
    ...before,
    {kind: 'incident.record', input: {recordId: view.recordId, ref, key, events: action.events, describe: action.describe, ...(action.withOutputOf ? {withOutputOf: action.withOutputOf} : {})} satisfies RecordInput},
  ]
  if (action.notify) steps.push(...notifySteps(config, ref, key, {id: view.id, severity: view.severity, title: view.title, status, event: action.notify, text: action.text ?? '', drill: String(view.drill)}))
  if (await mirrors(deps)) {
    const state = status === 'resolved' || status === 'closed' ? 'closed' : 'open'
    steps.push(...mirrorSteps({...view, ref, body: issueBody(view)}, action.comment ? {event: key, body: action.comment} : undefined, state))
  }
  const plan: Plan = {command: action.command, inputs: action.inputs, steps}
  const result = await runPlan(deps, plan, {dryRun: options.dryRun})
  const run: RunInfo = {runId: result.runId, steps: result.steps, ...(options.dryRun ? {dryRun: true as const} : {})}
  if (options.dryRun) return {view, run}
  const after = await findIncident(await deps.records(), ref, {exact: true})
  return {view: after ?? view, run}
}
