import {describe, expect, test} from 'vitest'
import {defaultConfig} from '../config/schema.js'
import type {IncidentFact} from '../records/facts.js'
import {assessRisk, requiredApprovals, touchedServices, type RiskInput} from './risk.js'

const config = defaultConfig()
const changes = {...config.changes, risk: {...config.changes.risk, sensitive: ['migrations/**', 'src/auth/**']}}
const services = {
  checkout: {paths: ['src/checkout/**'], environments: [], owner: 'team-a'},
  auth: {paths: ['src/auth/**'], environments: []},
} as unknown as RiskInput['services']

const incident = (id: string, declaredAt: string, extra: Partial<IncidentFact> = {}): IncidentFact => ({
  id, title: id, severity: 'sev2', services: ['checkout'], environments: ['production'], status: 'resolved', drill: false, declaredAt, followUps: [], ...extra,
})

const base = (over: Partial<RiskInput> = {}): RiskInput => ({
  type: 'normal', files: [], changes, services, owners: [], environments: [], incidents: [], now: new Date('2026-06-10T12:00:00Z'), ...over,
})

describe('assessRisk', () => {
  test('a small change with tests scores only its size and needs the type\'s one approval', () => {
    const risk = assessRisk(base({files: [{path: 'src/a.ts', added: 10, deleted: 2}, {path: 'src/a.test.ts', added: 20, deleted: 0}]}))
    expect(risk.reasons).toEqual([{factor: 'size', points: 3.6, detail: '2 files, 32 lines changed'}])
    expect(risk).toMatchObject({score: 3.6, approvals: 1, files: 2, lines: 32})
  })

  test('every factor adds its points with the facts behind them, and the score reaches the two-approval threshold', () => {
    const risk = assessRisk(base({
      files: [{path: 'migrations/001.sql', added: 40, deleted: 0}, {path: 'src/checkout/pay.ts', added: 10, deleted: 10}],
      owners: [{pattern: 'migrations/', owners: ['octo/dba']}, {pattern: 'src/checkout/', owners: ['octo/payments']}],
      environments: ['staging', 'production'], production: 'production',
      incidents: [incident('INC-1', '2026-06-01T00:00:00Z'), incident('INC-2', '2026-01-01T00:00:00Z'), incident('INC-3', '2026-06-02T00:00:00Z', {drill: true})],
      freeze: {next: {text: 'cron: 0 16 * * 5 for 64h', start: '2026-06-11T00:00:00Z', end: '2026-06-13T00:00:00Z'}},
    }))
    expect(risk.reasons.map((r) => [r.factor, r.points])).toEqual([
      ['size', 5], ['sensitive', 30], ['tests', 15], ['teams', 10], ['environments', 5], ['environments', 25], ['incidents', 20], ['freeze', 20],
    ])
    expect(risk.reasons.find((r) => r.factor === 'incidents')?.detail).toBe('recent incidents on checkout: INC-1')
    expect(risk.reasons.find((r) => r.factor === 'freeze')?.detail).toContain('a freeze starts in 12h')
    expect(risk).toMatchObject({score: 130, approvals: 2, teams: ['octo/dba', 'octo/payments'], services: ['checkout'], sensitive: ['migrations/001.sql']})
  })

  test('is deterministic: the same input gives the same answer', () => {
    const input = base({files: [{path: 'src/auth/login.ts', added: 3, deleted: 1}], freeze: {active: {text: '2026-06-01..2026-06-20', start: '2026-06-01T00:00:00.000Z', end: '2026-06-21T00:00:00.000Z'}}})
    expect(assessRisk(input)).toEqual(assessRisk(input))
    expect(assessRisk(input).reasons.at(-1)).toMatchObject({factor: 'freeze', points: 40})
  })
})

describe('requiredApprovals', () => {
  test('thresholds raise normal changes only; standard and emergency keep their type\'s count', () => {
    expect(requiredApprovals(changes, 'normal', 49.9)).toBe(1)
    expect(requiredApprovals(changes, 'normal', 50)).toBe(2)
    expect(requiredApprovals(changes, 'standard', 200)).toBe(0)
    expect(requiredApprovals(changes, 'emergency', 200)).toBe(0)
  })
})

test('touchedServices finds services by their paths', () => {
  expect(touchedServices(services, ['src/auth/x.ts', 'README.md'])).toEqual(['auth'])
})
