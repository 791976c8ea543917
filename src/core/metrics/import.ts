/** `flow metrics --import`: a team's GitHub deployments and `incident` issues written as flow records, once. */
import type {StepKind} from '../../engine/types.js'
import type {FlowConfig} from '../config/schema.js'
import {FlowError} from '../errors.js'
import type {Deployment, Forge, ForgeIssue, RecordStore} from '../ports.js'
import {DEPLOYMENTS_COLLECTION, INCIDENTS_COLLECTION, type DeploymentFact, type IncidentFact} from '../records/facts.js'
import {RECORDS_REF} from '../records/layout.js'
import {deploymentEvents, incidentEvents, writeFactEvents} from './fact-events.js'

/** Input of the import steps: what to read, and the configuration needed to map it. */
export interface ImportInput {
  /** Services of each environment (flow.yml environments.<env>.services). */
  services: Record<string, string[]>
  /** Severity names, most severe first, and the default. */
  severities: string[]
  defaultSeverity?: string
  /** Service names flow.yml knows, matched against issue labels (`NAME` or `service:NAME`). */
  serviceNames: string[]
}

/** The import input from the configuration. */
export function importInput(config: FlowConfig): ImportInput {
  return {
    services: Object.fromEntries(Object.entries(config.environments).map(([name, env]) => [name, env.services])),
    severities: Object.keys(config.incidents.severities),
    ...(config.incidents.default_severity ? {defaultSeverity: config.incidents.default_severity} : {}),
    serviceNames: Object.keys(config.services),
  }
}

const OUTCOME: Record<string, DeploymentFact['outcome']> = {success: 'success', inactive: 'success', failure: 'failed', error: 'failed'}

/** A GitHub deployment as the fact's fields (the record id is given by the caller). */
export function deploymentFromForge(d: Deployment, input: ImportInput, id: string): DeploymentFact {
  return {
    id,
    environment: d.environment,
    services: input.services[d.environment] ?? [],
    sha: d.sha,
    kind: 'deploy',
    outcome: (d.state && OUTCOME[d.state]) ?? 'in_progress',
    startedAt: d.createdAt,
    health: [],
  }
}

/** An `incident` issue as the fact's fields: severity and services from its labels, resolved when it was closed. */
export function incidentFromIssue(issue: ForgeIssue, input: ImportInput, id: string): IncidentFact {
  const labels = issue.labels.map((l) => l.toLowerCase())
  const severity = input.severities.find((s) => [s, `sev:${s}`, `severity:${s}`].some((l) => labels.includes(l.toLowerCase()))) ?? input.defaultSeverity ?? 'unknown'
  const services = input.serviceNames.filter((s) => labels.includes(s.toLowerCase()) || labels.includes(`service:${s.toLowerCase()}`))
  const declaredAt = issue.createdAt ?? new Date(0).toISOString()
  return {
    id,
    title: issue.title,
    severity,
    services,
    environments: [],
    status: issue.state === 'closed' ? 'resolved' : 'investigating',
    drill: labels.includes('drill'),
    declaredAt,
    ...(issue.state === 'closed' && issue.closedAt ? {resolvedAt: issue.closedAt} : {}),
    followUps: [],
  }
}

async function refuseIfFilled(store: RecordStore, collection: string, what: string): Promise<void> {
  const ids = await store.list(collection)
  if (ids.length > 0) {
    throw new FlowError('RECORDS_CONFLICT', `The record store already holds ${ids.length} ${what}; --import only fills an empty store`, {
      hint: 'Run flow metrics without --import: flow records what it deploys and declares from now on.',
    })
  }
}

function requireGitHub(forge: Forge): void {
  if (forge.kind !== 'github') throw new FlowError('USAGE', `--import reads GitHub, but this repository uses ${forge.describe}`, {hint: 'Set forge.type: github in flow.yml and provide GH_TOKEN, or run without --import.'})
}

/** Checks, before any step, that an import may run: the GitHub forge and an empty store. */
export async function checkImport(forge: Forge, store: RecordStore): Promise<void> {
  requireGitHub(forge)
  await refuseIfFilled(store, DEPLOYMENTS_COLLECTION, 'deployments')
  await refuseIfFilled(store, INCIDENTS_COLLECTION, 'incidents')
}

const importDeployments: StepKind<ImportInput> = {
  kind: 'metrics.importDeployments',
  describe: () => 'Import the GitHub deployments (and their latest statuses) as deployment records',
  refs: () => [RECORDS_REF],
  async isDone(ctx) {
    return (await (await ctx.records()).list(DEPLOYMENTS_COLLECTION)).length > 0
  },
  async run(ctx, input) {
    const forge = await ctx.forge()
    requireGitHub(forge)
    const deployments = (await forge.listDeployments({})).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || Number(a.id) - Number(b.id))
    const records = deployments.map((d, i) => deploymentEvents(deploymentFromForge(d, input, `DEP-${i + 1}`), {ref: d.ref, ...(typeof d.id === 'number' ? {githubId: d.id} : {})}))
    await writeFactEvents(await ctx.records(), records)
    return {imported: records.length}
  },
}

const importIncidents: StepKind<ImportInput> = {
  kind: 'metrics.importIncidents',
  describe: () => 'Import the GitHub issues labelled incident as incident records',
  refs: () => [RECORDS_REF],
  async isDone(ctx) {
    return (await (await ctx.records()).list(INCIDENTS_COLLECTION)).length > 0
  },
  async run(ctx, input) {
    const forge = await ctx.forge()
    requireGitHub(forge)
    const issues = (await forge.findIssues({labels: ['incident'], state: 'all'})).sort((a, b) => a.number - b.number)
    const records = issues.map((issue, i) => incidentEvents(incidentFromIssue(issue, input, `INC-${i + 1}`), {issue: {number: issue.number, url: issue.url}}))
    await writeFactEvents(await ctx.records(), records)
    return {imported: records.length}
  },
}

/** The import step kinds; undo restores the records branch from the snapshot. */
export const metricsStepKinds: StepKind[] = [importDeployments, importIncidents]
