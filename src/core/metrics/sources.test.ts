import {expect, test} from 'vitest'
import {MemoryRecordStore} from '../../../test/helpers/memory-record-store.js'
import {loadDeployments, loadIncidents} from './sources.js'

test('the minimal folds merge each event\'s fact fields in order, collect health samples and fill defaults', async () => {
  const store = new MemoryRecordStore()
  await store.append('deployments', 'DEP-1', {type: 'started', at: '2026-01-01T10:00:00Z', data: {environment: 'production', sha: 'abc', services: ['web'], startedAt: '2026-01-01T10:00:00Z'}})
  await store.append('deployments', 'DEP-1', {type: 'health', at: '2026-01-01T10:01:00Z', data: {ok: false, detail: '503'}})
  await store.append('deployments', 'DEP-1', {type: 'finished', at: '2026-01-01T10:02:00Z', data: {outcome: 'rolled_back', finishedAt: '2026-01-01T10:02:00Z', rolledBackBy: 'DEP-2'}})
  await store.append('deployments', 'DEP-3', {type: 'note', data: {text: 'no environment: not a deployment fact'}})
  await store.append('incidents', 'INC-1', {type: 'declared', at: '2026-01-01T11:00:00Z', data: {title: 'Down', severity: 'sev1'}})
  await store.append('incidents', 'INC-1', {type: 'resolved', at: '2026-01-01T12:00:00Z', data: {status: 'resolved', resolvedAt: '2026-01-01T12:00:00Z'}})
  expect(await loadDeployments(store)).toEqual([{
    id: 'DEP-1', environment: 'production', sha: 'abc', services: ['web'], kind: 'deploy', outcome: 'rolled_back', rolledBackBy: 'DEP-2',
    startedAt: '2026-01-01T10:00:00Z', finishedAt: '2026-01-01T10:02:00Z', health: [{at: '2026-01-01T10:01:00Z', ok: false, detail: '503'}],
  }])
  expect(await loadIncidents(store)).toEqual([{
    id: 'INC-1', title: 'Down', severity: 'sev1', services: [], environments: [], status: 'resolved', drill: false,
    declaredAt: '2026-01-01T11:00:00Z', resolvedAt: '2026-01-01T12:00:00Z', followUps: [],
  }])
})
