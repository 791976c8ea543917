/**
 * Where the metrics get their facts. The environments and incidents features own the events and export the folds
 * (`deploymentFacts`, `incidentFacts`); until they are merged, these minimal folds read any event whose data holds
 * fact fields (later events override earlier ones), which is also the shape `flow metrics --import` writes.
 */
import {DEPLOYMENTS_COLLECTION, INCIDENTS_COLLECTION, type DeploymentFact, type HealthSample, type IncidentFact} from '../records/facts.js'
import {sortEvents} from '../records/fold.js'
import type {RecordEvent, RecordStore} from '../ports.js'

type Data = Record<string, unknown>

function merged(events: RecordEvent[]): {state: Data; health: HealthSample[]} {
  const state: Data = {}
  const health: HealthSample[] = []
  for (const event of sortEvents(events)) {
    const data = (event.data ?? {}) as Data
    if (event.type === 'health' && typeof data.ok === 'boolean') health.push({at: typeof data.at === 'string' ? data.at : event.at, ok: data.ok, ...(typeof data.detail === 'string' ? {detail: data.detail} : {})})
    else Object.assign(state, data)
  }
  return {state, health}
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [])

/** Every deployment record folded into its fact (minimal fold; see the module comment). */
export async function loadDeployments(store: RecordStore): Promise<DeploymentFact[]> {
  const records = await store.collection(DEPLOYMENTS_COLLECTION)
  const out: DeploymentFact[] = []
  for (const [id, events] of records) {
    if (events.length === 0) continue
    const {state, health} = merged(events)
    if (typeof state.environment !== 'string' || typeof state.sha !== 'string') continue
    out.push({
      ...(state as unknown as DeploymentFact),
      id,
      services: strings(state.services),
      kind: (state.kind as DeploymentFact['kind']) ?? 'deploy',
      outcome: (state.outcome as DeploymentFact['outcome']) ?? 'in_progress',
      startedAt: typeof state.startedAt === 'string' ? state.startedAt : (events[0] as RecordEvent).at,
      health: [...(Array.isArray(state.health) ? (state.health as HealthSample[]) : []), ...health],
    })
  }
  return out
}

/** Every incident record folded into its fact (minimal fold; see the module comment). */
export async function loadIncidents(store: RecordStore): Promise<IncidentFact[]> {
  const records = await store.collection(INCIDENTS_COLLECTION)
  const out: IncidentFact[] = []
  for (const [id, events] of records) {
    if (events.length === 0) continue
    const {state} = merged(events)
    out.push({
      ...(state as unknown as IncidentFact),
      id,
      title: typeof state.title === 'string' ? state.title : id,
      severity: typeof state.severity === 'string' ? state.severity : 'unknown',
      services: strings(state.services),
      environments: strings(state.environments),
      status: (state.status as IncidentFact['status']) ?? 'investigating',
      drill: state.drill === true,
      declaredAt: typeof state.declaredAt === 'string' ? state.declaredAt : (events[0] as RecordEvent).at,
      followUps: Array.isArray(state.followUps) ? (state.followUps as IncidentFact['followUps']) : [],
    })
  }
  return out
}
