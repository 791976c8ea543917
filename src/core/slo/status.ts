import type {Deps} from '../deps.js'
import {parseDuration} from '../config/duration.js'
import type {FlowConfig} from '../config/schema.js'
import {FlowError} from '../errors.js'
import type {DeploymentFact, DeploymentKind, IncidentFact} from '../records/facts.js'
import {budgetVerdict, downtimeStatus, eventStatus, serviceDowntime, type BudgetPolicy, type BudgetVerdict, type SloStatus} from './budget.js'

type Slo = NonNullable<FlowConfig['services'][string]['slo']>

/** The services of flow.yml that have an SLO (one, when named; USAGE when it has none). */
export function servicesWithSlo(config: Pick<FlowConfig, 'services'>, only?: string): Array<[string, Slo]> {
  if (only !== undefined) {
    const service = config.services[only]
    if (!service) throw new FlowError('USAGE', `${only} is not a service of flow.yml`, {hint: `Services: ${Object.keys(config.services).join(', ') || 'none'}.`})
    if (!service.slo) throw new FlowError('USAGE', `${only} has no slo in flow.yml`, {hint: `Add services.${only}.slo: {target: 99.9, window: 30d}.`})
    return [[only, service.slo]]
  }
  return Object.entries(config.services).flatMap(([name, s]) => (s.slo ? [[name, s.slo] as [string, Slo]] : []))
}

/** Reads `{good, total}` from an SLO's source command (argv, or a string through the user's shell). */
async function sourceCounts(deps: Pick<Deps, 'shell' | 'cwd'>, service: string, source: Slo['source'] & {}): Promise<{good: number; total: number}> {
  const result = await deps.shell.run(typeof source === 'string' ? source : [...source], {cwd: deps.cwd, env: {FLOW_SERVICE: service}, timeoutMs: 60_000})
  if (result.exitCode !== 0) {
    throw new FlowError('COMMAND_FAILED', `The SLO source command of ${service} exited ${result.timedOut ? 'by timeout' : result.exitCode}`, {hint: `It must print {"good": N, "total": N}: ${result.stderr.trim().split('\n').at(-1) ?? ''}`})
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(result.stdout)
  } catch {
    parsed = undefined
  }
  const p = parsed as {good?: unknown; total?: unknown} | undefined
  if (!p || typeof p.good !== 'number' || typeof p.total !== 'number' || p.good < 0 || p.total < p.good) {
    throw new FlowError('CONFIG_INVALID', `The SLO source command of ${service} did not print {"good": N, "total": N} (good <= total)`, {hint: 'Make it print one JSON object with the two counts over the SLO window.'})
  }
  return {good: p.good, total: p.total}
}

/** The facts SLOs are computed from, read once. */
export interface SloFacts {
  deployments: readonly DeploymentFact[]
  incidents: readonly IncidentFact[]
}

/** Reads deploymentFacts and incidentFacts. */
export async function readSloFacts(deps: Pick<Deps, 'records'>): Promise<SloFacts> {
  const store = await deps.records()
  const [{deploymentFacts}, {incidentFacts}] = await Promise.all([import('../env/facts.js'), import('../incidents/facts.js')])
  const [deployments, incidents] = await Promise.all([deploymentFacts(store), incidentFacts(store)])
  return {deployments, incidents}
}

/** Where each service with an SLO stands (or one): from downtime in the records, or from its source command. */
export async function sloStatuses(deps: Pick<Deps, 'config' | 'records' | 'clock' | 'shell' | 'cwd'>, only?: string, known?: SloFacts): Promise<SloStatus[]> {
  const config = (await deps.config()).config
  const services = servicesWithSlo(config, only)
  if (services.length === 0) return []
  const now = deps.clock.now().getTime()
  const facts = known ?? (services.some(([, slo]) => !slo.source) ? await readSloFacts(deps) : {deployments: [], incidents: []})
  const out: SloStatus[] = []
  for (const [name, slo] of services) {
    const settings = {target: slo.target, windowMs: parseDuration(slo.window)}
    out.push(slo.source ? eventStatus(name, settings, await sourceCounts(deps, name, slo.source), now) : downtimeStatus(name, settings, serviceDowntime(name, facts, now), now))
  }
  return out
}

/** The conventional types of the commits in `from..to` (every commit of `to` when there is no `from`). */
export async function commitTypes(git: Deps['git'], to: string, from?: string): Promise<string[]> {
  const log = await git.exec(['log', '--no-merges', '--format=%s', from ? `${from}..${to}` : to])
  if (log.exitCode !== 0) return []
  return log.stdout.split('\n').map((s) => s.trim()).filter(Boolean).map((subject) => /^(\w+)(?:\([^)]*\))?!?:/.exec(subject)?.[1]?.toLowerCase() ?? 'other')
}

/**
 * The error-budget policy applied to a deployment: reads the SLO of every service of the environment, and says
 * what refuses it (ERROR_BUDGET_SPENT, with why and until when), what only warns, and which exception let it through.
 * Empty when no service of the environment has an SLO.
 */
export async function errorBudgetVerdict(deps: Pick<Deps, 'config' | 'records' | 'clock' | 'shell' | 'cwd' | 'git'>, input: {environment: string; sha: string; previousSha?: string; kind: DeploymentKind}): Promise<BudgetVerdict> {
  const config = (await deps.config()).config
  const services = config.environments[input.environment]?.services ?? []
  const policies = services.flatMap((name) => {
    const slo = config.services[name]?.slo
    return slo ? [{name, policy: {when_exhausted: slo.when_exhausted, freeze_environments: slo.freeze_environments, allow: slo.allow} satisfies BudgetPolicy}] : []
  })
  const production = config.metrics.production ?? 'production'
  const applies = policies.some(({policy}) => (policy.freeze_environments.length > 0 ? policy.freeze_environments : [production]).includes(input.environment))
  if (!applies) return {refusals: [], warnings: [], allowedBecause: []}
  const statuses: Array<{status: SloStatus; policy: BudgetPolicy}> = []
  let facts: SloFacts | undefined
  for (const {name, policy} of policies) {
    const slo = config.services[name]!.slo!
    if (!slo.source) facts ??= await readSloFacts(deps)
    const [status] = await sloStatuses(deps, name, facts)
    statuses.push({status: status!, policy})
  }
  const types = await commitTypes(deps.git, input.sha, input.previousSha)
  return budgetVerdict({environment: input.environment, services, kind: input.kind, commitTypes: types}, statuses, production)
}
