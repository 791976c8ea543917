import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import type {DeploymentFact, IncidentFact} from '../../src/core/records/facts.js'
import {runFlow} from '../helpers/e2e.js'
import {commitAt, seedFacts} from '../helpers/metrics-seed.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'

const H = 3_600_000
const t = (s: string) => `2026-01-${s}:00.000Z`
const WINDOW = ['--since', '2026-01-01', '--until', '2026-01-15']

/**
 * A fortnight with real commits: each deployment ships a commit made at a known time, so the lead times are known.
 * DEP-2 is rolled back (DEP-3), DEP-4 caused INC-1 and was replaced by the hotfix DEP-5, DEP-6 caused INC-2 (by sha),
 * DEP-7 is an emergency deployment, DEP-8's deploy command failed, INC-3 is a drill and INC-4 has no cause.
 */
async function fortnight(): Promise<TempRepo> {
  const repo = tempRepo()
  repo.write('flow.yml', 'version: 1\nservices:\n  web: {owner: web-team}\nenvironments:\n  staging: {services: [web]}\n  production: {after: staging, services: [web]}\nincidents:\n  severities:\n    sev1: {summary: Outage, postmortem: required}\n    sev2: {summary: Degraded, postmortem: required}\n')
  const c0 = commitAt(repo, 'chore: flow.yml', '2025-12-29T10:00:00Z')
  const c1 = commitAt(repo, 'feat: one', t('01T10:10'), t('02T09:10'))
  const c2 = commitAt(repo, 'feat: two', t('02T10:10'), t('05T08:10'))
  const c3 = commitAt(repo, 'feat: three', t('04T09:10'), t('05T08:10'))
  const c4 = commitAt(repo, 'fix: four', t('05T10:10'))
  const c5 = commitAt(repo, 'feat: five', t('09T08:00'))
  const c6 = commitAt(repo, 'fix: six', t('10T06:30'))
  const c7 = commitAt(repo, 'feat: seven', t('12T09:00'))
  const dep = (id: string, f: Partial<DeploymentFact> & Pick<DeploymentFact, 'sha' | 'startedAt'>): DeploymentFact => ({id, environment: 'production', services: ['web'], kind: 'deploy', outcome: 'success', health: [], ...f})
  const inc = (id: string, f: Partial<IncidentFact>): IncidentFact => ({id, title: id, severity: 'sev2', services: ['web'], environments: ['production'], status: 'resolved', drill: false, declaredAt: t('05T10:00'), followUps: [], ...f})
  await seedFacts(repo, {
    deployments: [
      dep('DEP-0', {sha: c0, startedAt: '2025-12-30T10:00:00.000Z'}),
      dep('DEP-1', {sha: c1, startedAt: t('02T10:00'), finishedAt: t('02T10:10')}),
      dep('DEP-2', {sha: c2, startedAt: t('03T10:00'), finishedAt: t('03T10:05'), outcome: 'rolled_back', rolledBackBy: 'DEP-3'}),
      dep('DEP-3', {sha: c1, startedAt: t('03T10:05'), finishedAt: t('03T10:15'), kind: 'rollback', rollbackOf: 'DEP-2'}),
      dep('DEP-4', {sha: c3, startedAt: t('05T09:00'), finishedAt: t('05T09:10')}),
      dep('DEP-5', {sha: c4, startedAt: t('05T11:00'), finishedAt: t('05T11:10'), kind: 'hotfix', previousSha: c3}),
      dep('DEP-6', {sha: c5, startedAt: t('09T10:00'), finishedAt: t('09T10:00')}),
      dep('DEP-7', {sha: c6, startedAt: t('10T08:00'), finishedAt: t('10T08:30'), kind: 'emergency'}),
      dep('DEP-8', {sha: c7, startedAt: t('12T10:00'), finishedAt: t('12T10:01'), outcome: 'failed'}),
      dep('DEP-9', {sha: c7, startedAt: t('06T10:00'), environment: 'staging'}),
    ],
    incidents: [
      inc('INC-1', {severity: 'sev1', cause: {deployment: 'DEP-4'}, declaredAt: t('05T10:00'), acknowledgedAt: t('05T10:10'), mitigatedAt: t('05T11:10'), resolvedAt: t('05T12:10'), postmortem: {path: 'pm/INC-1.md', at: t('06T12:10')}, followUps: [{title: 'alert on 500s', done: true}, {title: 'canary', done: false}]}),
      inc('INC-2', {cause: {sha: c5.slice(0, 10)}, environments: [], declaredAt: t('09T11:00'), acknowledgedAt: t('09T11:30'), resolvedAt: t('09T14:00')}),
      inc('INC-3', {cause: {deployment: 'DEP-1'}, drill: true, declaredAt: t('02T12:00')}),
      inc('INC-4', {status: 'investigating', declaredAt: t('11T09:00')}),
    ],
  })
  return repo
}

