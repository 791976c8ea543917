import {describe, expect, test} from 'vitest'
import type {HistoryEntry} from './history.js'
import {parseHistory} from './history.js'
import {workflowReport} from './workflow.js'

const gate = (at: string, name: string, status: 'passed' | 'failed' | 'cached' | 'skipped', durationMs: number, inputs?: string): HistoryEntry =>
  ({type: 'gate', at, gate: name, status, durationMs, ...(inputs ? {inputs} : {})})
const run = (command: string, startedAt: string, finishedAt: string, extra: Partial<Extract<HistoryEntry, {type: 'run'}>> = {}): HistoryEntry =>
  ({type: 'run', id: `${command}-${startedAt}`, command, status: 'done', startedAt, finishedAt, created: [], deleted: [], ...extra})

describe('workflowReport', () => {
  const since = new Date('2026-11-01T00:00:00Z')
  const until = new Date('2026-11-30T00:00:00Z')
  const history: HistoryEntry[] = [
    gate('2026-10-30T10:00:00Z', 'lint', 'failed', 999, 'k0'), // before the window
    gate('2026-11-02T10:00:00Z', 'lint', 'passed', 100, 'k1'),
    gate('2026-11-02T11:00:00Z', 'lint', 'cached', 0, 'k1'),
    gate('2026-11-03T10:00:00Z', 'test', 'failed', 300, 'k2'),
    gate('2026-11-03T10:05:00Z', 'test', 'passed', 500, 'k2'), // flaky: failed then passed on k2
    gate('2026-11-03T11:00:00Z', 'test', 'failed', 400, 'k3'),
    gate('2026-11-03T11:05:00Z', 'test', 'failed', 400, 'k3'),
    gate('2026-11-03T11:10:00Z', 'test', 'cached', 0, 'k3'), // flaky again (a cached pass counts as a pass)
    gate('2026-11-04T10:00:00Z', 'test', 'failed', 200, 'k4'),
    gate('2026-11-04T10:10:00Z', 'test', 'passed', 200, 'k5'), // other inputs: not flaky
    gate('2026-11-04T10:20:00Z', 'e2e', 'skipped', 0, 'k6'),
    {type: 'gates', at: '2026-11-02T10:00:00Z', stage: 'submit', ok: true, durationMs: 1000},
    {type: 'gates', at: '2026-11-03T10:00:00Z', stage: 'submit', ok: false, durationMs: 3000},
    {type: 'gates', at: '2026-11-03T10:00:00Z', ok: true, durationMs: 50},
    run('feature start', '2026-11-05T09:00:00Z', '2026-11-05T09:00:01Z', {created: ['feature/a']}),
    run('feature submit', '2026-11-05T12:00:00Z', '2026-11-05T12:00:02Z', {branch: 'feature/a', pullRequest: {number: 7, opened: true}}),
    run('feature submit', '2026-11-05T13:00:00Z', '2026-11-05T13:00:02Z', {branch: 'feature/a', pullRequest: {number: 7, opened: false}}),
    run('feature finish', '2026-11-06T09:00:00Z', '2026-11-06T09:00:05Z', {branch: 'feature/a', deleted: ['feature/a']}),
    run('feature start', '2026-11-07T09:00:00Z', '2026-11-07T09:00:01Z', {created: ['feature/b']}),
    run('feature finish', '2026-11-07T21:00:00Z', '2026-11-07T21:00:00Z', {branch: 'main', deleted: ['feature/b']}),
    run('feature start', '2026-11-08T09:00:00Z', '2026-11-08T09:00:01Z', {created: ['feature/c'], status: 'undone'}),
  ]
  const report = workflowReport(history, {since, until, firstReviews: new Map([[7, '2026-11-05T14:00:02Z']])})

  test('per gate: runs, failures, cache hits, median and p90 of the runs that ran', () => {
    expect(report.gates.find((g) => g.gate === 'lint')).toEqual({gate: 'lint', ran: 1, passed: 1, failed: 0, cached: 1, skipped: 0, cacheHitRate: 0.5, medianMs: 100, p90Ms: 100, flaky: 0})
    // test ran 300, 500, 400, 400, 200, 200 → sorted 200 200 300 400 400 500: median (300 + 400) / 2 = 350, p90 (rank 6) 500.
    expect(report.gates.find((g) => g.gate === 'test')).toMatchObject({ran: 6, passed: 2, failed: 4, cached: 1, medianMs: 350, p90Ms: 500, flaky: 2})
    expect(report.gates.find((g) => g.gate === 'e2e')).toMatchObject({ran: 0, skipped: 1, cacheHitRate: 0})
  })

  test('flaky and slow gates, stage wall time', () => {
    expect(report.flakyGates).toBe(1)
    expect(report.flakiest).toEqual(['test'])
    expect(report.slowest).toEqual(['test', 'lint'])
    expect(report.stages).toEqual([
      {stage: 'submit', runs: 2, failedRuns: 1, totalMs: 4000, medianMs: 2000, p90Ms: 3000},
      {stage: '(--only)', runs: 1, failedRuns: 0, totalMs: 50, medianMs: 50, p90Ms: 50},
    ])
  })

  test('feature lead time from start to the finish that merged the branch; review wait from the opening submit', () => {
    // a: 09:00 Nov 5 → 09:00:05 Nov 6 = 86,405 s; b: 09:00 → 21:00 Nov 7 = 43,200 s.
    expect(report.featureLeadTime).toEqual({count: 2, medianMs: (43_200_000 + 86_405_000) / 2, p90Ms: 86_405_000})
    expect(report.reviewWait).toEqual({count: 1, medianMs: 7_200_000, p90Ms: 7_200_000})
    expect(report.commands).toEqual([
      {command: 'feature finish', done: 2, undone: 0, aborted: 0},
      {command: 'feature start', done: 2, undone: 1, aborted: 0},
      {command: 'feature submit', done: 2, undone: 0, aborted: 0},
    ])
  })

  test('torn and foreign history lines are skipped', () => {
    expect(parseHistory('{"type":"gate","at":"x","gate":"a","status":"passed","durationMs":1}\n{"type":"gat\nnot json\n{"type":"other"}\n')).toHaveLength(1)
  })
})
