import type {RunInfo} from './common.js'
import type {IncidentChanged} from './actions.js'
import type {Checklist, IncidentDeclared} from './declare.js'
import {formatSeconds, type IncidentDurations} from './model.js'
import type {IncidentList, IncidentShown} from './queries.js'
import type {Suspect} from './suspects.js'

/** The plan lines of a dry run. */
export function formatDryRun(what: string, run: RunInfo): string[] {
  return [`Would ${what}:`, ...run.steps.map((s, i) => `  ${i + 1}. ${s.description}`)]
}

/** The checklist of a severity, for people. */
export function formatChecklist(c: Checklist): string[] {
  return [
    `Checklist for ${c.severity} (${c.summary}):`,
    ...c.roles.map((r) => `  [${r.who ? 'x' : ' '}] ${r.role}${r.who ? `: ${r.who}` : ` (flow incident role set ${r.role} WHO)`}`),
    `  [ ] status updates${c.updateEvery ? ` every ${c.updateEvery}` : ' as needed'} (flow incident update TEXT)`,
    `  [ ] postmortem ${c.postmortem === 'required' ? 'required before closing' : 'optional'} (flow incident postmortem ID)`,
  ]
}

/** Suspect deployments, labelled as such. */
export function formatSuspects(suspects: Suspect[]): string[] {
  if (suspects.length === 0) return ['No recent deployments to the affected environments.']
  return [
    'Suspects (recent deployments, not a cause; state one with flow incident cause):',
    ...suspects.map((s) => `  suspect ${s.deployment}  ${s.environment}  ${s.startedAt}  ${s.range ?? s.sha.slice(0, 12)}  ${s.outcome}${s.owners.length > 0 ? `  owners: ${s.owners.map((o) => `@${o}`).join(' ')}` : ''}`),
  ]
}

/** What `flow incident declare` prints. */
export function formatDeclared(r: IncidentDeclared): string[] {
  return [
    `Declared ${r.id} (${r.severity}${r.drill ? ', DRILL' : ''}): ${r.title}${r.mirror ? `  ${r.mirror.url}` : ''}`,
    '',
    ...formatChecklist(r.checklist),
    '',
    ...formatSuspects(r.suspects),
  ]
}

/** What a lifecycle command prints. */
export function formatChanged(r: IncidentChanged): string[] {
  return [`${r.action}: done. ${r.id} is ${r.status}.`]
}

/** Durations for people. */
export function formatDurations(d: IncidentDurations): string {
  const part = (label: string, s: number | undefined) => (s === undefined ? undefined : `${label} ${formatSeconds(s)}`)
  return [part('TTA', d.timeToAcknowledge), part('TTM', d.timeToMitigate), part('TTR', d.timeToResolve)].filter(Boolean).join(', ') || '-'
}

/** What `flow incident list` prints. */
export function formatList(list: IncidentList): string[] {
  if (list.incidents.length === 0) return [list.drills ? 'No drills.' : 'No incidents.']
  return list.incidents.map((i) => `${i.id.padEnd(7)} ${i.severity.padEnd(5)} ${i.status.padEnd(13)} ${i.declaredAt.slice(0, 16).replace('T', ' ')}  ${i.title}${i.drill ? ' (drill)' : ''}  [${formatDurations(i.durations)}]`)
}

/** What `flow incident show` prints. */
export function formatShown(s: IncidentShown): string[] {
  const lines = [
    `${s.id} ${s.title}${s.drill ? ' (DRILL)' : ''}`,
    `  severity ${s.severity}, ${s.status}${s.services.length > 0 ? `, services ${s.services.join(', ')}` : ''}${s.environments.length > 0 ? `, environments ${s.environments.join(', ')}` : ''}`,
    ...Object.entries(s.roles).map(([role, who]) => `  ${role}: ${who}`),
    ...(s.cause ? [`  cause: ${[s.cause.deployment, s.cause.sha?.slice(0, 12)].filter(Boolean).join(' ')}`] : []),
    ...(s.mirror ? [`  issue: ${s.mirror.url}`] : []),
    ...(s.postmortem ? [`  postmortem: ${s.postmortem.path}`] : []),
    `  durations: ${formatDurations(s.durations)}`,
    '',
    'Timeline:',
    ...s.timeline.map((t) => `  ${t.at.replace('T', ' ').replace(/\.\d+Z$|Z$/, '')}  ${t.summary}${t.actor ? `  (${t.actor})` : ''}`),
  ]
  if (s.openFollowUps.length > 0) lines.push('', 'Open follow-ups:', ...s.openFollowUps.map((f) => `  ${f.number}. ${f.title}${f.url ? `  ${f.url}` : ''}`))
  if (s.suspects.length > 0) lines.push('', ...formatSuspects(s.suspects))
  return lines
}
