import type {FlowConfig} from '../config/schema.js'
import {findCodeowners, parseCodeowners} from '../codeowners.js'
import {FlowError} from '../errors.js'
import type {Git} from '../ports.js'
import {runPlan} from '../../engine/runner.js'
import type {Plan, StepSpec} from '../../engine/types.js'
import {issueBody, mirrorSteps, mirrors, notifySteps, type IncidentDeps, type RunInfo} from './common.js'
import {deploymentFacts} from '../env/facts.js'
import {incidentNumbering} from './facts.js'
import {DECLARED, incidentId, toFact, type IncidentView} from './model.js'
import {findIncident, type RecordInput} from './steps.js'
import {selectSuspects, withOwners, type Suspect} from './suspects.js'
import {checkOrder, parseTime} from './times.js'
import type {IncidentFact} from '../records/facts.js'

/** Input of `flow incident declare`. */
export interface DeclareIncidentInput {
  title: string
  severity?: string
  services?: string[]
  environments?: string[]
  started?: string
  detected?: string
  /** When it was declared, if not now (an incident recorded after the fact). */
  declared?: string
  commander?: string
  drill?: boolean
  dryRun?: boolean
}

/** What a severity asks of the responders. */
export interface Checklist {
  severity: string
  summary: string
  roles: Array<{role: string; who?: string}>
  /** How often status updates are due (`30m`), if the severity sets it. */
  updateEvery?: string
  postmortem: 'required' | 'optional'
}

