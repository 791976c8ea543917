import {FlowError} from '../errors.js'
import type {IncidentFact, IncidentStatus} from '../records/facts.js'
import {isOffline} from '../feature/lineage.js'
import {checkText} from './declare.js'
import {loadIncidents, mirrors, pickIncident, runAction, type Action, type IncidentDeps, type RunInfo} from './common.js'
import {deploymentFacts} from '../env/facts.js'
import {STATUS_ORDER, toFact, type IncidentView} from './model.js'
import type {CloseFollowUpIssueInput, FollowUpIssueInput} from './steps.js'
import {checkOrder, parseTime, type Milestone} from './times.js'

/** The result of a lifecycle command (its --json output): the incident after it, and the run. */
export interface IncidentChanged extends IncidentFact, RunInfo {
  /** What was recorded, in words. */
  action: string
  roles: Record<string, string>
  mirror?: {issue: number; url: string}
}

/** Common input of the lifecycle commands. */
export interface ActionInput {
  /** `INC-3` (default: the only open incident). */
  incident?: string
  /** When it happened (`--at`), if not now. */
  at?: string
  dryRun?: boolean
}

const timesOf = (view: IncidentView): Partial<Record<Milestone, string>> => ({
  impactStartedAt: view.impactStartedAt, detectedAt: view.detectedAt, declaredAt: view.declaredAt,
  acknowledgedAt: view.acknowledgedAt, mitigatedAt: view.mitigatedAt, resolvedAt: view.resolvedAt, closedAt: view.closedAt,
})

const notClosed = (v: IncidentView) => v.status !== 'closed'
const resolvedOnly = (v: IncidentView) => v.status === 'resolved'

async function target(deps: IncidentDeps, input: ActionInput, allowClosed = false, candidate?: (v: IncidentView) => boolean, what?: string): Promise<IncidentView> {
  const view = pickIncident(await loadIncidents(deps), input.incident, candidate, what)
  if (view.status === 'closed' && !allowClosed) {
    throw new FlowError('USAGE', `${view.id} is closed`, {hint: 'A closed incident takes only follow-ups; declare a new incident if it is back.'})
  }
  return view
}

/** The time of an action: `--at` (checked against the incident's other times), else now. */
function when(deps: IncidentDeps, view: IncidentView, input: ActionInput, milestone?: Milestone): string | undefined {
  const now = deps.clock.now()
  const at = input.at === undefined ? undefined : parseTime(input.at, now, '--at')
  if (milestone) checkOrder({...timesOf(view), [milestone]: at ?? now.toISOString()}, now)
  else if (at && Date.parse(at) < Date.parse(view.declaredAt)) {
    throw new FlowError('USAGE', `--at ${at} would be before the declaration (${view.declaredAt})`, {hint: `Give a time after ${view.declaredAt}.`})
  } else if (at && Date.parse(at) > now.getTime() + 60_000) {
    throw new FlowError('USAGE', `--at ${at} is in the future (now ${now.toISOString()})`, {hint: 'Give a time that has passed, e.g. --at "10m ago".'})
  }
  return at
}

async function finish(deps: IncidentDeps, view: IncidentView, action: Action, input: ActionInput, status?: IncidentStatus): Promise<IncidentChanged> {
  const done = await runAction(deps, view, action, {dryRun: input.dryRun, status})
  return {...toFact(done.view), action: action.describe, roles: done.view.roles, ...(done.view.mirror ? {mirror: done.view.mirror} : {}), ...done.run}
}

/** `flow incident ack`: the incident is acknowledged (once). */
export async function acknowledgeIncident(deps: IncidentDeps, input: ActionInput): Promise<IncidentChanged> {
  const view = await target(deps, input)
  if (view.acknowledgedAt) throw new FlowError('USAGE', `${view.id} was acknowledged already, at ${view.acknowledgedAt}`, {hint: 'Add a note instead: flow incident note TEXT.'})
  const at = when(deps, view, input, 'acknowledgedAt')
  return finish(deps, view, {
    command: 'incident ack', inputs: {incident: view.id, ...(at ? {at} : {})}, describe: `Acknowledge ${view.id}`,
    events: [{type: 'acknowledged', ...(at ? {at} : {}), data: {}}], notify: 'acknowledged', comment: `Acknowledged${at ? ` at ${at}` : ''}.`,
  }, input)
}

/** `flow incident note TEXT`: a line in the timeline. */
export async function noteIncident(deps: IncidentDeps, input: ActionInput & {text: string}): Promise<IncidentChanged> {
  const view = await target(deps, input)
  const text = input.text.trim()
  if (!text) throw new FlowError('USAGE', 'The note is empty', {hint: 'Pass the note as TEXT, e.g. flow incident note "rolled back web".'})
  const at = when(deps, view, input)
  return finish(deps, view, {
    command: 'incident note', inputs: {incident: view.id}, describe: `Add a note to ${view.id}`,
    events: [{type: 'note', ...(at ? {at} : {}), data: {text}}], notify: 'note', text, comment: `Note: ${text}`,
  }, input)
}

