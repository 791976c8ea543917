import {describe, expect, test} from 'vitest'
import {runFlow} from '../helpers/e2e.js'
import {envScene, recordEvents, scriptArgv} from '../helpers/env-scene.js'

const health = (port: number) => `{url: "http://127.0.0.1:${port}/health", interval: 50ms, count: 3, failure_limit: 0, latency: 5s, expect: {status: 200, json: {status: ok}}}`
const as = (email: string) => ({GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'user.email', GIT_CONFIG_VALUE_0: email})

/** staging, a real loopback service, under a change freeze that is in force now. */
const frozen = (state: string, ports: Record<string, number>) => `version: 1
forge: {type: local}
gates:
  unit: {run: ["true"]}
stages:
  submit: [unit]
environments:
  staging:
    deploy: ${scriptArgv(state, 'deploy', 'staging', '{sha}')}
    health: ${health(ports.staging!)}
changes:
  freeze: ["2020-01-01..2099-12-31"]
  risk:
    sensitive: ["migrations/**"]
`

describe('flow change implement (built binary, real loopback service)', {timeout: 180_000}, () => {
  test('a deploy inside a freeze window through implement is refused (exit 6, every reason); --break-glass goes ahead, the reason is in the evidence with every approval, gate and the deployment', async () => {
    const scene = await envScene(['staging'], frozen, {FLOW_OFFLINE: '1'})
    const {repo} = scene
    expect((await scene.flow('feature', 'start', 'add-index')).exitCode).toBe(0)
    repo.commit('feat: index', {'migrations/001-index.sql': 'create index i on t(c);\n'})
    const head = repo.git('rev-parse', 'HEAD')
    const created = await scene.flow('change', 'new', '--type', 'normal', '--env', 'staging', '--json')
    expect(created.exitCode, created.stderr).toBe(0)
    expect(created.json).toMatchObject({id: 'CHG-1', approvalsRequired: 2})

    const dry = await scene.flow('change', 'implement', 'CHG-1', '--dry-run', '--json')
    expect(dry.exitCode, dry.stderr).toBe(0)
    expect(dry.json).toMatchObject({id: 'CHG-1', environment: 'staging', ref: 'feature/add-index', sha: head, status: 'dry-run'})
    expect(dry.json.steps[0]).toMatchObject({kind: 'change.event'})

    const refused = await scene.flow('change', 'implement', 'CHG-1', '--yes', '--json')
    expect(refused.exitCode).toBe(6)
    expect(refused.json.error.code).toBe('POLICY_BLOCKED')
    expect(refused.json.error.details.refusals.map((r: {code: string}) => r.code)).toEqual(['FREEZE', 'CHANGE', 'CHANGE'])
    expect(refused.json.error.message).toMatch(/^CHG-1 cannot be implemented now: staging is frozen until .*; needs 2 approvals, has 0.*; gate unit has not passed/)
    expect(await scene.serving('staging')).toBeUndefined()

    expect((await scene.flow('gates', 'run', 'submit')).exitCode).toBe(0)
    expect((await scene.flow('change', 'approve', 'CHG-1')).exitCode).toBe(6) // the author cannot approve
    for (const who of ['alice@example.com', 'bob@example.com']) {
      const run = await runFlow(['change', 'approve', 'CHG-1', '--comment', `ok by ${who}`], {cwd: repo.dir, env: {...repo.env, FLOW_OFFLINE: '1', ...as(who)}})
      expect(run.exitCode, run.stderr).toBe(0)
    }
    const stillFrozen = await scene.flow('change', 'implement', 'CHG-1', '--yes', '--json')
    expect(stillFrozen.exitCode).toBe(6)
    expect(stillFrozen.json.error.details.refusals.map((r: {code: string}) => r.code)).toEqual(['FREEZE'])
    expect(await scene.serving('staging')).toBeUndefined()

    const glass = await scene.flow('change', 'implement', 'CHG-1', '--break-glass', 'orders timing out, the index is the fix', '--yes', '--json')
    expect(glass.exitCode, glass.stderr).toBe(0)
    expect(glass.json).toMatchObject({id: 'CHG-1', environment: 'staging', sha: head, outcome: 'success', deployment: 'DEP-1', breakGlass: {reason: 'orders timing out, the index is the fix', overrode: ['FREEZE']}})
    expect((await scene.serving('staging'))?.sha).toBe(head)
    const deployment = recordEvents(repo).find((e) => e.event.type === 'created')!.event.data
    expect(deployment).toMatchObject({changeId: 'CHG-1', breakGlass: {reason: 'orders timing out, the index is the fix', overrode: ['FREEZE']}})

    const evidence = await scene.flow('change', 'evidence', 'CHG-1', '--format', 'json')
    expect(evidence.exitCode, evidence.stderr).toBe(0)
    const bundle = JSON.parse(evidence.stdout)
    expect(bundle.breakGlass).toEqual([expect.objectContaining({reason: 'orders timing out, the index is the fix', by: 'author@example.com'})])
    expect(bundle.reviewAfter).toBe(true)
    expect(bundle.approvals.filter((a: {decision: string}) => a.decision === 'approved').map((a: {by: string}) => a.by).sort()).toEqual(['alice@example.com', 'bob@example.com'])
    expect(bundle.gates).toEqual([expect.objectContaining({name: 'unit', status: 'passed', sha: head})])
    expect(bundle.deployments).toEqual([expect.objectContaining({id: 'DEP-1', environment: 'staging', sha: head, outcome: 'success', breakGlass: {reason: 'orders timing out, the index is the fix', overrode: ['FREEZE']}})])
    const md = await scene.flow('change', 'evidence', 'CHG-1')
    expect(md.stdout).toContain('orders timing out, the index is the fix')
    expect(md.stdout).toMatch(/\| DEP-1 \| staging \| [0-9a-f]{12} \| success \|/)
  })
})
