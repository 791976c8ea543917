import {describe, expect, test} from 'vitest'
import {sortEvents} from './fold.js'
import {compareRecordIds, sortRecordIds} from './layout.js'

describe('sortRecordIds: the order of compareRecordIds, faster for the usual ids', () => {
  test.each([
    [['DEP-10', 'DEP-2', 'DEP-1', 'DEP-100']],
    [['INC-3', 'INC-02', 'INC-1']],
    [['v1.10.0', 'v1.2.0', 'pkg/v1.0.0', 'v2.0.0+build.5']],
    [['A5-3', 'A10-3', 'A1']],
    [['X15', 'X105', 'X9']],
    [['LOCK-prod', 'DEP-3', 'APPROVALS-prod', 'DEP-12']],
    [['DEP-999999999999999999', 'DEP-2']],
    [[]],
  ])('%j', (ids) => {
    expect(sortRecordIds(ids)).toEqual([...ids].sort(compareRecordIds))
  })

  test('25,000 deployment ids in the order ls-tree lists them', () => {
    const ids = Array.from({length: 25000}, (_, i) => `DEP-${i + 1}`).sort()
    expect(sortRecordIds(ids)).toEqual([...ids].sort(compareRecordIds))
  })
})

describe('sortEvents', () => {
  const e = (id: string) => ({id, type: 't', at: '2026-01-01T00:00:00Z', data: {}})
  test('events in order come back as a copy; others sorted, repeats of an id dropped', () => {
    const inOrder = [e('A'), e('B'), e('C')]
    const sorted = sortEvents(inOrder)
    expect(sorted).toEqual(inOrder)
    expect(sorted).not.toBe(inOrder)
    expect(sortEvents([e('C'), e('A'), e('B'), e('A')]).map((x) => x.id)).toEqual(['A', 'B', 'C'])
    expect(sortEvents([e('A'), e('A')]).map((x) => x.id)).toEqual(['A'])
  })
})