const UPDATE_STATES: IncidentStatus[] = ['investigating', 'identified', 'mitigated']

/** `flow incident update TEXT [--status S]`: a status update (resets the cadence), optionally moving the state. */
export async function updateIncident(deps: IncidentDeps, input: ActionInput & {text: string; status?: string}): Promise<IncidentChanged> {
  const view = await target(deps, input)
  const text = input.text.trim()
  if (!text) throw new FlowError('USAGE', 'The status update is empty', {hint: 'Pass the update as TEXT, e.g. flow incident update "error rate back to normal".'})
  let status: IncidentStatus | undefined
  if (input.status !== undefined) {
    if (!UPDATE_STATES.includes(input.status as IncidentStatus)) {
      throw new FlowError('USAGE', `--status ${JSON.stringify(input.status)} is not a state an update sets`, {hint: `Use ${UPDATE_STATES.join(', ')}; flow incident resolve and close do the rest.`})
    }
    status = input.status as IncidentStatus
    if (STATUS_ORDER.indexOf(status) < STATUS_ORDER.indexOf(view.status)) {
      throw new FlowError('USAGE', `${view.id} is ${view.status} already; it cannot go back to ${status}`, {hint: 'States only move forward: investigating, identified, mitigated, resolved, closed.'})
    }
  }
  const at = when(deps, view, input, status === 'mitigated' && !view.mitigatedAt ? 'mitigatedAt' : undefined)
  return finish(deps, view, {
    command: 'incident update', inputs: {incident: view.id, ...(status ? {status} : {})}, describe: `Post a status update on ${view.id}${status ? ` (${status})` : ''}`,
    events: [{type: 'update', ...(at ? {at} : {}), data: {text, ...(status ? {status} : {})}}], notify: 'update', text,
    comment: `**Status update**${status ? ` (${status})` : ''}: ${text}`,
  }, input, status)
}

/** `flow incident role set ROLE WHO`: who fills a role (flow.yml incidents.roles). */
export async function setIncidentRole(deps: IncidentDeps, input: ActionInput & {role: string; who: string}): Promise<IncidentChanged> {
  const {config} = await deps.config()
  const view = await target(deps, input)
  const roles = [...new Set([...config.incidents.roles, ...Object.values(config.incidents.severities).flatMap((s) => s.roles)])]
  if (!roles.includes(input.role)) throw new FlowError('USAGE', `Unknown role ${JSON.stringify(input.role)}`, {hint: `Use one of ${roles.join(', ')} (flow.yml incidents.roles).`})
  const who = checkText('The person', input.who, 'WHO')
  return finish(deps, view, {
    command: 'incident role set', inputs: {incident: view.id, role: input.role, who}, describe: `Set ${input.role} of ${view.id} to ${who}`,
    events: [{type: 'role', data: {role: input.role, who}}], notify: 'role', text: `${input.role}: ${who}`, comment: `**${input.role}**: ${who}`,
  }, input)
}

/** `flow incident cause DEPLOYMENT|SHA`: the one stated link to what caused it (a recorded deployment, or a commit). */
export async function setIncidentCause(deps: IncidentDeps, input: ActionInput & {cause: string}): Promise<IncidentChanged> {
  const view = await target(deps, input)
  const given = input.cause.trim()
  let data: {deployment?: string; sha?: string}
  if (/^DEP-\d+$/i.test(given)) {
    const id = given.toUpperCase()
    const deployment = (await deploymentFacts(await deps.records())).find((d) => d.id === id)
    if (!deployment) throw new FlowError('USAGE', `No deployment ${id} in the records`, {hint: 'flow env history lists the deployments; or pass the commit sha that caused it.'})
    data = {deployment: id, sha: deployment.sha}
  } else {
    const sha = /^[0-9a-f]{4,40}$/i.test(given) ? await deps.git.exec(['rev-parse', '-q', '--verify', `${given}^{commit}`]) : undefined
    if (!sha || sha.exitCode !== 0 || !sha.stdout) {
      throw new FlowError('USAGE', `${JSON.stringify(given)} is neither a recorded deployment (DEP-n) nor a commit in this repository`, {hint: 'Pass DEP-n or a commit sha (git fetch first if it is not here).'})
    }
    data = {sha: sha.stdout.trim()}
  }
  const status: IncidentStatus = view.status === 'investigating' ? 'identified' : view.status
  const what = data.deployment ? `${data.deployment} (${data.sha!.slice(0, 12)})` : `commit ${data.sha!.slice(0, 12)}`
  return finish(deps, view, {
    command: 'incident cause', inputs: {incident: view.id, cause: given}, describe: `State the cause of ${view.id}: ${what}`,
    events: [{type: 'cause', data}], notify: 'cause', text: what, comment: `**Cause**: ${what}`,
  }, input, status)
}

