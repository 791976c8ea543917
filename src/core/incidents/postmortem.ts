import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import type {FlowConfig} from '../config/schema.js'
import {FlowError} from '../errors.js'
import {hasRemote, isOffline} from '../feature/lineage.js'
import type {StepSpec} from '../../engine/types.js'
import type {OpenPullRequestInput} from '../feature/feature-steps.js'
import type {PushInput} from '../../engine/steps/git-steps.js'
import {loadIncidents, pickIncident, runAction, type IncidentDeps, type RunInfo} from './common.js'
import {suspectsOf} from './declare.js'
import {durationsOf, formatSeconds, type IncidentView} from './model.js'
import type {PostmortemCommitInput} from './steps.js'
import type {Suspect} from './suspects.js'

/** The repository's own postmortem template, when flow.yml names none. */
export const REPO_TEMPLATE = 'docs/postmortems/TEMPLATE.md'
/** Where postmortems are written. */
export const POSTMORTEM_DIR = 'docs/postmortems'

/** The result of `flow incident postmortem` (its --json output). */
export interface PostmortemDrafted extends RunInfo {
  id: string
  path: string
  branch: string
  base: string
  /** Which template was used (a repository path, or `built-in`). */
  template: string
  pushed: boolean
  pullRequest?: {number: number; url: string}
  content: string
}

const slug = (text: string) => text.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'incident'

/** Everything the template's `{{placeholders}}` stand for. */
export function postmortemValues(view: IncidentView, config: FlowConfig, suspects: Suspect[]): Record<string, string> {
  const none = '_not recorded_'
  const d = durationsOf(view)
  const dur = (label: string, s: number | undefined) => `- ${label}: ${s === undefined ? none : formatSeconds(s)}`
  const cause = view.cause
    ? `Cause (stated with \`flow incident cause\`): ${[view.cause.deployment ? `deployment ${view.cause.deployment}` : '', view.cause.sha ? `commit ${view.cause.sha}` : ''].filter(Boolean).join(', ')}.`
    : 'No cause was stated (`flow incident cause DEPLOYMENT|SHA` records one).'
  const suspectLines = suspects.length === 0
    ? 'No deployments to the affected environments in the hours before the impact.'
    : ['Deployments shortly before the impact (suspects, not causes):', '', ...suspects.map((s) =>
      `- ${s.deployment}: ${s.environment} at ${s.startedAt}, ${s.range ?? s.sha.slice(0, 12)} (${s.outcome})${s.owners.length > 0 ? `, owners ${s.owners.map((o) => `@${o}`).join(' ')}` : ''}`)].join('\n')
  const followUps = view.followUpList.length === 0
    ? '- [ ] _Add follow-ups with `flow incident follow-up add TITLE`._'
    : view.followUpList.map((f) => `- [${f.done ? 'x' : ' '}] ${f.title}${f.url ? ` (${f.url})` : ''}`).join('\n')
  return {
    id: view.id,
    title: view.title,
    severity: view.severity,
    severity_summary: config.incidents.severities[view.severity]?.summary ?? '',
    services: view.services.join(', ') || none,
    environments: view.environments.join(', ') || none,
    commander: view.commander ?? none,
    drill: view.drill ? '- This was a drill.\n' : '',
    impact_started: view.impactStartedAt ?? none,
    detected: view.detectedAt ?? none,
    declared: view.declaredAt,
    mitigated: view.mitigatedAt ?? none,
    resolved: view.resolvedAt ?? none,
    timeline: view.timeline.map((t) => `- ${t.at.replace('T', ' ').replace(/\.\d+Z$|Z$/, '')}: ${t.summary}${t.actor ? ` (${t.actor})` : ''}`).join('\n'),
    durations: [dur('Time to acknowledge', d.timeToAcknowledge), dur('Time to mitigate', d.timeToMitigate), dur('Time to resolve', d.timeToResolve)].join('\n'),
    cause,
    suspects: suspectLines,
    follow_ups: followUps,
  }
}

/** Fills `{{name}}` placeholders; unknown ones are left as they are. */
export function renderTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (whole, name: string) => values[name] ?? whole)
}

