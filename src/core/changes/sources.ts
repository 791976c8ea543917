import type {RecordEvent, RecordStore} from '../ports.js'
import {sortEvents} from '../records/fold.js'
import {DEPLOYMENTS_COLLECTION, INCIDENTS_COLLECTION, type DeploymentFact, type DeploymentOutcome, type IncidentFact} from '../records/facts.js'

/*
 * Where change control reads deployments and incidents from. These are minimal, tolerant folds of the raw events
 * so change control works on its own; once the environments and incidents features are merged, the lead rewires
 * them to `deploymentFacts(store)` (src/core/env/facts.ts) and `incidentFacts(store)` (src/core/incidents/facts.ts).
 */

type Data = Record<string, unknown>
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [])

const OUTCOME: Record<string, DeploymentOutcome> = {success: 'success', failure: 'failed', error: 'failed', failed: 'failed', inactive: 'success', rolled_back: 'rolled_back'}

/** Folds one deployment record (the local forge's `created` and `status` events), or undefined. */
export function foldDeploymentFact(id: string, events: readonly RecordEvent[]): DeploymentFact | undefined {
  const sorted = sortEvents(events)
  const created = sorted.find((e) => e.type === 'created' || e.type === 'started')
  if (!created) return undefined
  const d = created.data as Data
  const payload = (d.payload ?? {}) as Data
  let outcome: DeploymentOutcome = 'in_progress'
  let finishedAt: string | undefined
  for (const e of sorted) {
    const state = str((e.data as Data).state) ?? str((e.data as Data).outcome)
    if ((e.type === 'status' || e.type === 'finished') && state && OUTCOME[state]) {
      outcome = OUTCOME[state]!
      finishedAt = e.at
    }
  }
  const changeId = str(d.changeId) ?? str(payload.changeId)
  return {
    id,
    environment: str(d.environment) ?? '',
    services: strings(d.services),
    sha: str(d.sha) ?? '',
    kind: 'deploy',
    outcome,
    startedAt: created.at,
    ...(finishedAt ? {finishedAt} : {}),
    ...(changeId ? {changeId} : {}),
    ...(created.actor ? {actor: created.actor} : {}),
    health: [],
  }
}

/** Every deployment flow recorded, as DeploymentFact. */
export async function loadDeployments(store: RecordStore): Promise<DeploymentFact[]> {
  const out: DeploymentFact[] = []
  for (const [id, events] of await store.collection(DEPLOYMENTS_COLLECTION)) {
    const fact = foldDeploymentFact(id, events)
    if (fact) out.push(fact)
  }
  return out
}

/** Every incident flow recorded, as IncidentFact (a minimal fold of the `declared` event and the status changes). */
export async function loadIncidents(store: RecordStore): Promise<IncidentFact[]> {
  const out: IncidentFact[] = []
  for (const [id, events] of await store.collection(INCIDENTS_COLLECTION)) {
    const sorted = sortEvents(events)
    const declared = sorted.find((e) => e.type === 'declared')
    if (!declared) continue
    const d = declared.data as Data
    out.push({
      id,
      title: str(d.title) ?? '',
      severity: str(d.severity) ?? '',
      services: strings(d.services),
      environments: strings(d.environments),
      status: sorted.some((e) => e.type === 'resolved') ? 'resolved' : 'investigating',
      drill: d.drill === true,
      declaredAt: str(d.declaredAt) ?? declared.at,
      followUps: [],
    })
  }
  return out
}