/** `flow incident resolve`: impact is over (mitigated too, if it was not yet). */
export async function resolveIncident(deps: IncidentDeps, input: ActionInput & {mitigated?: string}): Promise<IncidentChanged> {
  const view = await target(deps, input)
  if (view.resolvedAt) throw new FlowError('USAGE', `${view.id} was resolved already, at ${view.resolvedAt}`, {hint: 'Close it with flow incident close.'})
  const now = deps.clock.now()
  const mitigated = input.mitigated === undefined ? undefined : parseTime(input.mitigated, now, '--mitigated')
  if (mitigated && view.mitigatedAt) throw new FlowError('USAGE', `${view.id} was mitigated already, at ${view.mitigatedAt}`, {hint: 'Leave out --mitigated.'})
  const at = input.at === undefined ? undefined : parseTime(input.at, now, '--at')
  checkOrder({...timesOf(view), ...(mitigated ? {mitigatedAt: mitigated} : {}), resolvedAt: at ?? now.toISOString()}, now)
  return finish(deps, view, {
    command: 'incident resolve', inputs: {incident: view.id, ...(at ? {at} : {}), ...(mitigated ? {mitigated} : {})}, describe: `Resolve ${view.id}`,
    events: [...(mitigated ? [{type: 'status', at: mitigated, data: {status: 'mitigated'}}] : []), {type: 'resolved', ...(at ? {at} : {}), data: {}}],
    notify: 'resolved', comment: `**Resolved**${at ? ` at ${at}` : ''}.`,
  }, input, 'resolved')
}

/** `flow incident close`: after resolution; refused while a postmortem the severity requires is missing. */
export async function closeIncident(deps: IncidentDeps, input: ActionInput): Promise<IncidentChanged> {
  const {config} = await deps.config()
  const view = await target(deps, input, false, resolvedOnly, 'resolved and not closed')
  if (!view.resolvedAt) throw new FlowError('USAGE', `${view.id} is ${view.status}, not resolved`, {hint: `Resolve it first: flow incident resolve --incident ${view.id}.`})
  const required = config.incidents.severities[view.severity]?.postmortem === 'required'
  if (required && !view.postmortem) {
    throw new FlowError('POLICY_BLOCKED', `${view.id} (${view.severity}) needs a postmortem before it is closed`, {hint: `Draft it with flow incident postmortem ${view.id}.`})
  }
  const at = when(deps, view, input, 'closedAt')
  return finish(deps, view, {
    command: 'incident close', inputs: {incident: view.id, ...(at ? {at} : {})}, describe: `Close ${view.id}`,
    events: [{type: 'closed', ...(at ? {at} : {}), data: {}}], notify: 'closed', comment: '**Closed**.',
  }, input, 'closed')
}

/** `flow incident follow-up add TITLE`: a follow-up, as a GitHub issue (with the GitHub forge) and in the record. */
export async function addFollowUp(deps: IncidentDeps, input: ActionInput & {title: string; record?: boolean}): Promise<IncidentChanged> {
  const view = await target(deps, input, true, notClosed, 'open or resolved')
  const title = checkText('The follow-up', input.title, 'TITLE')
  const info = await deps.forgeInfo()
  const onForge = !input.record && !isOffline(deps.env) && info.kind === 'github' && !info.problem
  const key = deps.ids.ulid()
  const before = onForge
    ? [{kind: 'incident.followUpIssue', input: {key, title, body: `A follow-up of incident ${view.id}: ${view.title}.`, labels: ['follow-up', ...(view.drill ? ['drill'] : [])]} satisfies FollowUpIssueInput}]
    : []
  return finish(deps, view, {
    command: 'incident follow-up add', inputs: {incident: view.id, title}, describe: `Add the follow-up "${title}" to ${view.id}`,
    events: [{type: 'follow-up', data: {title, followUp: key}}], comment: `**Follow-up**: ${title}`, before,
    ...(onForge ? {withOutputOf: {step: 0, as: 'issue' as const}} : {}),
  }, input)
}

/** `flow incident follow-up done N`: marks the Nth follow-up (as `show` numbers them) done. */
export async function completeFollowUp(deps: IncidentDeps, input: ActionInput & {which: string}): Promise<IncidentChanged> {
  const view = await target(deps, input, true, notClosed, 'open or resolved')
  const n = Number(input.which)
  const item = Number.isInteger(n) && n >= 1 ? view.followUpList[n - 1] : view.followUpList.find((f) => f.url === input.which || f.title === input.which)
  if (!item) {
    throw new FlowError('USAGE', `${view.id} has no follow-up ${JSON.stringify(input.which)}`, {hint: `flow incident show ${view.id} lists them, numbered from 1.`})
  }
  if (item.done) throw new FlowError('USAGE', `The follow-up "${item.title}" is done already`, {hint: `flow incident show ${view.id} lists the open ones.`})
  const close = item.issue !== undefined && (await mirrors(deps))
    ? [{kind: 'incident.closeFollowUpIssue', input: {issue: item.issue, title: item.title} satisfies CloseFollowUpIssueInput}]
    : []
  return finish(deps, view, {
    before: close,
    command: 'incident follow-up done', inputs: {incident: view.id, followUp: item.title}, describe: `Mark the follow-up "${item.title}" of ${view.id} done`,
    events: [{type: 'follow-up-done', data: {followUp: item.key, title: item.title}}], comment: `**Follow-up done**: ${item.title}`,
  }, input)
}