describe('flow metrics dora', () => {
  test('every figure equals the hand-computed one, each failed deployment counted once', async () => {
    const repo = await fortnight()
    const run = await runFlow(['metrics', 'dora', ...WINDOW, '--json'], {cwd: repo.dir, env: repo.env})
    expect(run.exitCode, run.stderr).toBe(0)
    const r = run.json
    expect(r.window).toEqual({start: '2026-01-01T00:00:00.000Z', end: '2026-01-15T00:00:00.000Z', days: 14, weeks: 2})
    expect(r.deploymentFrequency).toMatchObject({successful: 5, perDay: 0.357, perWeek: 2.5, weekly: [3, 2]})
    // From commit: DEP-1 24 h; DEP-4 71 h (two) and 24 h (three); DEP-5 1 h; DEP-6 2 h; DEP-7 2 h → median 13 h, p90 71 h.
    expect(r.leadTime).toMatchObject({sample: 6, deployments: 5, fromCommit: {median: 13 * H, p90: 71 * H}, fromMerge: {median: 1 * H, p90: 2 * H}})
    expect(r.changeFailureRate).toMatchObject({sample: 7, failed: 3, rate: 0.429, byReason: {rolled_back: 1, caused_incident: 2, needed_hotfix: 1}})
    expect(r.changeFailureRate.failures.map((f: {id: string}) => f.id)).toEqual(['DEP-2', 'DEP-4', 'DEP-6'])
    expect(r.recoveryTime).toMatchObject({sample: 3, recovered: 3, median: 2 * H})
    expect(r.reworkRate).toMatchObject({sample: 8, rework: 3, rate: 0.375})
    expect(r.incidents).toEqual({inWindow: 3, drillsExcluded: 1, withoutCause: 1, causedByDeployment: 2})
    expect(r.deploymentFrequency.band).toMatchObject({shown: false, reason: '5 deployments; bands need at least 20'})
    expect(Object.keys(r.definitions)).toEqual(['deploymentFrequency', 'leadTime', 'changeFailureRate', 'recoveryTime', 'reworkRate'])
    expect(JSON.stringify(r)).not.toContain('author@example.com')
  })

  test('the table shows samples, sparklines, notes and definitions; md and html too', async () => {
    const repo = await fortnight()
    const table = await runFlow(['metrics', 'dora', ...WINDOW], {cwd: repo.dir, env: repo.env})
    expect(table.exitCode, table.stderr).toBe(0)
    expect(table.stdout).toContain('DORA metrics · production · 2026-01-01 → 2026-01-15 (14 days)')
    expect(table.stdout).toMatch(/Deployment frequency\s+2\.5\/week \(0\.4\/day\)\s+5 deployments\s+– \(5 deployments; bands need at least 20\)\s+█▆/)
    expect(table.stdout).toContain('DEP-4')
    expect(table.stdout).toContain('caused an incident, needed a hotfix')
    expect(table.stdout).toContain('1 of 3 incidents in the window have no recorded cause')
    expect(table.stdout).toContain('Definitions:')

    const md = await runFlow(['metrics', 'dora', ...WINDOW, '--format', 'md'], {cwd: repo.dir, env: repo.env})
    expect(md.stdout).toContain('| Metric | Value | Sample | DORA band | Weekly trend |')

    const html = await runFlow(['metrics', 'dora', ...WINDOW, '--format', 'html', '--out', 'dora.html'], {cwd: repo.dir, env: repo.env})
    expect(html.exitCode, html.stderr).toBe(0)
    const page = readFileSync(join(repo.dir, 'dora.html'), 'utf8')
    expect(page).toMatch(/^<!doctype html>/)
    expect((page.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(7)
    // Self-contained: no script, no stylesheet or image links, no URL but the SVG namespace.
    expect(page).not.toMatch(/<script|<link|<img|url\(/)
    expect(page.replace(/http:\/\/www\.w3\.org\/2000\/svg/g, '')).not.toMatch(/https?:\/\//)
  })

  test('--env staging and --service filter; a bad window is a usage error', async () => {
    const repo = await fortnight()
    const staging = await runFlow(['metrics', 'dora', ...WINDOW, '--env', 'staging', '--json'], {cwd: repo.dir, env: repo.env})
    expect(staging.json.deploymentFrequency.successful).toBe(1)
    const api = await runFlow(['metrics', 'dora', ...WINDOW, '--service', 'api', '--json'], {cwd: repo.dir, env: repo.env})
    expect(api.json.deploymentFrequency.successful).toBe(0)
    const bad = await runFlow(['metrics', 'dora', '--since', 'yesterday', '--json'], {cwd: repo.dir, env: repo.env})
    expect(bad.exitCode).toBe(2)
    expect(bad.json.error.code).toBe('USAGE')
    const unknown = await runFlow(['metrics', 'dora', '--env', 'qa', '--json'], {cwd: repo.dir, env: repo.env})
    expect(unknown.exitCode).toBe(2)
  })
})

test('a new record moves the records tip, so the cached facts are folded again', async () => {
  const repo = await fortnight()
  const first = await runFlow(['metrics', 'dora', ...WINDOW, '--json'], {cwd: repo.dir, env: repo.env})
  expect(first.json.deploymentFrequency.successful).toBe(5)
  const again = await runFlow(['metrics', 'dora', ...WINDOW, '--json'], {cwd: repo.dir, env: repo.env})
  expect(again.json).toEqual(first.json)
  await seedFacts(repo, {deployments: [{id: 'DEP-11', environment: 'production', services: ['web'], sha: repo.git('rev-parse', 'HEAD'), kind: 'deploy', outcome: 'success', startedAt: t('13T10:00'), health: []}]})
  const after = await runFlow(['metrics', 'dora', ...WINDOW, '--json'], {cwd: repo.dir, env: repo.env})
  expect(after.json.deploymentFrequency.successful).toBe(6)
})

describe('flow metrics incidents', () => {
  test('counts, response times, follow-ups and postmortems of the real incidents', async () => {
    const repo = await fortnight()
    const run = await runFlow(['metrics', 'incidents', ...WINDOW, '--json'], {cwd: repo.dir, env: repo.env})
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.json).toMatchObject({
      total: 3, open: 1, drillsExcluded: 1, bySeverity: {sev1: 1, sev2: 2}, byService: {web: 3},
      timeToAcknowledge: {sample: 2, median: 20 * 60_000, p90: 30 * 60_000},
      // The incidents fold counts a resolution without a mitigation as mitigated then: INC-1 70 min, INC-2 3 h.
      timeToMitigate: {sample: 2, median: 125 * 60_000},
      // INC-1 resolved 2 h 10 min after its declaration, INC-2 3 h after: median 2 h 35 min.
      timeToResolve: {sample: 2, median: 155 * 60_000},
      followUps: {total: 2, done: 1, rate: 0.5},
      postmortems: {lag: {sample: 1, median: 24 * H}, written: 1, missing: ['INC-2']},
    })
    const table = await runFlow(['metrics', 'incidents', ...WINDOW], {cwd: repo.dir, env: repo.env})
    expect(table.stdout).toMatch(/Time to acknowledge\s+median 20m, p90 30m \(2\)/)
  })
})
