import {describe, expect, test} from 'vitest'
import {MemoryRecordStore} from '../../../test/helpers/memory-record-store.js'
import type {RecordEvent} from '../ports.js'
import type {IncidentFact} from '../records/facts.js'
import {incidentFacts} from './facts.js'
import {durationsOf, foldIncident, formatSeconds, toFact} from './model.js'

const ev = (id: string, type: string, at: string, data: Record<string, unknown> = {}): RecordEvent => ({id, type, at: `2026-03-01T${at}:00.000Z`, data})

const declared = ev('A1', 'declared', '10:00', {title: 'Checkout 500s', severity: 'sev1', services: ['web'], environments: ['production'], drill: false, impactStartedAt: '2026-03-01T09:40:00.000Z', key: 'K1'})

describe('foldIncident', () => {
  test('folds the lifecycle into states, times, roles, cause and follow-ups', () => {
    const view = foldIncident({number: 1, recordId: 'INC-1', rootId: 'A1', events: [
      declared,
      ev('A2', 'acknowledged', '10:05', {root: 'A1'}),
      ev('A3', 'role', '10:06', {root: 'A1', role: 'commander', who: 'alice'}),
      ev('A4', 'cause', '10:10', {root: 'A1', deployment: 'DEP-4', sha: 'abc'}),
      ev('A5', 'update', '10:20', {root: 'A1', text: 'rolled back', status: 'mitigated'}),
      ev('A6', 'follow-up', '10:25', {root: 'A1', title: 'Alert on 5xx', key: 'F1', url: 'https://x/1'}),
      ev('A7', 'resolved', '10:40', {root: 'A1'}),
      ev('A8', 'follow-up-done', '10:50', {root: 'A1', followUp: 'F1'}),
      ev('A9', 'notified', '10:00', {root: 'A1', run: 'K1#0'}),
    ]})!
    expect(view).toMatchObject({
      id: 'INC-1', status: 'resolved', acknowledgedAt: '2026-03-01T10:05:00.000Z', mitigatedAt: '2026-03-01T10:20:00.000Z',
      resolvedAt: '2026-03-01T10:40:00.000Z', commander: 'alice', cause: {deployment: 'DEP-4', sha: 'abc'}, lastUpdateAt: '2026-03-01T10:20:00.000Z',
      followUps: [{title: 'Alert on 5xx', done: true, url: 'https://x/1'}],
    })
    expect(view.notifiedKeys.has('K1#0')).toBe(true)
    expect(view.timeline.map((t) => t.type)).toEqual(['impact-started', 'declared', 'acknowledged', 'role', 'cause', 'update', 'follow-up', 'resolved', 'follow-up-done'])
    expect(durationsOf(view)).toEqual({timeToAcknowledge: 300, timeToMitigate: 2400, timeToResolve: 3600})
  })

  test('the timeline is in time order, whatever order the events were written in (two clones merged)', () => {
    const view = foldIncident({number: 1, recordId: 'INC-1', rootId: 'A1', events: [declared, ev('B9', 'note', '10:03', {text: 'from b'}), ev('A2', 'note', '10:07', {text: 'from a'}), ev('B1', 'note', '10:05', {text: 'b again'})]})!
    expect(view.timeline.filter((t) => t.type === 'note').map((t) => t.summary)).toEqual(['Note: from b', 'Note: b again', 'Note: from a'])
  })

  test('a record without its declared event is no incident', () => {
    expect(foldIncident({number: 1, recordId: 'INC-1', rootId: 'X', events: [ev('A2', 'note', '10:00')]})).toBeUndefined()
  })

  test('states only move forward: a late "identified" update does not undo mitigation', () => {
    const view = foldIncident({number: 1, recordId: 'INC-1', rootId: 'A1', events: [declared, ev('A2', 'update', '10:10', {text: 'x', status: 'mitigated'}), ev('A3', 'update', '10:20', {text: 'y', status: 'identified'})]})!
    expect(view.status).toBe('mitigated')
  })

  test('durations fall back to detection, then the declaration', () => {
    expect(durationsOf({declaredAt: '2026-03-01T10:00:00Z', acknowledgedAt: '2026-03-01T10:01:00Z', resolvedAt: '2026-03-01T11:00:00Z'})).toEqual({timeToAcknowledge: 60, timeToResolve: 3600})
    expect(durationsOf({detectedAt: '2026-03-01T09:50:00Z', declaredAt: '2026-03-01T10:00:00Z', mitigatedAt: '2026-03-01T10:10:00Z'})).toEqual({timeToMitigate: 1200})
    expect(formatSeconds(42)).toBe('42s')
    expect(formatSeconds(3900)).toBe('1h 5m')
    expect(formatSeconds(90_000)).toBe('1d 1h')
  })
})

describe('incidentFacts', () => {
  test('returns exactly the shared IncidentFact shape, drills marked, numbers resolved', async () => {
    const store = new MemoryRecordStore()
    const root = await store.append('incidents', 'INC-1', {type: 'declared', data: {title: 'Real', severity: 'sev2', services: [], environments: [], drill: false, key: 'K1'}})
    await store.append('incidents', 'INC-1', {type: 'note', data: {root: root.id, text: 'x'}})
    await store.append('incidents', 'INC-1', {type: 'mirrored', data: {root: root.id, issue: 4, url: 'u'}})
    await store.append('incidents', 'INC-2', {type: 'declared', data: {title: 'Drill', severity: 'sev3', services: ['api'], environments: ['staging'], drill: true, key: 'K2'}})
    const facts = await incidentFacts(store)
    const expected: IncidentFact[] = [
      {id: 'INC-1', title: 'Real', severity: 'sev2', services: [], environments: [], status: 'investigating', drill: false, declaredAt: root.at, followUps: []},
      {id: 'INC-2', title: 'Drill', severity: 'sev3', services: ['api'], environments: ['staging'], status: 'investigating', drill: true, declaredAt: expect.any(String), followUps: []},
    ]
    expect(facts).toEqual(expected)
    expect(Object.keys(facts[0]!).sort()).toEqual(['declaredAt', 'drill', 'environments', 'followUps', 'id', 'services', 'severity', 'status', 'title'])
  })

  test('two clones that both declared INC-1 offline get INC-1 and INC-2 on every reader', async () => {
    const store = new MemoryRecordStore()
    await store.append('incidents', 'INC-1', {type: 'declared', data: {title: 'First', severity: 'sev1', key: 'K1'}})
    await store.append('incidents', 'INC-1', {type: 'declared', data: {title: 'Second', severity: 'sev2', key: 'K2'}})
    expect((await incidentFacts(store)).map((f) => `${f.id} ${f.title}`)).toEqual(['INC-1 First', 'INC-2 Second'])
  })

  test('toFact copies, so changing a fact never changes the view', () => {
    const view = foldIncident({number: 1, recordId: 'INC-1', rootId: 'A1', events: [declared]})!
    const fact = toFact(view)
    fact.services.push('x')
    expect(view.services).toEqual(['web'])
  })
})
