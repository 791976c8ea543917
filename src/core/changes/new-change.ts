import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import type {FlowConfig} from '../config/schema.js'
import type {Deps} from '../deps.js'
import {FlowError} from '../errors.js'
import {currentBranch, integrationBranch, parentOf} from '../feature/lineage.js'
import {CHANGES_COLLECTION} from '../records/facts.js'
import {runPlan, type RunResult} from '../../engine/runner.js'
import type {Plan} from '../../engine/types.js'
import {actorOf, filesOf, revParse, riskOf} from './context.js'
import {findConflicts, type ChangeConflict} from './evaluate.js'
import {foldAll, numberChanges, type Change, type ChangeBinding, type ChangeType, type ChangeWindow} from './model.js'
import {touchedServices, type RiskAssessment} from './risk.js'
import {deploymentFacts} from '../env/facts.js'
import {chooseTemplate, matchTemplate, templatesOf, type ChangeTemplate} from './templates.js'

/** The input of `flow change new`. */
export interface NewChangeInput {
  type: ChangeType
  title?: string
  description?: string
  impact?: string
  testPlan?: string
  backout?: string
  /** `START..END`, ISO-8601. */
  window?: string
  environments?: string[]
  services?: string[]
  pullRequest?: number
  deployment?: string
  template?: string
  breakGlass?: string
  dryRun?: boolean
}

/** The result of `flow change new` (its --json output). */
export interface ChangeCreated {
  /** Null with --dry-run. */
  id: string | null
  type: ChangeType
  title: string
  binding: ChangeBinding
  environments: string[]
  services: string[]
  window?: ChangeWindow
  backout?: string
  template?: string
  preApproved: boolean
  risk: RiskAssessment
  approvalsRequired: number
  conflicts: ChangeConflict[]
  warnings: string[]
  dryRun?: true
  steps?: RunResult['steps']
}

/** Parses `START..END` into a planned window. */
export function parseWindow(text: string): ChangeWindow {
  const m = /^\s*(\S+)\s*\.\.\s*(\S+)\s*$/.exec(text)
  const start = m ? Date.parse(m[1] as string) : Number.NaN
  const end = m ? Date.parse(m[2] as string) : Number.NaN
  if (Number.isNaN(start) || Number.isNaN(end) || end <= start) {
    throw new FlowError('USAGE', `${JSON.stringify(text)} is not a planned window`, {hint: 'Give START..END as ISO-8601 times, e.g. --window 2026-12-01T09:00Z..2026-12-01T11:00Z.'})
  }
  return {start: new Date(start).toISOString(), end: new Date(end).toISOString()}
}