/** The result of `flow incident declare` (its --json output). */
export interface IncidentDeclared extends IncidentFact, RunInfo {
  checklist: Checklist
  /** Deployments shortly before the impact: suspects, never causes (`flow incident cause` states the cause). */
  suspects: Suspect[]
  /** The GitHub issue it is mirrored to. */
  mirror?: {issue: number; url: string}
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/

/** A name given on the command line (title, service, who): no control characters, not empty. */
export function checkText(what: string, value: string, flag: string): string {
  const text = value.trim()
  if (!text || CONTROL.test(text)) throw new FlowError('USAGE', `${what} ${JSON.stringify(value)} is empty or has control characters`, {hint: `Pass a plain one-line ${flag}.`})
  return text
}

/** The checklist of a severity: roles to fill, update cadence, postmortem. */
export function checklistFor(config: FlowConfig, severity: string, roles: Record<string, string>): Checklist {
  const s = config.incidents.severities[severity]!
  const names = s.roles.length > 0 ? s.roles : config.incidents.roles
  return {
    severity,
    summary: s.summary,
    roles: names.map((role) => ({role, ...(roles[role] ? {who: roles[role]} : {})})),
    ...(s.update_every ? {updateEvery: s.update_every} : {}),
    postmortem: s.postmortem,
  }
}

async function chooseSeverity(deps: IncidentDeps, config: FlowConfig, given: string | undefined): Promise<string> {
  const severities = config.incidents.severities
  const names = Object.keys(severities)
  if (given !== undefined) {
    if (!severities[given]) throw new FlowError('USAGE', `Unknown severity ${JSON.stringify(given)}`, {hint: `Use one of ${names.join(', ')} (flow.yml incidents.severities).`})
    return given
  }
  if (deps.prompter.canPrompt) {
    return deps.prompter.select(
      'Severity (when unsure, pick the more severe one: it can be lowered later)',
      names.map((name) => ({value: name, name: `${name}: ${severities[name]!.summary}`, description: severities[name]!.summary})),
      names[0],
    )
  }
  const fallback = config.incidents.default_severity
  if (fallback && severities[fallback]) {
    deps.reporter.warn(`No --sev: declared as ${fallback} (incidents.default_severity); pass --sev to choose`)
    return fallback
  }
  throw new FlowError('PROMPT_NEEDED', 'The severity is required here and flow cannot prompt', {hint: `Pass --sev with one of ${names.join(', ')}.`})
}

/** Environments an incident touches: those given, else those running its services (flow.yml). */
function environmentsOf(config: FlowConfig, services: string[], given: string[]): string[] {
  const known = Object.keys(config.environments)
  for (const env of given) {
    if (known.length > 0 && !known.includes(env)) throw new FlowError('USAGE', `Unknown environment ${JSON.stringify(env)}`, {hint: `Use one of ${known.join(', ')} (flow.yml environments).`})
  }
  if (given.length > 0 || services.length === 0) return given
  return known.filter((name) => config.environments[name]!.services.some((s) => services.includes(s)))
}

/** The files changed in `a..b`, or undefined when either commit is not here. */
async function changedIn(git: Git, range: string): Promise<string[] | undefined> {
  const result = await git.exec(['diff', '--name-only', '--no-renames', range, '--'])
  return result.exitCode === 0 ? result.stdout.split('\n').filter(Boolean) : undefined
}

/** The suspects of an incident: recent deployments to its environments, with code owners of their changes. */
export async function suspectsOf(deps: Pick<IncidentDeps, 'records' | 'git' | 'repo'>, incident: Pick<IncidentFact, 'environments' | 'services' | 'impactStartedAt' | 'detectedAt' | 'declaredAt'>): Promise<Suspect[]> {
  const deployments = await deploymentFacts(await deps.records())
  const picked = selectSuspects(deployments, {
    environments: incident.environments, services: incident.services,
    from: incident.impactStartedAt ?? incident.detectedAt ?? incident.declaredAt, until: incident.declaredAt,
  })
  if (picked.length === 0) return picked
  const files = new Map<string, string[] | undefined>()
  for (const s of picked) if (s.range && !files.has(s.range)) files.set(s.range, await changedIn(deps.git, s.range))
  const {root} = await deps.repo()
  const owners = await findCodeowners(root)
  return withOwners(picked, (range) => files.get(range), owners ? parseCodeowners(owners.text) : [])
}

/** Declares an incident: validates, records it, runs the notify commands, mirrors it to GitHub; with the checklist and suspects. */
export async function declareIncident(deps: IncidentDeps, input: DeclareIncidentInput): Promise<IncidentDeclared> {
  const {config} = await deps.config()
  const title = checkText('The title', input.title, 'TITLE')
  const severity = await chooseSeverity(deps, config, input.severity)
  const services = (input.services ?? []).map((s) => checkText('The service', s, '--service'))
  const knownServices = Object.keys(config.services)
  for (const s of services) {
    if (knownServices.length > 0 && !knownServices.includes(s)) throw new FlowError('USAGE', `Unknown service ${JSON.stringify(s)}`, {hint: `Use one of ${knownServices.join(', ')} (flow.yml services).`})
  }
  const environments = environmentsOf(config, services, (input.environments ?? []).map((e) => checkText('The environment', e, '--env')))
  const commander = input.commander === undefined ? undefined : checkText('The commander', input.commander, '--commander')
  const now = deps.clock.now()
  const declaredAt = input.declared === undefined ? now.toISOString() : parseTime(input.declared, now, '--declared')
  const impactStartedAt = input.started === undefined ? undefined : parseTime(input.started, now, '--started')
  const detectedAt = input.detected === undefined ? undefined : parseTime(input.detected, now, '--detected')
  checkOrder({impactStartedAt, detectedAt, declaredAt}, now)

  const records = await deps.records()
  const number = (await incidentNumbering(records)).next
  const recordId = incidentId(number)
  const key = deps.ids.ulid()
  const drill = Boolean(input.drill)
  const data = {
    title, severity, services, environments, drill,
    ...(commander ? {commander} : {}),
    ...(impactStartedAt ? {impactStartedAt} : {}),
    ...(detectedAt ? {detectedAt} : {}),
  }
  const draft = {id: recordId, title, severity, services, environments, drill, key, declaredAt, ...(impactStartedAt ? {impactStartedAt} : {}), ...(detectedAt ? {detectedAt} : {})}
  const ref = {key, recordId}
  const steps: StepSpec[] = [
    {kind: 'incident.record', input: {recordId, key, events: [{type: DECLARED, at: declaredAt, data}], describe: `Record ${recordId} (${severity}${drill ? ', drill' : ''}): ${title}`} satisfies RecordInput},
    ...notifySteps(config, ref, key, {id: recordId, severity, title, status: 'investigating', event: 'declared', text: title, drill: String(drill)}),
  ]
  if (await mirrors(deps)) steps.push(...mirrorSteps({...draft, ref, body: issueBody(draft)}, undefined, 'open'))
  const plan: Plan = {command: 'incident declare', inputs: {title, severity, services, environments, drill, ...(commander ? {commander} : {})}, steps}
  const suspects = await suspectsOf(deps, draft)
  const result = await runPlan(deps, plan, {dryRun: input.dryRun})
  const run: RunInfo = {runId: result.runId, steps: result.steps, ...(input.dryRun ? {dryRun: true as const} : {})}
  const view: IncidentView | undefined = input.dryRun ? undefined : await findIncident(records, ref, {exact: true})
  const fact: IncidentFact = view ? toFact(view) : {...draft, status: 'investigating', followUps: []}
  if (!view) delete (fact as {key?: string}).key
  return {
    ...fact,
    checklist: checklistFor(config, severity, commander ? {commander} : {}),
    suspects,
    ...(view?.mirror ? {mirror: view.mirror} : {}),
    ...run,
  }
}
