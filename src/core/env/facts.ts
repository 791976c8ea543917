import type {RecordEvent, RecordStore} from '../ports.js'
import {DEPLOYMENTS_COLLECTION, type DeploymentFact, type DeploymentKind, type DeploymentOutcome, type HealthSample} from '../records/facts.js'
import {resolveNumbers, type Numbering} from '../records/numbering.js'

/**
 * Deployment records (`deployments/DEP-n`): a `created` event (the record's root, the same shape the local forge
 * writes, so its listDeployments sees flow's deployments), then `status`, `mirrored`, `health` and `finished`
 * events naming the root in `data.root`. Locks and approvals live in the same collection as `LOCK-<env>` and
 * `APPROVALS-<env>` records, which have no `created` event and so no number.
 */

/** A deployment folded from its events: the shared fact plus what flow itself needs to run the next one. */
export interface DeploymentRecord extends DeploymentFact {
  number: number
  recordId: string
  rootId: string
  ref: string
  strategy?: string
  color?: string
  /** The GitHub deployment this one is mirrored to. */
  githubId?: number
  /** The token of the plan that created it (finds it again on resume). */
  token?: string
  /** The messages of the refusals a break-glass overrode. */
  overrides?: string[]
  /** The last forge-style status (`in_progress`, `success`, `failure`, `inactive`). */
  state?: string
}

type Data = Record<string, unknown>
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)

/** True for the event that creates a deployment record. */
export const isDeploymentRoot = (e: RecordEvent): boolean => e.type === 'created'

/** Every deployment record of the collection, numbers resolved. */
export function numberDeployments(collection: ReadonlyMap<string, readonly RecordEvent[]>): Numbering {
  return fastNumbering(collection) ?? resolveNumbers([{collection: DEPLOYMENTS_COLLECTION, records: deploymentsOnly(collection)}], isDeploymentRoot)
}

function deploymentsOnly(collection: ReadonlyMap<string, readonly RecordEvent[]>): Map<string, readonly RecordEvent[]> {
  return new Map([...collection].filter(([id]) => id.startsWith('DEP-')))
}

/**
 * The usual case without the general resolution: every `DEP-n` directory holds exactly one creating event, so
 * each record keeps its own number (what resolveNumbers would give), and the store already hands events oldest first.
 * Undefined when any directory is shared (a collision after an offline sync) or badly ordered.
 */
function fastNumbering(collection: ReadonlyMap<string, readonly RecordEvent[]>): Numbering | undefined {
  const records: Numbering['records'] = []
  let max = 0
  for (const [recordId, events] of collection) {
    if (!recordId.startsWith('DEP-')) continue
    const number = Number(recordId.slice(4))
    if (!Number.isInteger(number) || number < 1 || String(number) !== recordId.slice(4)) return undefined
    let root: RecordEvent | undefined
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!
      if (i > 0 && events[i - 1]!.id >= e.id) return undefined
      if (e.type === 'created') {
        if (root) return undefined
        root = e
      }
    }
    if (!root) continue
    records.push({number, claimed: number, collection: DEPLOYMENTS_COLLECTION, recordId, rootId: root.id, events: events as RecordEvent[]})
    if (number > max) max = number
  }
  records.sort((a, b) => a.number - b.number)
  return {records, next: max + 1}
}

/** Folds one numbered deployment record. */
export function foldDeploymentRecord(number: number, recordId: string, rootId: string, events: readonly RecordEvent[], servicesOf?: (env: string) => string[]): DeploymentRecord | undefined {
  const created = events.find((e) => e.id === rootId) ?? events.find(isDeploymentRoot)
  if (!created) return undefined
  const d = created.data as Data
  const environment = str(d.environment) ?? ''
  const breakGlass = d.breakGlass as {reason?: unknown; overrode?: unknown} | undefined
  // Optional fields are set one by one, in the fact's order (no object spread per field: 50,000 records are folded
  // at a time).
  const record = {
    id: `DEP-${number}`,
    number, recordId, rootId,
    environment,
    services: Array.isArray(d.services) ? d.services.filter((s): s is string => typeof s === 'string') : (servicesOf?.(environment) ?? []),
    sha: str(d.sha) ?? '',
    ref: str(d.ref) ?? '',
  } as DeploymentRecord
  setIf(record, 'previousSha', str(d.previousSha))
  setIf(record, 'version', str(d.version))
  record.kind = (str(d.kind) as DeploymentKind | undefined) ?? 'deploy'
  record.outcome = 'in_progress'
  record.startedAt = created.at
  setIf(record, 'rollbackOf', str(d.rollbackOf))
  if (breakGlass && typeof breakGlass.reason === 'string') {
    record.breakGlass = {reason: breakGlass.reason, overrode: Array.isArray(breakGlass.overrode) ? breakGlass.overrode.map(String) : []}
  }
  if (Array.isArray(d.overrides)) record.overrides = d.overrides.map(String)
  setIf(record, 'changeId', str(d.changeId))
  setIf(record, 'actor', created.actor || undefined)
  setIf(record, 'strategy', str(d.strategy))
  setIf(record, 'color', str(d.color))
  setIf(record, 'token', str(d.token))
  record.health = []
  for (const event of events) {
    const e = event.data as Data
    if (event.type === 'status') record.state = str(e.state)
    else if (event.type === 'mirrored' && typeof e.githubId === 'number') record.githubId = e.githubId
    else if (event.type === 'health' && Array.isArray(e.samples)) record.health.push(...(e.samples as HealthSample[]))
    else if (event.type === 'finished') {
      record.outcome = (str(e.outcome) as DeploymentOutcome | undefined) ?? record.outcome
      record.finishedAt = event.at
      if (str(e.rolledBackBy)) record.rolledBackBy = str(e.rolledBackBy)
    }
  }
  return record
}

