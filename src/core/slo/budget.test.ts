import {describe, expect, test} from 'vitest'
import type {DeploymentFact, IncidentFact} from '../records/facts.js'
import {budgetRecoversAt, budgetVerdict, downtimeStatus, eventStatus, healthSpans, mergeSpans, serviceDowntime, type BudgetPolicy} from './budget.js'

const H = 3_600_000
const D = 24 * H
const now = Date.parse('2026-11-26T12:00:00Z')
const at = (ms: number) => new Date(ms).toISOString()

const incident = (id: string, startMs: number, endMs: number | undefined, extra: Partial<IncidentFact> = {}): IncidentFact => ({
  id, title: id, severity: 'sev1', services: ['api'], environments: ['production'], status: endMs ? 'resolved' : 'investigating', drill: false,
  impactStartedAt: at(startMs), declaredAt: at(startMs + 60_000), ...(endMs ? {mitigatedAt: at(endMs)} : {}), followUps: [], ...extra,
})
const deployment = (id: string, health: Array<[number, boolean]>, extra: Partial<DeploymentFact> = {}): DeploymentFact => ({
  id, environment: 'production', services: ['api'], sha: 'a'.repeat(40), kind: 'deploy', outcome: 'rolled_back',
  startedAt: at(health[0]![0] - 60_000), finishedAt: at(health.at(-1)![0] + 60_000), health: health.map(([t, ok]) => ({at: at(t), ok})), ...extra,
})

describe('downtime', () => {
  test('failed health checks count from the first failure to the next pass, or to the end of the deployment', () => {
    const d = deployment('DEP-1', [[now - 10 * 60_000, false], [now - 9 * 60_000, false], [now - 8 * 60_000, true], [now - 5 * 60_000, false]])
    expect(healthSpans(d, now)).toEqual([
      {start: now - 10 * 60_000, end: now - 8 * 60_000, source: 'DEP-1'},
      {start: now - 5 * 60_000, end: now - 4 * 60_000, source: 'DEP-1'},
    ])
  })

  test('overlapping incident and health spans count once; drills and other services not at all', () => {
    const spans = serviceDowntime('api', {
      incidents: [incident('INC-1', now - 2 * H, now - H), incident('INC-2', now - 3 * H, now - 2 * H, {drill: true}), incident('INC-3', now - 5 * H, now - 4 * H, {services: ['web']})],
      deployments: [deployment('DEP-1', [[now - 90 * 60_000, false], [now - 30 * 60_000, true]])],
    }, now)
    expect(spans).toEqual([{start: now - 2 * H, end: now - 30 * 60_000, source: 'INC-1, DEP-1'}])
    expect(mergeSpans([{start: 0, end: 10, source: 'a'}, {start: 20, end: 30, source: 'b'}, {start: 5, end: 12, source: 'c'}])).toEqual([{start: 0, end: 12, source: 'a, c'}, {start: 20, end: 30, source: 'b'}])
  })
})

describe('downtimeStatus', () => {
  const slo = {target: 99.9, windowMs: 30 * D}
  // 99.9% of 30 days allows 43.2 minutes.
  test('within budget: availability, budget left and burn rate by hand', () => {
    const s = downtimeStatus('api', slo, [{start: now - 2 * D, end: now - 2 * D + 21.6 * 60_000, source: 'INC-1'}], now)
    expect(s).toMatchObject({availability: 99.95, downtimeMs: 1_296_000, budgetMs: 2_592_000, budgetLeft: 0.5, burnRate: 0.5, burnRateLastDay: 0, exhausted: false, ongoing: false})
  })

  test('spent: until when, if nothing else fails', () => {
    // 60 minutes of downtime 10 days ago: 16.8 minutes over budget; it leaves the window 20 days from now,
    // and the budget is whole again once 16.8 of those minutes have left it.
    const start = now - 10 * D
    const spans = [{start, end: start + H, source: 'INC-1'}]
    const s = downtimeStatus('api', slo, spans, now)
    expect(s.exhausted).toBe(true)
    expect(s.budgetLeft).toBeCloseTo(1 - 60 / 43.2, 4)
    expect(Date.parse(s.exhaustedUntil!)).toBe(start + 30 * D + 16.8 * 60_000)
    expect(budgetRecoversAt(spans, slo.windowMs, 2_592_000, now)).toBe(start + 30 * D + 16.8 * 60_000)
  })

  test('ongoing downtime keeps burning: no end date', () => {
    const s = downtimeStatus('api', slo, [{start: now - 2 * H, end: now, source: 'INC-9'}], now)
    expect(s).toMatchObject({exhausted: true, ongoing: true})
    expect(s.exhaustedUntil).toBeUndefined()
  })

  test('from events: good over total', () => {
    expect(eventStatus('api', slo, {good: 99_950, total: 100_000}, now)).toMatchObject({basis: 'events', availability: 99.95, badEvents: 50, budgetEvents: 100, budgetLeft: 0.5, burnRate: 0.5, exhausted: false})
  })
})

describe('budgetVerdict', () => {
  const policy: BudgetPolicy = {when_exhausted: 'freeze', freeze_environments: [], allow: {commit_types: ['fix', 'revert'], kinds: ['rollback', 'hotfix']}}
  const spent = downtimeStatus('api', {target: 99.9, windowMs: 30 * D}, [{start: now - 10 * D, end: now - 10 * D + H, source: 'INC-1'}], now)
  const deploy = {environment: 'production', services: ['api'], kind: 'deploy' as const, commitTypes: ['feat', 'fix']}

  test('a spent budget freezes production deployments of the service, saying why and until when', () => {
    const v = budgetVerdict(deploy, [{status: spent, policy}], 'production')
    expect(v.refusals).toHaveLength(1)
    expect(v.refusals[0]!.message).toMatch(/error budget of api is spent .* frozen until 2026-12-16T/)
  })

  test('fixes, rollbacks and hotfixes go ahead; other environments, other services and warn policies are not frozen', () => {
    expect(budgetVerdict({...deploy, commitTypes: ['fix', 'revert']}, [{status: spent, policy}], 'production')).toMatchObject({refusals: [], allowedBecause: [expect.stringContaining('every new commit is a fix/revert')]})
    expect(budgetVerdict({...deploy, kind: 'rollback'}, [{status: spent, policy}], 'production').refusals).toEqual([])
    expect(budgetVerdict({...deploy, environment: 'staging'}, [{status: spent, policy}], 'production').refusals).toEqual([])
    expect(budgetVerdict({...deploy, services: ['web']}, [{status: spent, policy}], 'production').refusals).toEqual([])
    expect(budgetVerdict(deploy, [{status: spent, policy: {...policy, when_exhausted: 'warn'}}], 'production')).toMatchObject({refusals: [], warnings: [expect.stringContaining('only warns')]})
    expect(budgetVerdict({...deploy, commitTypes: []}, [{status: spent, policy}], 'production').refusals).toHaveLength(1)
  })
})