async function readTemplate(root: string, config: FlowConfig): Promise<{text: string; source: string}> {
  const configured = config.incidents.postmortem.template
  if (configured) {
    const text = await readFile(join(root, configured), 'utf8').catch(() => undefined)
    if (text === undefined) throw new FlowError('CONFIG_INVALID', `The postmortem template ${configured} (flow.yml incidents.postmortem.template) does not exist`, {hint: 'Fix the path, or remove it to use the built-in template.'})
    return {text, source: configured}
  }
  const own = await readFile(join(root, REPO_TEMPLATE), 'utf8').catch(() => undefined)
  if (own !== undefined) return {text: own, source: REPO_TEMPLATE}
  return {text: await readFile(fileURLToPath(new URL('../../../templates/postmortem.md', import.meta.url)), 'utf8'), source: 'built-in'}
}

/**
 * Drafts the blameless postmortem of an incident from the template, with its real timeline and durations,
 * commits it on a new branch (work tree untouched), pushes it and proposes it as a pull request (a local review
 * request with the local forge), and records it on the incident.
 */
export async function draftPostmortem(deps: IncidentDeps, input: {incident: string; dryRun?: boolean}): Promise<PostmortemDrafted> {
  const {config} = await deps.config()
  const view = pickIncident(await loadIncidents(deps), input.incident)
  const {root} = await deps.repo()
  const template = await readTemplate(root, config)
  const content = renderTemplate(template.text, postmortemValues(view, config, await suspectsOf(deps, view)))
  const name = `${view.declaredAt.slice(0, 10)}-${view.id.toLowerCase()}-${slug(view.title)}`
  const path = `${POSTMORTEM_DIR}/${name}.md`
  const branch = `postmortem/${view.id.toLowerCase()}-${slug(view.title)}`
  const main = config.branches.main
  const remote = !isOffline(deps.env) && (await hasRemote(deps.git, 'origin'))
  const candidates = [...(remote ? [`refs/remotes/origin/${main}`] : []), `refs/heads/${main}`, 'HEAD']
  let base: string | undefined
  for (const c of candidates) if (!base && (await deps.git.exec(['rev-parse', '-q', '--verify', `${c}^{commit}`])).exitCode === 0) base = c
  if (!base) throw new FlowError('GIT_FAILED', `There is no ${main} branch to propose the postmortem against`, {hint: 'Commit something on the main branch first.'})
  if (view.postmortem && (await deps.git.exec(['rev-parse', '-q', '--verify', `refs/heads/${branch}`])).exitCode === 0) {
    throw new FlowError('USAGE', `The postmortem of ${view.id} was drafted already, on ${branch} (${view.postmortem.path})`, {hint: `Edit it there (git switch ${branch}), or delete the branch to draft it again.`})
  }
  const steps: StepSpec[] = [{kind: 'incident.postmortemCommit', input: {branch, base, path, content, message: `docs: postmortem of ${view.id}: ${view.title}\n`} satisfies PostmortemCommitInput}]
  if (remote) steps.push({kind: 'git.push', input: {remote: 'origin', refspecs: [{src: `refs/heads/${branch}`, dst: `refs/heads/${branch}`}]} satisfies PushInput})
  const prStep = steps.length
  steps.push({kind: 'feature.openPullRequest', input: {head: branch, base: main, title: `docs: postmortem of ${view.id}: ${view.title}`, body: `The blameless postmortem draft of ${view.id} (${view.severity}): ${path}.\n\nFill in the summary, impact and lessons; the timeline and durations come from the incident record.`, draft: true} satisfies OpenPullRequestInput})
  const done = await runAction(deps, view, {
    command: 'incident postmortem', inputs: {incident: view.id, path, branch}, describe: `Record the postmortem draft ${path} on ${view.id}`,
    events: [{type: 'postmortem', data: {path, branch}}], comment: `**Postmortem draft**: \`${path}\` on branch \`${branch}\``,
    before: steps, withOutputOf: {step: prStep, as: 'pullRequest'},
  }, {dryRun: input.dryRun})
  const opened = done.run.dryRun ? undefined : (await deps.forge()).findPullRequest({head: branch, state: 'all'})
  const pr = await opened
  return {
    id: view.id, path, branch, base, template: template.source, pushed: remote && !input.dryRun,
    ...(pr ? {pullRequest: {number: pr.number, url: pr.url}} : {}),
    content, ...done.run,
  }
}
