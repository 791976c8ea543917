/** The service catalog: flow.yml `services` and Backstage `catalog-info.yaml` components, with owners from CODEOWNERS. */
import {readFile} from 'node:fs/promises'
import {dirname, join} from 'node:path/posix'
import picomatch from 'picomatch'
import {ownersFor, parseCodeowners, findCodeowners} from '../codeowners.js'
import type {FlowConfig} from '../config/schema.js'
import type {Deps} from '../deps.js'
import {FlowError} from '../errors.js'
import type {DeploymentFact, IncidentFact} from '../records/facts.js'

/** One Backstage Component read from a catalog-info.yaml. */
export interface CatalogComponent {
  name: string
  file: string
  description?: string
  owner?: string
  type?: string
  lifecycle?: string
  system?: string
}

/** A deployment as the catalog shows it. */
export interface ServiceDeployment {
  id: string
  environment: string
  sha: string
  kind: DeploymentFact['kind']
  outcome: DeploymentFact['outcome']
  at: string
  version?: string
}

/** One service with everything flow knows about it. */
export interface Service {
  name: string
  description?: string
  /** The owner flow.yml names, else the catalog's spec.owner. */
  owner?: string
  /** Owners of the service's paths in CODEOWNERS. */
  codeowners: string[]
  /** Where the service is defined: `flow.yml` and/or catalog-info.yaml paths. */
  sources: string[]
  paths: string[]
  type?: string
  lifecycle?: string
  system?: string
  runbook?: string
  slo?: {target: number; window: string}
  environments: string[]
  recentDeployments: ServiceDeployment[]
  openIncidents: Array<{id: string; title: string; severity: string; status: IncidentFact['status']; declaredAt: string}>
}

const text = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined)

/** Parses the Components of one catalog-info.yaml (several documents allowed; other kinds skipped). */
export async function parseCatalog(file: string, content: string): Promise<CatalogComponent[]> {
  const {parseAllDocuments} = await import('../yaml.js')
  const out: CatalogComponent[] = []
  for (const doc of parseAllDocuments(content)) {
    if (!('toJS' in doc)) continue
    const value = doc.toJS() as {kind?: unknown; metadata?: Record<string, unknown>; spec?: Record<string, unknown>} | null
    if (!value || value.kind !== 'Component' || !value.metadata || !text(value.metadata.name)) continue
    const spec = value.spec ?? {}
    const owner = text(spec.owner)?.replace(/^(group|user):(default\/)?/, '')
    out.push({
      name: value.metadata.name as string,
      file,
      ...(text(value.metadata.description) ? {description: value.metadata.description as string} : {}),
      ...(owner ? {owner} : {}),
      ...(text(spec.type) ? {type: spec.type as string} : {}),
      ...(text(spec.lifecycle) ? {lifecycle: spec.lifecycle as string} : {}),
      ...(text(spec.system) ? {system: spec.system as string} : {}),
    })
  }
  return out
}

/** Puts flow.yml services, catalog components, CODEOWNERS and the facts together. Pure. */
export function buildCatalog(input: {
  config: FlowConfig
  components: CatalogComponent[]
  codeowners?: string
  files: string[]
  deployments: DeploymentFact[]
  incidents: IncidentFact[]
  recent?: number
}): Service[] {
  const names = [...new Set([...Object.keys(input.config.services), ...input.components.map((c) => c.name)])].sort()
  const rules = input.codeowners ? parseCodeowners(input.codeowners) : []
  return names.map((name): Service => {
    const cfg = input.config.services[name]
    const comps = input.components.filter((c) => c.name === name)
    const comp = comps[0]
    const paths = cfg && cfg.paths.length > 0 ? cfg.paths : comps.map((c) => (dirname(c.file) === '.' ? '**' : `${dirname(c.file)}/**`))
    const match = paths.length > 0 ? picomatch(paths, {dot: true}) : () => false
    const files = input.files.filter((f) => match(f))
    const environments = [...new Set([...(cfg?.environments ?? []), ...Object.entries(input.config.environments).filter(([, e]) => e.services.includes(name)).map(([n]) => n)])]
    const deployments = input.deployments
      .filter((d) => d.services.includes(name))
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
      .slice(0, input.recent ?? 5)
      .map((d) => ({id: d.id, environment: d.environment, sha: d.sha, kind: d.kind, outcome: d.outcome, at: d.finishedAt ?? d.startedAt, ...(d.version ? {version: d.version} : {})}))
    const open = input.incidents
      .filter((i) => !i.drill && i.services.includes(name) && i.status !== 'resolved' && i.status !== 'closed')
      .sort((a, b) => b.declaredAt.localeCompare(a.declaredAt))
      .map((i) => ({id: i.id, title: i.title, severity: i.severity, status: i.status, declaredAt: i.declaredAt}))
    const description = cfg?.description ?? comp?.description
    const owner = cfg?.owner ?? comp?.owner
    return {
      name,
      ...(description ? {description} : {}),
      ...(owner ? {owner} : {}),
      codeowners: ownersFor(rules, files),
      sources: [...(cfg ? ['flow.yml'] : []), ...comps.map((c) => c.file)],
      paths,
      ...(comp?.type ? {type: comp.type} : {}),
      ...(comp?.lifecycle ? {lifecycle: comp.lifecycle} : {}),
      ...(comp?.system ? {system: comp.system} : {}),
      ...(cfg?.runbook ? {runbook: cfg.runbook} : {}),
      ...(cfg?.slo ? {slo: {target: cfg.slo.target, window: cfg.slo.window}} : {}),
      environments,
      recentDeployments: deployments,
      openIncidents: open,
    }
  })
}

/** The result of `flow service list`. */
export interface ServiceList {
  services: Service[]
}

/** Reads the catalog: catalog-info.yaml files known to git, flow.yml, CODEOWNERS and the records. */
export async function listServices(deps: Pick<Deps, 'config' | 'repo' | 'git' | 'records'>, input: {recent?: number} = {}): Promise<ServiceList> {
  const [{config}, repo, store] = await Promise.all([deps.config(), deps.repo(), deps.records()])
  const listed = await deps.git.run(['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {cwd: repo.root})
  const files = listed.split('\0').filter(Boolean)
  const catalogFiles = files.filter((f) => /(^|\/)catalog-info\.ya?ml$/.test(f))
  const components = (await Promise.all(catalogFiles.map(async (f) => parseCatalog(f, await readFile(join(repo.root, f), 'utf8'))))).flat()
  const {loadDeployments, loadIncidents} = await import('../metrics/sources.js')
  const [deployments, incidents, codeowners] = await Promise.all([loadDeployments(store), loadIncidents(store), findCodeowners(repo.root)])
  return {services: buildCatalog({config, components, ...(codeowners ? {codeowners: codeowners.text} : {}), files, deployments, incidents, ...(input.recent ? {recent: input.recent} : {})})}
}

/** One service by name (`flow service show`). */
export async function showService(deps: Parameters<typeof listServices>[0], input: {name: string}): Promise<Service> {
  const {services} = await listServices(deps, {recent: 10})
  const found = services.find((s) => s.name === input.name)
  if (!found) {
    throw new FlowError('SERVICE_NOT_FOUND', `No service ${input.name} in flow.yml or a catalog-info.yaml`, {hint: services.length > 0 ? `Known services: ${services.map((s) => s.name).join(', ')}.` : 'Add it under services in flow.yml, or a catalog-info.yaml (kind: Component).'})
  }
  return found
}
