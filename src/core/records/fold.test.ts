import {describe, expect, test} from 'vitest'
import type {RecordEvent} from '../ports.js'
import {buildTimeline, foldEvents, nextNumberOf, sortEvents} from './fold.js'

const ev = (id: string, type: string, at: string, data: Record<string, unknown> = {}): RecordEvent => ({id, type, at, data})

describe('sortEvents', () => {
  test('orders by id and keeps one copy of a repeated id', () => {
    const events = [ev('01B', 'b', '2026-01-01T00:00:02Z'), ev('01A', 'a', '2026-01-01T00:00:01Z'), ev('01B', 'b', '2026-01-01T00:00:02Z'), ev('01C', 'c', '2026-01-01T00:00:03Z')]
    expect(sortEvents(events).map((e) => e.id)).toEqual(['01A', '01B', '01C'])
  })

  test('does not reorder the caller array', () => {
    const events = [ev('02', 'x', 'x'), ev('01', 'y', 'y')]
    sortEvents(events)
    expect(events.map((e) => e.id)).toEqual(['02', '01'])
  })
})

describe('foldEvents', () => {
  type Incident = {status: string; notes: string[]; severity?: number}
  const reducer = (state: Incident, event: RecordEvent): Incident => {
    switch (event.type) {
      case 'declared': return {...state, status: 'open', severity: event.data.sev as number}
      case 'note': return {...state, notes: [...state.notes, event.data.text as string]}
      case 'resolved': return {...state, status: 'resolved'}
      default: return state
    }
  }

  test('folds events oldest first whatever order they arrive in', () => {
    const events = [
      ev('01D', 'resolved', '2026-01-01T00:04:00Z'),
      ev('01B', 'note', '2026-01-01T00:01:00Z', {text: 'first'}),
      ev('01A', 'declared', '2026-01-01T00:00:00Z', {sev: 1}),
      ev('01C', 'note', '2026-01-01T00:02:00Z', {text: 'second'}),
    ]
    expect(foldEvents(events, reducer, {status: 'none', notes: []})).toEqual({status: 'resolved', severity: 1, notes: ['first', 'second']})
  })

  test('an empty history is the initial state', () => {
    expect(foldEvents([], reducer, {status: 'none', notes: []})).toEqual({status: 'none', notes: []})
  })
})

describe('buildTimeline', () => {
  test('gives each event its offset from the first and a summary', () => {
    const events = [
      {...ev('01B', 'note', '2026-01-01T00:01:30Z', {text: 'db restarted'}), actor: 'ana@example.com'},
      ev('01A', 'declared', '2026-01-01T00:00:00Z'),
    ]
    const timeline = buildTimeline(events, (e) => (e.type === 'note' ? `note: ${e.data.text}` : undefined))
    expect(timeline).toEqual([
      {id: '01A', at: '2026-01-01T00:00:00Z', type: 'declared', sinceStart: 0, summary: 'declared'},
      {id: '01B', at: '2026-01-01T00:01:30Z', type: 'note', actor: 'ana@example.com', sinceStart: 90, summary: 'note: db restarted'},
    ])
  })
})

describe('nextNumberOf', () => {
  test('is one more than the largest trailing number', () => {
    expect(nextNumberOf(['INC-2', 'INC-10', 'INC-9'])).toBe(11)
    expect(nextNumberOf(['PR-1', 'notes'])).toBe(2)
    expect(nextNumberOf([])).toBe(1)
  })
})
