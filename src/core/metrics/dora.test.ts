import {describe, expect, test} from 'vitest'
import type {DeploymentFact, IncidentFact} from '../records/facts.js'
import {DORA_BANDS, durationBand, failureRateBand, frequencyBand} from './bands.js'
import {computeDora} from './dora.js'
import {assignCommits, parseGraph} from './lead-time.js'

const H = 3_600_000
const t = (s: string) => `2026-01-${s}:00.000Z`

function dep(id: string, fields: Partial<DeploymentFact> & Pick<DeploymentFact, 'sha' | 'startedAt'>): DeploymentFact {
  return {id, environment: 'production', services: ['web'], kind: 'deploy', outcome: 'success', health: [], ...fields}
}
function inc(id: string, fields: Partial<IncidentFact>): IncidentFact {
  return {id, title: id, severity: 'sev2', services: ['web'], environments: ['production'], status: 'resolved', drill: false, declaredAt: t('05T10:00'), followUps: [], ...fields}
}

// A fortnight of production deployments with every kind of failure; each figure below is worked out by hand.
const deployments: DeploymentFact[] = [
  dep('DEP-0', {sha: 'a0', startedAt: '2025-12-30T10:00:00.000Z'}),
  dep('DEP-1', {sha: 'a1', startedAt: t('02T10:00'), finishedAt: t('02T10:10')}),
  dep('DEP-2', {sha: 'a2', startedAt: t('03T10:00'), finishedAt: t('03T10:05'), outcome: 'rolled_back', rolledBackBy: 'DEP-3'}),
  dep('DEP-3', {sha: 'a1', startedAt: t('03T10:05'), finishedAt: t('03T10:15'), kind: 'rollback', rollbackOf: 'DEP-2'}),
  dep('DEP-4', {sha: 'a3', startedAt: t('05T09:00'), finishedAt: t('05T09:10')}),
  dep('DEP-5', {sha: 'a4', startedAt: t('05T11:00'), finishedAt: t('05T11:10'), kind: 'hotfix', previousSha: 'a3'}),
  dep('DEP-6', {sha: 'a5', startedAt: t('09T10:00'), finishedAt: t('09T10:00')}),
  dep('DEP-7', {sha: 'a6', startedAt: t('10T08:00'), finishedAt: t('10T08:30'), kind: 'emergency'}),
  dep('DEP-8', {sha: 'a7', startedAt: t('12T10:00'), finishedAt: t('12T10:01'), outcome: 'failed'}),
  dep('DEP-9', {sha: 'a8', startedAt: t('14T10:00'), outcome: 'in_progress'}),
  dep('DEP-10', {sha: 'a8', startedAt: t('06T10:00'), environment: 'staging', outcome: 'rolled_back'}),
]
const incidents: IncidentFact[] = [
  inc('INC-1', {cause: {deployment: 'DEP-4'}, declaredAt: t('05T10:00'), resolvedAt: t('05T12:10')}),
  inc('INC-2', {cause: {sha: 'a5'}, environments: [], declaredAt: t('09T11:00'), resolvedAt: t('09T14:00')}),
  inc('INC-3', {cause: {deployment: 'DEP-1'}, drill: true, declaredAt: t('02T12:00')}),
  inc('INC-4', {declaredAt: t('11T09:00')}),
]
const ms = (iso: string) => Date.parse(iso)
const changes = new Map([
  ['DEP-1', [{sha: 'c1', authoredAt: ms(t('01T10:10')), mergedAt: ms(t('02T09:10'))}]],
  ['DEP-2', [{sha: 'c2', authoredAt: ms(t('01T00:00')), mergedAt: ms(t('01T00:00'))}]],
  ['DEP-4', [
    {sha: 'c3', authoredAt: ms(t('04T09:10')), mergedAt: ms(t('05T08:10'))},
    {sha: 'c4', authoredAt: ms(t('03T09:10')), mergedAt: ms(t('05T08:10'))},
  ]],
  ['DEP-5', [{sha: 'c5', authoredAt: ms(t('05T10:10')), mergedAt: ms(t('05T10:40'))}]],
  ['DEP-6', [{sha: 'c6', authoredAt: ms(t('09T08:00')), mergedAt: ms(t('09T09:00'))}]],
])

