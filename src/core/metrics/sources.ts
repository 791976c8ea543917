/**
 * Where the metrics, the service catalog and the process document get their facts: the folds the environments and
 * incidents features own (their events are theirs to change; the facts of src/core/records/facts.ts are the contract).
 */
import {deploymentFacts} from '../env/facts.js'
import {incidentFacts} from '../incidents/facts.js'
import type {RecordStore} from '../ports.js'
import type {DeploymentFact, IncidentFact} from '../records/facts.js'

/** Every deployment flow recorded, as the shared read model. */
export function loadDeployments(store: RecordStore): Promise<DeploymentFact[]> {
  return deploymentFacts(store)
}

/** Every incident (drills included, marked), as the shared read model. */
export function loadIncidents(store: RecordStore): Promise<IncidentFact[]> {
  return incidentFacts(store)
}
