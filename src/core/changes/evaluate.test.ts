import {describe, expect, test} from 'vitest'
import type {RecordEvent} from '../ports.js'
import {countDecisions, evaluateCheck, findConflicts, overlaps} from './evaluate.js'
import {foldChange, numberChanges, type Change, type ChangeDecision} from './model.js'

const ev = (id: string, type: string, data: Record<string, unknown>, at = '2026-06-10T10:00:00.000Z', actor = 'author@example.com'): RecordEvent => ({id, type, at, actor, data})

const created = (data: Record<string, unknown> = {}) => ev('01A', 'created', {
  type: 'normal', title: 'Add index', author: 'author@example.com', binding: {kind: 'branch', branch: 'feature/x', base: 'main'},
  environments: ['production'], services: ['checkout'], risk: {score: 60, approvals: 2, reasons: [], files: 1, lines: 1, teams: [], services: [], sensitive: []}, ...data,
})

const change = (events: RecordEvent[]): Change => foldChange(1, events)!
const approval = (by: string, at = '2026-06-10T11:00:00.000Z', extra: Partial<ChangeDecision> = {}): ChangeDecision => ({by, decision: 'approved', at, via: 'local', ...extra})
const now = new Date('2026-06-10T12:00:00Z')
const gates = {required: ['test'], results: [{name: 'test', status: 'passed'}], head: 'abc1234'}

describe('foldChange', () => {
  test('folds decisions, break-glass, checks and closing into the change', () => {
    const c = change([
      created(),
      ev('01B', 'decided', {decision: approval('alice@example.com')}),
      ev('01C', 'break-glass', {reason: 'outage', by: 'alice@example.com'}),
      ev('01D', 'closed', {code: 'successful', by: 'author@example.com'}),
    ])
    expect(c).toMatchObject({id: 'CHG-1', status: 'closed', reviewAfter: true, closed: {code: 'successful'}, breakGlass: [{reason: 'outage'}]})
    expect(c.decisions).toHaveLength(1)
  })

  test('two clones that both created CHG-1 offline keep distinct numbers, the older root keeping 1', () => {
    const records = new Map([['CHG-1', [ev('01B', 'created', {title: 'b'}), ev('01A', 'created', {title: 'a'}), ev('01C', 'decided', {root: '01B', decision: approval('x')})]]])
    const numbering = numberChanges(records)
    expect(numbering.records.map((r) => [r.number, r.rootId])).toEqual([[1, '01A'], [2, '01B']])
    expect(numbering.next).toBe(3)
    expect(foldChange(2, numbering.records[1]!.events)?.decisions).toHaveLength(1)
  })
})

describe('evaluateCheck', () => {
  test('lists every reason: approvals, rejection, gates, window, freeze and conflicts', () => {
    const c = change([created({window: {start: '2026-06-10T13:00:00.000Z', end: '2026-06-10T14:00:00.000Z'}})])
    const counted = countDecisions(c, [approval('author@example.com'), approval('alice@example.com'), {...approval('bob@example.com'), decision: 'rejected', comment: 'no'}])
    const check = evaluateCheck({
      change: c, now, approvals: counted.approvals, ignored: counted.ignored,
      gates: {required: ['test', 'lint'], results: [{name: 'test', status: 'failed'}], head: 'abc1234def'},
      freeze: {text: '2026-06-01..2026-06-20', start: '2026-06-01T00:00:00.000Z', end: '2026-06-21T00:00:00.000Z'},
      conflicts: [{id: 'CHG-2', title: 'Other', shared: ['production'], window: {start: '2026-06-10T13:30:00.000Z', end: '2026-06-10T15:00:00.000Z'}}],
    }, counted.rejections)
    expect(check.ok).toBe(false)
    expect(check.reasons).toEqual([
      'needs 2 approvals, has 1 (alice@example.com)',
      'rejected by bob@example.com: no',
      'gate test failed on abc1234',
      'gate lint has not passed on abc1234 (run flow gates run submit)',
      'the planned window starts at 2026-06-10T13:00:00.000Z',
      'inside the freeze 2026-06-01..2026-06-20 until 2026-06-21T00:00:00.000Z (override with --break-glass "reason")',
      'conflicts with CHG-2 (Other) on production, 2026-06-10T13:30:00.000Z..2026-06-10T15:00:00.000Z',
    ])
    expect(check.approvals.ignored).toEqual([{by: 'author@example.com', why: 'the author cannot approve their own change'}])
  })

  test('passes with two peer approvals and green gates; a break-glass lifts the freeze', () => {
    const c = change([created(), ev('01B', 'break-glass', {reason: 'outage', by: 'alice@example.com'})])
    const check = evaluateCheck({change: c, now, approvals: [approval('alice@example.com'), approval('bob@example.com')], ignored: [], gates, freeze: {text: 'f', start: '2026-06-01T00:00:00.000Z', end: '2026-06-21T00:00:00.000Z'}, conflicts: []})
    expect(check).toMatchObject({ok: true, reasons: [], freeze: {brokenGlass: true}, gates: {ok: true}})
  })

  test('a pre-approved standard change needs no approval', () => {
    const c = change([created({type: 'standard', preApproved: true, template: 'lockfile'})])
    expect(evaluateCheck({change: c, now, approvals: [], ignored: [], gates, conflicts: []})).toMatchObject({ok: true, approvals: {required: 0, preApproved: true}})
  })

  test('on GitHub, reviews by people who are not code owners do not count, and a later approval replaces a rejection', () => {
    const c = change([created()])
    const counted = countDecisions(c, [
      {...approval('mallory', undefined, {login: 'mallory', via: 'github'})},
      {...approval('bob', '2026-06-10T10:00:00.000Z', {login: 'bob', via: 'github'}), decision: 'rejected'},
      approval('bob', '2026-06-10T11:00:00.000Z', {login: 'bob', via: 'github'}),
    ], (login) => login === 'bob')
    expect(counted.approvals.map((a) => a.login)).toEqual(['bob'])
    expect(counted.rejections).toEqual([])
    expect(counted.ignored).toEqual([{by: 'mallory', why: 'not a code owner of the changed paths'}])
  })
})

describe('findConflicts', () => {
  const at = (start: string, end: string) => ({start: `2026-06-10T${start}:00.000Z`, end: `2026-06-10T${end}:00.000Z`})
  test('open changes on a shared environment or service with overlapping windows conflict; others do not', () => {
    const mine = change([created({window: at('10:00', '12:00')})])
    const other = (n: number, data: Record<string, unknown>, closed = false) => {
      const folded = foldChange(n, [created({title: `c${n}`, ...data}), ...(closed ? [ev('01Z', 'closed', {code: 'successful'})] : [])])!
      return folded
    }
    const conflicts = findConflicts(mine, [
      other(2, {window: at('11:00', '13:00')}),
      other(3, {window: at('12:00', '13:00')}),
      other(4, {window: at('11:00', '13:00'), environments: ['staging'], services: []}),
      other(5, {window: at('11:00', '13:00')}, true),
      other(6, {environments: ['staging'], services: ['checkout'], window: at('09:00', '10:30')}),
    ])
    expect(conflicts.map((c) => [c.id, c.shared])).toEqual([['CHG-2', ['production', 'checkout']], ['CHG-6', ['checkout']]])
    expect(overlaps(at('10:00', '11:00'), at('11:00', '12:00'))).toBe(false)
  })
})