async function bind(deps: Pick<Deps, 'git' | 'forge' | 'records' | 'reporter'>, config: FlowConfig, input: NewChangeInput): Promise<{binding: ChangeBinding; title?: string; environments: string[]}> {
  if (input.deployment && input.pullRequest !== undefined) throw new FlowError('USAGE', 'Bind a change to a pull request or to a deployment, not both')
  if (input.deployment) {
    const deployment = (await deploymentFacts(await deps.records())).find((d) => d.id === input.deployment)
    if (!deployment) throw new FlowError('FORGE_NOT_FOUND', `There is no deployment ${input.deployment}`, {hint: 'flow env history lists the deployments.'})
    return {
      binding: {kind: 'deployment', deployment: deployment.id, sha: deployment.sha, ...(deployment.previousSha ? {base: deployment.previousSha} : {})},
      title: `Deploy ${deployment.sha.slice(0, 7)} to ${deployment.environment}`,
      environments: [deployment.environment],
    }
  }
  if (input.pullRequest !== undefined) {
    const pr = await (await deps.forge()).getPullRequest(input.pullRequest)
    const sha = pr.headSha ?? (await revParse(deps.git, `refs/heads/${pr.head}`))
    return {binding: {kind: 'pull-request', pullRequest: pr.number, pullRequestUrl: pr.url, branch: pr.head, base: pr.base, ...(sha ? {sha} : {})}, title: pr.title, environments: []}
  }
  const branch = await currentBranch(deps.git)
  if (!branch) throw new FlowError('USAGE', 'HEAD is detached: a change needs a branch, a pull request or a deployment', {hint: 'Check out the branch, or pass --pr N or --deployment DEP-N.'})
  if (branch === config.branches.main) throw new FlowError('USAGE', `${branch} is the main branch: a change is bound to a feature branch, a pull request or a deployment`, {hint: 'Check out the feature branch, or pass --pr N or --deployment DEP-N.'})
  const base = (await parentOf(deps.git, branch)) ?? integrationBranch(config)
  const forge = await deps.forge().catch((error: unknown) => {
    deps.reporter.warn(`The change is not linked to a pull request: ${error instanceof Error ? error.message : String(error)}`)
    return undefined
  })
  const pr = await forge?.findPullRequest({head: branch, state: 'open'}).catch(() => undefined)
  const sha = await revParse(deps.git, 'HEAD')
  return {
    binding: {kind: 'branch', branch, base, ...(pr ? {pullRequest: pr.number, pullRequestUrl: pr.url} : {}), ...(sha ? {sha} : {})},
    title: pr?.title ?? branch.replace(/^.*\//, '').replace(/[-_]+/g, ' '),
    environments: [],
  }
}

function defaultBackout(config: FlowConfig, environments: string[]): string | undefined {
  for (const env of environments) {
    const rollback = config.environments[env]?.rollback
    if (rollback) return `Roll back ${env} to the previous version: flow env rollback ${env} (runs ${typeof rollback === 'string' ? rollback : rollback.join(' ')})`
  }
  return undefined
}

async function templateText(root: string, template: ChangeTemplate | undefined): Promise<string | undefined> {
  if (!template) return undefined
  if (template.template) return readFile(join(root, template.template), 'utf8').catch(() => template.description)
  return template.description
}

/** Raises a change request: bound, scored, matched against the templates, and recorded as CHG-<n>. */
export async function newChange(deps: Parameters<typeof runPlan>[0] & Pick<Deps, 'config'>, input: NewChangeInput): Promise<ChangeCreated> {
  const {config} = await deps.config()
  const actor = await actorOf(deps.git)
  const bound = await bind(deps, config, input)
  const environments = [...new Set([...(input.environments ?? []), ...bound.environments])]
  for (const env of environments) {
    if (!config.environments[env]) throw new FlowError('USAGE', `There is no environment ${env} in flow.yml`, {hint: `Defined: ${Object.keys(config.environments).join(', ') || 'none'}.`})
  }
  for (const service of input.services ?? []) {
    if (!config.services[service]) throw new FlowError('USAGE', `There is no service ${service} in flow.yml`, {hint: `Defined: ${Object.keys(config.services).join(', ') || 'none'}.`})
  }
  const window = input.window ? parseWindow(input.window) : undefined
  const files = await filesOf(deps, bound.binding)
  const title = input.title ?? bound.title ?? 'Change'
  const subject = {files: files.map((f) => f.path), title, ...(bound.binding.branch ? {branch: bound.binding.branch} : {})}

  const templates = templatesOf(config)
  let template: ChangeTemplate | undefined
  if (input.template) {
    template = templates.find((t) => t.name === input.template)
    if (!template) throw new FlowError('USAGE', `There is no change template ${input.template}`, {hint: `Defined: ${templates.map((t) => t.name).join(', ') || 'none (changes.templates in flow.yml)'}.`})
    if (template.type !== input.type) throw new FlowError('USAGE', `Template ${template.name} is for ${template.type} changes, not ${input.type}`)
    const match = matchTemplate(template, subject)
    if (!match.matches && input.type === 'standard') {
      throw new FlowError('POLICY_BLOCKED', `This change does not match the standard template ${template.name}: ${match.misses.join('; ')}`, {hint: 'Raise it as a normal change: --type normal.'})
    }
  } else {
    const chosen = chooseTemplate(templates, input.type, subject)
    template = chosen.chosen
    if (input.type === 'standard' && !template) {
      const why = chosen.tried.map((t) => `${t.template.name}: ${t.misses.join('; ')}`).join(' | ')
      throw new FlowError('POLICY_BLOCKED', `No standard change template matches this change${why ? ` (${why})` : ' (flow.yml defines none)'}`, {
        hint: 'Standard changes are pre-approved only when a template in changes.templates matches; raise it as --type normal.',
      })
    }
  }
  const preApproved = input.type === 'standard' && template !== undefined
  const {root} = await deps.repo()
  const description = input.description ?? (await templateText(root, template))
  const services = [...new Set([...(input.services ?? []), ...touchedServices(config.services, subject.files)])].sort()
  const backout = input.backout ?? defaultBackout(config, environments)
  const draft = {type: input.type, binding: bound.binding, environments, services, ...(window ? {window} : {})}
  const risk = await riskOf(deps, config, draft, files)
  const approvalsRequired = preApproved ? 0 : risk.approvals

  const others = foldAll(numberChanges(await (await deps.records()).collection(CHANGES_COLLECTION))).map((c) => c.change)
  const conflicts = findConflicts({...draft, id: '', title, status: 'open'} as Change, others)
  const warnings = conflicts.map((c) => `Overlaps ${c.id} (${c.title}) on ${c.shared.join(', ')} during ${c.window.start}..${c.window.end}`)
  for (const w of warnings) deps.reporter.warn(w)

  const data = {
    type: input.type, title, author: actor, binding: bound.binding, environments, services,
    ...(description ? {description} : {}), ...(input.impact ? {impact: input.impact} : {}), ...(input.testPlan ? {testPlan: input.testPlan} : {}),
    ...(backout ? {backout} : {}), ...(window ? {window} : {}), ...(template ? {template: template.name} : {}),
    preApproved, risk, reviewAfter: config.changes.types[input.type].review_after,
    ...(input.breakGlass ? {breakGlass: input.breakGlass} : {}),
  }
  const plan: Plan = {command: 'change new', inputs: {...input}, steps: [{kind: 'change.create', input: {op: deps.ids.ulid(), actor, data}}]}
  const result = await runPlan(deps, plan, {dryRun: input.dryRun})
  const summary = {
    type: input.type, title, binding: bound.binding, environments, services, ...(window ? {window} : {}), ...(backout ? {backout} : {}),
    ...(template ? {template: template.name} : {}), preApproved, risk, approvalsRequired, conflicts, warnings,
  }
  if (input.dryRun) return {...summary, id: null, dryRun: true, steps: result.steps}
  return {...summary, id: String(result.outputs[0]?.id)}
}
