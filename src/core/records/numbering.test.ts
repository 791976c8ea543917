import {describe, expect, test} from 'vitest'
import type {RecordEvent} from '../ports.js'
import {resolveNumbers} from './numbering.js'

const ev = (id: string, type: string, data: Record<string, unknown> = {}): RecordEvent => ({id, type, at: '2026-01-01T00:00:00.000Z', data})
const space = (collection: string, records: Record<string, RecordEvent[]>) => ({collection, records: new Map(Object.entries(records))})
const opened = (e: RecordEvent) => e.type === 'opened'
const summary = (spaces: Parameters<typeof resolveNumbers>[0]) => {
  const {records, next} = resolveNumbers(spaces, opened)
  return {numbers: records.map((r) => `${r.number}=${r.collection}/${r.recordId}@${r.rootId}:${r.events.map((e) => e.id).join(',')}`), next}
}

describe('resolveNumbers', () => {
  test('without collisions every record keeps its number and next is one more than the largest', () => {
    expect(summary([space('reviews', {'PR-1': [ev('A1', 'opened'), ev('A2', 'merged')], 'PR-3': [ev('A5', 'opened')]}), space('issues', {'ISSUE-2': [ev('A3', 'opened')]})])).toEqual({
      numbers: ['1=reviews/PR-1@A1:A1,A2', '2=issues/ISSUE-2@A3:A3', '3=reviews/PR-3@A5:A5'],
      next: 4,
    })
    expect(resolveNumbers([], opened)).toEqual({records: [], next: 1})
  })

  test('two roots in one directory: the older keeps the number, the younger gets the next free one; events follow data.root', () => {
    const events = [
      ev('B1', 'opened'), ev('A1', 'opened'), ev('A2', 'reviewed', {root: 'A1'}),
      ev('B2', 'reviewed', {root: 'B1'}), ev('B3', 'merged', {root: 'B1'}), ev('A0', 'commented'),
    ]
    expect(summary([space('reviews', {'PR-1': events, 'PR-2': [ev('C1', 'opened')]})])).toEqual({
      // A0 names no root (written before roots were named): it goes to the oldest root of its directory.
      numbers: ['1=reviews/PR-1@A1:A0,A1,A2', '2=reviews/PR-2@C1:C1', '3=reviews/PR-1@B1:B1,B2,B3'],
      next: 4,
    })
  })

  test('the order of the events given does not matter, and every event ends in exactly one record', () => {
    const events = [ev('B1', 'opened'), ev('A1', 'opened'), ev('C1', 'opened'), ev('B2', 'x', {root: 'B1'}), ev('C2', 'x', {root: 'C1'}), ev('Z9', 'x', {root: 'gone'})]
    const one = summary([space('reviews', {'PR-1': events})])
    const other = summary([space('reviews', {'PR-1': [...events].reverse()})])
    expect(one).toEqual(other)
    expect(one.numbers).toEqual(['1=reviews/PR-1@A1:A1,Z9', '2=reviews/PR-1@B1:B1,B2', '3=reviews/PR-1@C1:C1,C2'])
  })

  test('collisions across collections of one space; a given number skips every claimed one and survives a later claim above it', () => {
    const shared = (extra: Record<string, RecordEvent[]> = {}) => [
      space('reviews', {'PR-1': [ev('B1', 'opened')], 'PR-2': [ev('A2', 'opened')], ...extra}),
      space('issues', {'ISSUE-1': [ev('A1', 'opened')]}),
    ]
    expect(summary(shared())).toEqual({numbers: ['1=issues/ISSUE-1@A1:A1', '2=reviews/PR-2@A2:A2', '3=reviews/PR-1@B1:B1'], next: 4})
    // A synced clone claims next (4): the record given 3 keeps it.
    expect(summary(shared({'PR-4': [ev('D1', 'opened')]})).numbers).toContain('3=reviews/PR-1@B1:B1')
    // An offline clone that also claimed 3 wins it; the given record moves to the next free number.
    expect(summary(shared({'PR-3': [ev('E1', 'opened')]})).numbers).toEqual(['1=issues/ISSUE-1@A1:A1', '2=reviews/PR-2@A2:A2', '3=reviews/PR-3@E1:E1', '4=reviews/PR-1@B1:B1'])
  })

  test('a directory without a creating event is left out; one without a number gets a free number', () => {
    expect(summary([space('reviews', {'PR-1': [ev('A1', 'commented')], draft: [ev('A2', 'opened')], 'PR-2': [ev('A3', 'opened')]})])).toEqual({
      numbers: ['1=reviews/draft@A2:A2', '2=reviews/PR-2@A3:A3'],
      next: 3,
    })
  })
})
