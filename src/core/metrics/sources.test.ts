import {expect, test} from 'vitest'
import {MemoryRecordStore} from '../../../test/helpers/memory-record-store.js'
import type {DeploymentFact, IncidentFact} from '../records/facts.js'
import {deploymentEvents, incidentEvents, writeFactEvents} from './fact-events.js'
import {loadDeployments, loadIncidents} from './sources.js'

test('facts written as events fold back into the same facts through the environments and incidents folds', async () => {
  const store = new MemoryRecordStore()
  const deployments: DeploymentFact[] = [
    {id: 'DEP-1', environment: 'production', services: ['web'], sha: 'a'.repeat(40), kind: 'deploy', outcome: 'rolled_back', rolledBackBy: 'DEP-2', startedAt: '2026-01-01T10:00:00.000Z', finishedAt: '2026-01-01T10:05:00.000Z', health: [{at: '2026-01-01T10:04:00.000Z', ok: false, detail: '503'}]},
    {id: 'DEP-2', environment: 'production', services: ['web'], sha: 'b'.repeat(40), previousSha: 'a'.repeat(40), version: '1.2.0', kind: 'rollback', rollbackOf: 'DEP-1', outcome: 'success', startedAt: '2026-01-01T10:05:00.000Z', finishedAt: '2026-01-01T10:09:00.000Z', health: []},
    {id: 'DEP-3', environment: 'staging', services: [], sha: 'c'.repeat(40), kind: 'hotfix', outcome: 'in_progress', startedAt: '2026-01-02T10:00:00.000Z', health: []},
  ]
  const incidents: IncidentFact[] = [
    {id: 'INC-1', title: 'Down', severity: 'sev1', services: ['web'], environments: ['production'], status: 'closed', drill: false, impactStartedAt: '2026-01-01T10:03:00.000Z', detectedAt: '2026-01-01T10:04:00.000Z', declaredAt: '2026-01-01T10:06:00.000Z', acknowledgedAt: '2026-01-01T10:07:00.000Z', mitigatedAt: '2026-01-01T10:09:00.000Z', resolvedAt: '2026-01-01T11:00:00.000Z', closedAt: '2026-01-03T11:00:00.000Z', cause: {deployment: 'DEP-1'}, followUps: [{title: 'alert', done: true}, {title: 'test', done: false}], postmortem: {path: 'docs/postmortems/INC-1.md', at: '2026-01-02T11:00:00.000Z'}},
    {id: 'INC-2', title: 'Drill', severity: 'sev3', services: [], environments: [], status: 'investigating', drill: true, declaredAt: '2026-01-05T10:00:00.000Z', followUps: []},
  ]
  await writeFactEvents(store, deployments.map((d) => deploymentEvents(d)))
  await writeFactEvents(store, incidents.map((i) => incidentEvents(i)))
  expect(await loadDeployments(store)).toEqual(deployments)
  expect(await loadIncidents(store)).toEqual(incidents)
})