describe('computeDora on a hand-worked fortnight', () => {
  const report = computeDora({deployments, incidents, environment: 'production', window: {start: t('01T00:00'), end: t('15T00:00')}, changes})

  test('deployment frequency: DEP-1, 4, 5, 6, 7 succeeded (the rollback DEP-3 is not a deployment of a change)', () => {
    expect(report.deploymentFrequency).toMatchObject({successful: 5, perDay: 0.357, perWeek: 2.5, weekly: [3, 2]})
  })

  test('change failure rate: 3 failed of 7, each counted once although DEP-2 and DEP-4 have two reasons', () => {
    // Denominator: DEP-1, 2, 4, 5, 6, 7, 8 (finished, in the window, not rollbacks). The failed deploy command DEP-8 is no change failure.
    expect(report.changeFailureRate.sample).toBe(7)
    expect(report.changeFailureRate.failed).toBe(3)
    expect(report.changeFailureRate.rate).toBe(0.429)
    expect(report.changeFailureRate.failures.map((f) => [f.id, f.reasons])).toEqual([
      ['DEP-2', ['rolled_back']],
      ['DEP-4', ['caused_incident', 'needed_hotfix']],
      ['DEP-6', ['caused_incident']],
    ])
    expect(report.changeFailureRate.byReason).toEqual({rolled_back: 1, caused_incident: 2, needed_hotfix: 1})
    // The drill INC-3 names DEP-1 as its cause and changes nothing.
    expect(report.changeFailureRate.weekly).toEqual([2 / 4, 0.333])
  })

  test('recovery: 10 min (rollback), 2 h (hotfix before the incident resolved), 4 h (incident resolved before the next deploy); median 2 h', () => {
    expect(report.recoveryTime.items).toEqual([
      {id: 'DEP-2', recoveredBy: 'DEP-3', ms: 10 * 60_000},
      {id: 'DEP-4', recoveredBy: 'DEP-5', ms: 2 * H},
      {id: 'DEP-6', recoveredBy: 'INC-2', ms: 4 * H},
    ])
    expect(report.recoveryTime.median).toBe(2 * H)
  })

  test('lead time: commits of successful deployments only; 1, 2, 24, 24, 48 h from commit, 0.5 to 1 h from merge', () => {
    expect(report.leadTime.sample).toBe(5)
    expect(report.leadTime.deployments).toBe(4)
    expect(report.leadTime.fromCommit).toEqual({median: 24 * H, p90: 48 * H})
    expect(report.leadTime.fromMerge).toEqual({median: 1 * H, p90: 1 * H})
  })

  test('rework rate: the rollback, the hotfix and the emergency deployment of 8 finished ones', () => {
    expect(report.reworkRate).toMatchObject({sample: 8, rework: 3, rate: 0.375, byKind: {rollback: 1, hotfix: 1, emergency: 1}})
  })

  test('incidents: the drill is left out, the one without a cause is said', () => {
    expect(report.incidents).toEqual({inWindow: 3, drillsExcluded: 1, withoutCause: 1, causedByDeployment: 2})
    expect(report.notes.join(' ')).toMatch(/1 of 3 incidents in the window have no recorded cause/)
  })

  test('no band with 5 deployments', () => {
    expect(report.deploymentFrequency.band).toMatchObject({shown: false, minimumSample: 20})
    expect(report.changeFailureRate.band.reason).toBe('7 deployments; bands need at least 20')
  })

  test('a service filter keeps only that service\'s deployments', () => {
    const other = computeDora({deployments, incidents, environment: 'production', service: 'api', window: {start: t('01T00:00'), end: t('15T00:00')}})
    expect(other.deploymentFrequency.successful).toBe(0)
    expect(other.changeFailureRate.rate).toBeUndefined()
  })
})

describe('bands', () => {
  test('thirty daily deployments are elite in both years, with bands shown', () => {
    const many = Array.from({length: 30}, (_, i) => dep(`DEP-${i + 1}`, {sha: `s${i}`, startedAt: new Date(Date.parse(t('01T00:00')) + i * 12 * H).toISOString()}))
    const report = computeDora({deployments: many, incidents: [], environment: 'production', window: {start: t('01T00:00'), end: t('16T00:00')}})
    expect(report.deploymentFrequency.band).toEqual({shown: true, minimumSample: 20, byYear: {
      '2023': {label: 'elite', text: 'On demand (multiple deploys per day)'},
      '2024': {label: 'elite', text: 'On demand (multiple deploys per day)'},
    }})
    expect(report.changeFailureRate.band.byYear?.['2024']?.label).toBe('elite')
  })

  test('placements follow the reports', () => {
    expect(frequencyBand(DORA_BANDS['2024'], 1 / 10).label).toBe('medium')
    expect(durationBand(DORA_BANDS['2024'].leadTime, 30).label).toBe('high')
    expect(failureRateBand(DORA_BANDS['2024'], 0.12).label).toBe('medium')
    expect(failureRateBand(DORA_BANDS['2023'], 0.5).label).toBe('low')
  })
})

describe('assignCommits', () => {
  // main: m1 ← m2 ← M3 (merge of f1 ← f2, branched from m1) ← m4; the boundary m0 is outside the graph.
  const log = [
    `${'m4'.padEnd(40, '0')} 400 410 ${'M3'.padEnd(40, '0')}`,
    `${'M3'.padEnd(40, '0')} 300 350 ${'m2'.padEnd(40, '0')} ${'f2'.padEnd(40, '0')}`,
    `${'f2'.padEnd(40, '0')} 220 230 ${'f1'.padEnd(40, '0')}`,
    `${'f1'.padEnd(40, '0')} 210 215 ${'m1'.padEnd(40, '0')}`,
    `${'m2'.padEnd(40, '0')} 200 205 ${'m1'.padEnd(40, '0')}`,
    `${'m1'.padEnd(40, '0')} 100 105 ${'m0'.padEnd(40, '0')}`,
  ].join('\n')
  const sha = (s: string) => s.padEnd(40, '0')

  test('each commit goes to the first deployment that reached it, merged when its first-parent commit landed', () => {
    const graph = parseGraph(log)
    const out = assignCommits(graph, [{id: 'D1', sha: sha('m2')}, {id: 'D2', sha: sha('m4')}, {id: 'D3', sha: sha('m2')}])
    expect(out.get('D1')?.map((c) => c.sha.slice(0, 2))).toEqual(['m1', 'm2'])
    expect(out.get('D2')?.map((c) => [c.sha.slice(0, 2), c.authoredAt / 1000, c.mergedAt / 1000])).toEqual([
      ['M3', 300, 350],
      ['f2', 220, 350],
      ['f1', 210, 350],
      ['m4', 400, 410],
    ])
    expect(out.has('D3')).toBe(false)
  })
})
