/**
 * Facts written as the events the environments and incidents features fold (src/core/env/facts.ts,
 * src/core/incidents/model.ts): `--import` uses it, and so do tests and the benchmark that seed history.
 * Two commits: the creating events first, then the later events naming their root in `data.root`.
 */
import type {NewRecordEvent, RecordStore} from '../ports.js'
import {DEPLOYMENTS_COLLECTION, INCIDENTS_COLLECTION, type DeploymentFact, type IncidentFact} from '../records/facts.js'

type Entry = {collection: string; recordId: string; event: NewRecordEvent}
type Later = (root: string) => Entry[]

/** A deployment fact as a `created` event and its `mirrored`, `health` and `finished` events. */
export function deploymentEvents(fact: DeploymentFact, extra: {ref?: string; githubId?: number} = {}): {root: Entry; later: Later} {
  const {id, health, outcome, finishedAt, rolledBackBy, startedAt, actor, ...rest} = fact
  const root: Entry = {collection: DEPLOYMENTS_COLLECTION, recordId: id, event: {type: 'created', at: startedAt, ...(actor ? {actor} : {}), data: {...rest, ref: extra.ref ?? fact.sha}}}
  const later: Later = (rootId) => [
    ...(extra.githubId === undefined ? [] : [{collection: DEPLOYMENTS_COLLECTION, recordId: id, event: {type: 'mirrored', at: startedAt, data: {root: rootId, githubId: extra.githubId}}}]),
    ...(health.length === 0 ? [] : [{collection: DEPLOYMENTS_COLLECTION, recordId: id, event: {type: 'health', at: health.at(-1)!.at, data: {root: rootId, samples: health}}}]),
    ...(outcome === 'in_progress' ? [] : [{collection: DEPLOYMENTS_COLLECTION, recordId: id, event: {type: 'finished', at: finishedAt ?? startedAt, data: {root: rootId, outcome, ...(rolledBackBy ? {rolledBackBy} : {})}}}]),
  ]
  return {root, later}
}

/** An incident fact as a `declared` event and the lifecycle events that fold back into it. */
export function incidentEvents(fact: IncidentFact, extra: {issue?: {number: number; url: string}} = {}): {root: Entry; later: Later} {
  const e = (type: string, at: string, data: Record<string, unknown>): Entry => ({collection: INCIDENTS_COLLECTION, recordId: fact.id, event: {type, at, data}})
  const root = e('declared', fact.declaredAt, {
    title: fact.title, severity: fact.severity, services: fact.services, environments: fact.environments, drill: fact.drill,
    ...(fact.impactStartedAt ? {impactStartedAt: fact.impactStartedAt} : {}),
    ...(fact.detectedAt ? {detectedAt: fact.detectedAt} : {}),
  })
  const later: Later = (rootId) => {
    const r = {root: rootId}
    const out: Entry[] = []
    if (extra.issue) out.push(e('mirrored', fact.declaredAt, {...r, issue: extra.issue.number, url: extra.issue.url}))
    if (fact.acknowledgedAt) out.push(e('acknowledged', fact.acknowledgedAt, r))
    if (fact.cause) out.push(e('cause', fact.acknowledgedAt ?? fact.declaredAt, {...r, ...fact.cause}))
    if (fact.mitigatedAt) out.push(e('status', fact.mitigatedAt, {...r, status: 'mitigated'}))
    if (fact.status === 'identified' && !fact.cause) out.push(e('status', fact.declaredAt, {...r, status: 'identified'}))
    if (fact.status === 'resolved' || fact.status === 'closed') out.push(e('resolved', fact.resolvedAt ?? fact.declaredAt, r))
    if (fact.status === 'closed') out.push(e('closed', fact.closedAt ?? fact.resolvedAt ?? fact.declaredAt, r))
    fact.followUps.forEach((f, i) => {
      out.push(e('follow-up', fact.declaredAt, {...r, key: `F${i + 1}`, title: f.title, ...(f.url ? {url: f.url} : {})}))
      if (f.done) out.push(e('follow-up-done', fact.resolvedAt ?? fact.declaredAt, {...r, followUp: `F${i + 1}`}))
    })
    if (fact.postmortem) out.push(e('postmortem', fact.postmortem.at, {...r, path: fact.postmortem.path}))
    return out
  }
  return {root, later}
}

/** Writes the facts' events in two commits (roots, then the events naming them); returns how many events. */
export async function writeFactEvents(store: RecordStore, records: Array<{root: Entry; later: Later}>): Promise<number> {
  if (records.length === 0) return 0
  const roots = await store.appendMany(records.map((r) => r.root))
  const rest = records.flatMap((r, i) => r.later(roots[i]!.id))
  await store.appendMany(rest)
  return roots.length + rest.length
}
