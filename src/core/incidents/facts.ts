import type {RecordStore} from '../ports.js'
import {INCIDENTS_COLLECTION, type IncidentFact} from '../records/facts.js'
import {resolveNumbers, type Numbering} from '../records/numbering.js'
import {DECLARED, foldIncident, toFact, type IncidentView} from './model.js'

/** Every incident record of the store, numbers resolved (one read of the collection). */
export async function incidentNumbering(store: Pick<RecordStore, 'collection'>): Promise<Numbering> {
  return resolveNumbers([{collection: INCIDENTS_COLLECTION, records: await store.collection(INCIDENTS_COLLECTION)}], (e) => e.type === DECLARED)
}

/** Every incident folded, oldest number first, drills included (each says so). */
export function incidentViews(numbering: Numbering): IncidentView[] {
  return numbering.records.flatMap((record) => foldIncident(record) ?? [])
}

/** The shared read model of every incident (drills included, marked `drill: true`), for metrics and change control. */
export async function incidentFacts(store: RecordStore): Promise<IncidentFact[]> {
  return incidentViews(await incidentNumbering(store)).map(toFact)
}
