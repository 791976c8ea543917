import type {RecordStore} from '../ports.js'
import {DEPLOYMENTS_COLLECTION, type DeploymentFact, type DeploymentKind, type DeploymentOutcome} from '../records/facts.js'
import {byTime} from './model.js'

type Data = Record<string, unknown>
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)

const OUTCOMES: Record<string, DeploymentOutcome> = {success: 'success', succeeded: 'success', failure: 'failed', error: 'failed', failed: 'failed', rolled_back: 'rolled_back', 'rolled-back': 'rolled_back'}

/**
 * The deployments incidents look at for suspects.
 *
 * A minimal fold of the `deployments` collection (a record's first event gives sha, previousSha, environment and
 * services; later events with a `state`/`outcome` give the outcome), so incidents work before the environments
 * feature is merged. The lead rewires this body to env's `deploymentFacts(store)` (src/core/env/facts.ts) after the
 * merge; nothing else in incidents reads the deployment events.
 */
export async function loadDeployments(store: Pick<RecordStore, 'collection'>): Promise<DeploymentFact[]> {
  const out: DeploymentFact[] = []
  for (const [id, unsorted] of await store.collection(DEPLOYMENTS_COLLECTION)) {
    const events = byTime(unsorted)
    const first = events[0]
    if (!first) continue
    const d = (first.data ?? {}) as Data
    const sha = str(d.sha)
    const environment = str(d.environment)
    if (!sha || !environment) continue
    let outcome: DeploymentOutcome = 'in_progress'
    let finishedAt: string | undefined
    for (const event of events.slice(1)) {
      const e = (event.data ?? {}) as Data
      const state = OUTCOMES[str(e.outcome) ?? str(e.state) ?? event.type]
      if (state) {
        outcome = state
        finishedAt = event.at
      }
    }
    out.push({
      id,
      environment,
      services: Array.isArray(d.services) ? d.services.filter((s): s is string => typeof s === 'string') : [],
      sha,
      ...(str(d.previousSha) ? {previousSha: str(d.previousSha)} : {}),
      ...(str(d.version) ? {version: str(d.version)} : {}),
      kind: (str(d.kind) as DeploymentKind | undefined) ?? 'deploy',
      outcome,
      startedAt: str(d.startedAt) ?? first.at,
      ...(finishedAt ? {finishedAt} : {}),
      ...(first.actor ? {actor: first.actor} : {}),
      health: [],
    })
  }
  return out
}