/** Every deployment record of a store, oldest (lowest number) first. */
export async function deploymentRecords(store: RecordStore, servicesOf?: (env: string) => string[]): Promise<DeploymentRecord[]> {
  const numbering = numberDeployments(await store.collection(DEPLOYMENTS_COLLECTION))
  const out: DeploymentRecord[] = []
  for (const r of numbering.records) {
    const folded = foldDeploymentRecord(r.number, r.recordId, r.rootId, r.events, servicesOf)
    if (folded) out.push(folded)
  }
  return out
}

/** The shared read model of a deployment record: exactly the fields of DeploymentFact. */
export function toFact(r: DeploymentRecord): DeploymentFact {
  const fact = {id: r.id, environment: r.environment, services: r.services, sha: r.sha} as DeploymentFact
  setIf(fact, 'previousSha', r.previousSha || undefined)
  setIf(fact, 'version', r.version || undefined)
  fact.kind = r.kind
  fact.outcome = r.outcome
  fact.startedAt = r.startedAt
  setIf(fact, 'finishedAt', r.finishedAt || undefined)
  setIf(fact, 'rollbackOf', r.rollbackOf || undefined)
  setIf(fact, 'rolledBackBy', r.rolledBackBy || undefined)
  setIf(fact, 'breakGlass', r.breakGlass)
  setIf(fact, 'changeId', r.changeId || undefined)
  setIf(fact, 'actor', r.actor || undefined)
  fact.health = r.health
  return fact
}

/** Sets an optional field only when it has a value (absent, not undefined, otherwise). */
function setIf<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value
}

/**
 * Every deployment flow recorded, as the shared read model (src/core/records/facts.ts), oldest first: one read of
 * the collection, no per-record git calls. `services` is what the deployment recorded (flow.yml
 * `environments.<env>.services` when it ran).
 */
export async function deploymentFacts(store: RecordStore): Promise<DeploymentFact[]> {
  return (await deploymentRecords(store)).map(toFact)
}

/** The state of an environment's lock, folded from `LOCK-<env>`. */
export interface EnvLock {
  locked: boolean
  reason?: string
  by?: string
  at?: string
}

/** The record id of an environment's lock. */
export const lockRecordId = (env: string): string => `LOCK-${env}`
/** The record id of an environment's deploy approvals. */
export const approvalsRecordId = (env: string): string => `APPROVALS-${env}`

/** Folds the lock events of one environment. */
export function foldLock(events: readonly RecordEvent[]): EnvLock {
  let lock: EnvLock = {locked: false}
  for (const event of [...events].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const reason = str((event.data as Data).reason)
    if (event.type === 'locked') lock = {locked: true, ...(reason ? {reason} : {}), ...(event.actor ? {by: event.actor} : {}), at: event.at}
    else if (event.type === 'unlocked') lock = {locked: false}
  }
  return lock
}

/** Who approved deploying `sha` to an environment (distinct actors). */
export function approversOf(events: readonly RecordEvent[], sha: string): string[] {
  return [...new Set(events.filter((e) => e.type === 'approved' && (e.data as Data).sha === sha).map((e) => e.actor ?? 'unknown'))]
}

/** The deployment live in an environment: its latest successful one (by number). */
export function liveDeployment(records: readonly DeploymentRecord[], env: string): DeploymentRecord | undefined {
  let live: DeploymentRecord | undefined
  for (const r of records) if (r.environment === env && r.outcome === 'success' && (!live || r.number > live.number)) live = r
  return live
}
