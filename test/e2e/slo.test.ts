import {describe, expect, test} from 'vitest'
import {envScene, scriptArgv} from '../helpers/env-scene.js'

const yaml = (state: string, ports: Record<string, number>) => `version: 1
environments:
  production:
    deploy: ${scriptArgv(state, 'deploy', 'production', '{sha}')}
    health: {url: "http://127.0.0.1:${ports.production}/health", interval: 50ms, count: 2, failure_limit: 0, latency: 5s, expect: {status: 200}}
    services: [api]
services:
  api:
    slo: {target: 99.9, window: 30d, when_exhausted: freeze}
  web:
    slo: {target: 99.5, window: 7d}
`

describe('flow slo status and the error-budget policy (built binary, real loopback service)', {timeout: 120_000}, () => {
  test('incidents beyond a 99.9% budget: slo status shows it spent, a production deploy exits 6 saying why and until when, break-glass and fix-only deploys go ahead', async () => {
    const scene = await envScene(['production'], yaml)
    const {repo} = scene
    const first = await scene.flow('env', 'deploy', 'production', '--yes', '--json')
    expect(first.exitCode, first.stderr).toBe(0)

    // 30 min then 40 min of impact: 70 min of downtime, the budget of 99.9% over 30 days is 43.2 min.
    const base = Date.now()
    const ago = (minutes: number) => new Date(base - minutes * 60_000).toISOString()
    const one = await scene.flow('incident', 'declare', 'API errors', '--sev', 'sev1', '--service', 'api', '--started', ago(300), '--declared', ago(300), '--json')
    expect(one.exitCode, one.stderr).toBe(0)
    expect((await scene.flow('incident', 'resolve', '--incident', 'INC-1', '--mitigated', ago(270), '--at', ago(260))).exitCode).toBe(0)
    const two = await scene.flow('incident', 'declare', 'API slow', '--sev', 'sev2', '--service', 'api', '--started', ago(180), '--declared', ago(180), '--json')
    expect(two.exitCode, two.stderr).toBe(0)
    const resolved = await scene.flow('incident', 'resolve', '--incident', 'INC-2', '--mitigated', ago(140), '--at', ago(130))
    expect(resolved.exitCode, resolved.stderr).toBe(0)

    const status = await scene.flow('slo', 'status', '--json')
    expect(status.exitCode, status.stderr).toBe(0)
    const [api, web] = status.json.services
    expect(api).toMatchObject({service: 'api', target: 99.9, basis: 'downtime', exhausted: true, ongoing: false, budgetMs: 2_592_000})
    expect(api.downtimeMs).toBe(70 * 60_000)
    expect(api.budgetLeft).toBeLessThan(0)
    expect(api.burnRate).toBeGreaterThan(1)
    expect(api.spans.map((s: {source: string}) => s.source)).toEqual(['INC-1', 'INC-2'])
    expect(Date.parse(api.exhaustedUntil)).toBeGreaterThan(Date.now() + 29 * 86_400_000)
    expect(web).toMatchObject({service: 'web', exhausted: false, budgetLeft: 1, availability: 100})
    const text = await scene.flow('slo', 'status', 'api')
    expect(text.stdout).toMatch(/^api: [\d.]+% of 99\.9% over 30d; budget left -\d+%; burn rate [\d.]+ \(last day [\d.]+\); SPENT until \S+\n {2}downtime 70 min of 43 min allowed\n {2}\S+ → \S+ {2}INC-1\n {2}\S+ → \S+ {2}INC-2\n$/)

    const feature = repo.commit('feat: a new endpoint')
    const refused = await scene.flow('env', 'deploy', 'production', '--yes', '--json')
    expect(refused.exitCode, refused.stderr).toBe(6)
    expect(refused.json.error.code).toBe('POLICY_BLOCKED')
    expect(refused.json.error.details.refusals.map((r: {code: string}) => r.code)).toEqual(['ERROR_BUDGET_SPENT'])
    expect(refused.json.error.message).toMatch(/error budget of api is spent .*frozen until \d{4}-/)
    const human = await scene.flow('env', 'deploy', 'production', '--yes')
    expect(human.exitCode).toBe(6)
    expect(human.stderr).toMatch(/^Error: Deploying \w{7} to production is refused: the error budget of api is spent/m)

    const glass = await scene.flow('env', 'deploy', 'production', '--yes', '--break-glass', 'security fix cannot wait', '--json')
    expect(glass.exitCode, glass.stderr).toBe(0)
    expect(glass.json).toMatchObject({sha: feature, outcome: 'success', breakGlass: {reason: 'security fix cannot wait', overrode: ['ERROR_BUDGET_SPENT']}})

    const fix = repo.commit('fix: the endpoint returns 404 for unknown ids')
    const revert = repo.commit('revert: the logging change')
    const fixes = await scene.flow('env', 'deploy', 'production', '--yes', '--json')
    expect(fixes.exitCode, fixes.stderr).toBe(0)
    expect(fixes.json).toMatchObject({sha: revert, outcome: 'success', previousSha: feature})
    expect(fixes.json).not.toHaveProperty('breakGlass')
    expect(fixes.json.errorBudget.allowedBecause[0]).toMatch(/every new commit is a revert\/fix \(allowed by the policy\)/)
    expect(fixes.stderr).toContain('every new commit is a revert/fix')
    expect(await scene.serving('production')).toMatchObject({status: 200, sha: revert})
    expect(fix).not.toBe(revert)

    const history = await scene.flow('env', 'history', 'production', '--json')
    expect(history.json.deployments.find((d: {sha: string}) => d.sha === feature).breakGlass.overrode).toEqual(['ERROR_BUDGET_SPENT'])
  })

  test('when_exhausted: warn only warns; a source command gives event-based availability', async () => {
    const scene = await envScene(['production'], (state, ports) => `version: 1
environments:
  production:
    deploy: ${scriptArgv(state, 'deploy', 'production', '{sha}')}
    health: {url: "http://127.0.0.1:${ports.production}/health", interval: 50ms, count: 1, failure_limit: 0, expect: {status: 200}}
    services: [api]
services:
  api:
    slo: {target: 99, window: 7d, when_exhausted: warn, source: ["node", "-e", "console.log(JSON.stringify({good: 950, total: 1000}))"]}
`)
    const status = await scene.flow('slo', 'status', 'api', '--json')
    expect(status.exitCode, status.stderr).toBe(0)
    expect(status.json.services[0]).toMatchObject({service: 'api', basis: 'events', availability: 95, badEvents: 50, budgetEvents: 10, exhausted: true})
    const deploy = await scene.flow('env', 'deploy', 'production', '--yes', '--json')
    expect(deploy.exitCode, deploy.stderr).toBe(0)
    expect(deploy.stderr).toMatch(/error budget of api is spent .*the policy only warns/)
    const unknown = await scene.flow('slo', 'status', 'nope')
    expect(unknown.exitCode).toBe(2)
  })
})
