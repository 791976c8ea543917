import {describe, expect, test} from 'vitest'
import {runFlow} from '../helpers/e2e.js'
import {fakeGitHubPerTest, githubEnv} from '../helpers/github-e2e.js'
import {loadDeployments, loadIncidents} from '../../src/core/metrics/sources.js'
import {recordStore} from '../helpers/metrics-seed.js'
import {tempRepo} from '../helpers/temp-repo.js'

const fake = fakeGitHubPerTest()
const WINDOW = ['--since', '2026-03-01', '--until', '2026-03-15']

describe('flow metrics --import', () => {
  test('reads GitHub deployments (latest status) and incident issues into an empty store, once', async () => {
    const api = await fake.start()
    const repo = tempRepo()
    repo.write('flow.yml', 'version: 1\nforge: {type: github}\nservices:\n  web: {}\nenvironments:\n  production: {services: [web]}\n')
    const sha = repo.commit('chore: flow.yml')
    repo.git('push', '-q', 'origin', 'main')
    const gh = api.github.repo('octo', 'hello')
    const deployment = (id: number, createdAt: string, environment = 'production') =>
      gh.deployments.push({id, ref: 'main', sha, environment, description: null, payload: {}, productionEnvironment: environment === 'production', transientEnvironment: false, createdAt})
    const status = (id: number, deploymentId: number, state: string, createdAt: string) => gh.statuses.push({id, deployment: deploymentId, state, description: '', environmentUrl: '', logUrl: '', createdAt})
    deployment(9001, '2026-03-02T10:00:00Z')
    status(9101, 9001, 'success', '2026-03-02T10:05:00Z')
    deployment(9002, '2026-03-04T10:00:00Z')
    status(9102, 9002, 'in_progress', '2026-03-04T10:01:00Z')
    status(9103, 9002, 'failure', '2026-03-04T10:06:00Z')
    deployment(9003, '2026-03-05T10:00:00Z')
    status(9104, 9003, 'inactive', '2026-03-06T10:00:00Z')
    deployment(9004, '2026-03-05T11:00:00Z', 'staging')
    gh.issues.push(
      {number: 1, id: 8001, title: 'Checkout 500s', body: '', state: 'closed', labels: ['incident', 'sev1', 'web'], createdAt: '2026-03-04T10:10:00Z', updatedAt: '2026-03-04T12:10:00Z', closedAt: '2026-03-04T12:10:00Z'},
      {number: 2, id: 8002, title: 'Not an incident', body: '', state: 'open', labels: ['bug'], createdAt: '2026-03-05T10:00:00Z', updatedAt: '2026-03-05T10:00:00Z', closedAt: null},
      {number: 3, id: 8003, title: 'Game day', body: '', state: 'open', labels: ['incident', 'drill'], createdAt: '2026-03-06T10:00:00Z', updatedAt: '2026-03-06T10:00:00Z', closedAt: null},
    )
    gh.lastNumber = 3
    const env = githubEnv(repo, api)

    const run = await runFlow(['metrics', 'dora', '--import', ...WINDOW, '--json'], {cwd: repo.dir, env})
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.stderr).toContain('Import the GitHub deployments (and their latest statuses) as deployment records: 4')
    expect(run.stderr).toContain('Import the GitHub issues labelled incident as incident records: 2')
    expect(run.json.deploymentFrequency.successful).toBe(2)
    expect(run.json.changeFailureRate).toMatchObject({sample: 3, failed: 0})
    expect(run.json.incidents).toMatchObject({inWindow: 1, drillsExcluded: 1, withoutCause: 1})

    // Written as the environments and incidents features write them: their folds read the imported history.
    const store = recordStore(repo)
    const deployments = await loadDeployments(store)
    expect(deployments.map((d) => [d.id, d.environment, d.outcome, d.startedAt])).toEqual([
      ['DEP-1', 'production', 'success', '2026-03-02T10:00:00Z'],
      ['DEP-2', 'production', 'failed', '2026-03-04T10:00:00Z'],
      ['DEP-3', 'production', 'success', '2026-03-05T10:00:00Z'],
      ['DEP-4', 'staging', 'in_progress', '2026-03-05T11:00:00Z'],
    ])
    expect(deployments[0]).toMatchObject({sha, services: ['web'], kind: 'deploy'})
    const [first] = await store.events('deployments', 'DEP-1')
    expect(first).toMatchObject({type: 'created', data: {environment: 'production', sha, ref: 'main'}})
    expect((await store.events('deployments', 'DEP-1')).map((e) => e.type)).toEqual(['created', 'mirrored', 'finished'])
    const incidentsImported = await loadIncidents(store)
    expect(incidentsImported).toMatchObject([
      {id: 'INC-1', title: 'Checkout 500s', severity: 'sev1', services: ['web'], status: 'resolved', resolvedAt: '2026-03-04T12:10:00Z', drill: false},
      {id: 'INC-2', title: 'Game day', drill: true, severity: 'sev3', status: 'investigating'},
    ])

    const incidents = await runFlow(['metrics', 'incidents', ...WINDOW, '--json'], {cwd: repo.dir, env})
    expect(incidents.json).toMatchObject({total: 1, bySeverity: {sev1: 1}, timeToResolve: {sample: 1, median: 2 * 3_600_000}})

    const again = await runFlow(['metrics', 'dora', '--import', '--json'], {cwd: repo.dir, env})
    expect(again.exitCode).toBe(1)
    expect(again.json.error).toMatchObject({code: 'RECORDS_CONFLICT', message: 'The record store already holds 4 deployments; --import only fills an empty store'})
  })

  test('with local records --import is a usage error', async () => {
    const repo = tempRepo()
    repo.write('flow.yml', 'version: 1\nforge: {type: local}\n')
    const run = await runFlow(['metrics', 'dora', '--import', '--json'], {cwd: repo.dir, env: repo.env})
    expect(run.exitCode).toBe(2)
    expect(run.json.error.code).toBe('USAGE')
  })
})
