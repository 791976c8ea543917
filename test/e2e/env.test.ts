import {existsSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {envScene, recordEvents, scriptArgv} from '../helpers/env-scene.js'

const health = (port: number, extra = '') => `{url: "http://127.0.0.1:${port}/health", interval: 50ms, count: 3, failure_limit: 0, latency: 5s, expect: {status: 200, json: {status: ok}}${extra}}`

/** staging and production, rolling, each its own real service; production after staging. */
const twoEnvs = (freeze = '[]') => (state: string, ports: Record<string, number>) => `version: 1
environments:
  staging:
    url: http://127.0.0.1:${ports.staging}/
    deploy: ${scriptArgv(state, 'deploy', 'staging', '{sha}')}
    health: ${health(ports.staging!)}
    env: {TEAM: payments}
  production:
    after: staging
    deploy: ${scriptArgv(state, 'deploy', 'production', '{sha}')}
    health: ${health(ports.production!)}
    freeze: ${freeze}
`

describe('flow env (built binary, real loopback services)', {timeout: 120_000}, () => {
  test('a good version deploys, verifies and is recorded; a failing one is rolled back automatically and both are recorded', async () => {
    const scene = await envScene(['staging', 'production'], twoEnvs())
    const {repo} = scene
    repo.git('tag', '-a', 'v1.0.0', '-m', 'v1.0.0')
    const good = repo.git('rev-parse', 'HEAD')

    const first = await scene.flow('env', 'deploy', 'staging', '--yes', '--json')
    expect(first.exitCode, first.stderr).toBe(0)
    expect(first.json).toMatchObject({environment: 'staging', sha: good, version: '1.0.0', outcome: 'success', deployment: 'DEP-1', kind: 'deploy', strategy: 'rolling'})
    expect(await scene.serving('staging')).toEqual({status: 200, sha: good, version: '1.0.0'})
    const call = scene.log().find((c) => c.verb === 'deploy')!
    expect(call.argv).toEqual(['staging', good])
    expect(call.env).toMatchObject({FLOW_ENV: 'staging', FLOW_SHA: good, FLOW_PREVIOUS_SHA: '', FLOW_VERSION: '1.0.0', FLOW_DEPLOYMENT: 'DEP-1'})

    const bad = repo.commit('feat: broken health; $(touch pwned) `x` "quoted"')
    scene.failing(bad)
    const second = await scene.flow('env', 'deploy', 'staging', '--yes', '--json')
    expect(second.exitCode, second.stderr).toBe(1)
    expect(second.json.error).toMatchObject({code: 'DEPLOY_FAILED', details: {outcome: 'rolled_back', deployment: 'DEP-2', rollback: 'DEP-3', rollbackOutcome: 'success', previousSha: good}})
    expect(second.json.error.message).toContain('rolled back')
    expect(await scene.serving('staging')).toEqual({status: 200, sha: good, version: '1.0.0'})
    const redeploy = scene.log().filter((c) => c.verb === 'deploy').at(-1)!
    expect(redeploy.argv).toEqual(['staging', good])
    expect(redeploy.env).toMatchObject({FLOW_SHA: good, FLOW_PREVIOUS_SHA: bad, FLOW_DEPLOYMENT: 'DEP-3'})

    const history = await scene.flow('env', 'history', 'staging', '--json')
    expect(history.exitCode, history.stderr).toBe(0)
    const [rollback, failed, ok] = history.json.deployments
    expect(ok).toMatchObject({id: 'DEP-1', outcome: 'success', kind: 'deploy', sha: good, version: '1.0.0'})
    expect(failed).toMatchObject({id: 'DEP-2', outcome: 'rolled_back', rolledBackBy: 'DEP-3', sha: bad, previousSha: good})
    expect(failed.health.length).toBe(1)
    expect(failed.health[0]).toMatchObject({ok: false, detail: 'HTTP 500 (expected 200)'})
    expect(rollback).toMatchObject({id: 'DEP-3', kind: 'rollback', rollbackOf: 'DEP-2', outcome: 'success', sha: good})
    expect(rollback.health.every((h: {ok: boolean}) => h.ok)).toBe(true)

    const status = await scene.flow('env', 'status', 'staging', '--json')
    expect(status.json.environments[0]).toMatchObject({name: 'staging', deployed: {deployment: 'DEP-3', sha: good}, health: 'healthy', lock: {locked: false}})
    expect(status.json.environments[0]).not.toHaveProperty('lastAttempt')
    expect(existsSync(join(repo.dir, 'pwned'))).toBe(false)
    // Every event is in the record store, collection deployments; the local forge reads the same records.
    const events = recordEvents(repo)
    expect(new Set(events.map((e) => e.path.split('/')[1]))).toEqual(new Set(['DEP-1', 'DEP-2', 'DEP-3']))
    expect(events.filter((e) => e.event.type === 'created')).toHaveLength(3)
  })

  test('a deploy inside a freeze window exits 6 listing every reason; --break-glass goes ahead and records the reason; promote deploys what staging runs', async () => {
    const scene = await envScene(['staging', 'production'], twoEnvs('["2020-01-01..2099-12-31"]'))
    const {repo} = scene
    const sha = repo.git('rev-parse', 'HEAD')
    const lock = await scene.flow('env', 'lock', 'production', '--reason', 'quiet period', '--json')
    expect(lock.exitCode, lock.stderr).toBe(0)

    const refused = await scene.flow('env', 'deploy', 'production', '--yes', '--json')
    expect(refused.exitCode).toBe(6)
    expect(refused.json.error.code).toBe('POLICY_BLOCKED')
    expect(refused.json.error.details.refusals.map((r: {code: string}) => r.code)).toEqual(['FREEZE', 'LOCKED', 'PROMOTION_ORDER'])
    expect(refused.json.error.message).toContain('frozen until')
    expect(refused.json.error.message).toContain('quiet period')
    expect(await scene.serving('production')).toBeUndefined()

    const staged = await scene.flow('env', 'deploy', 'staging', '--yes', '--json')
    expect(staged.exitCode, staged.stderr).toBe(0)
    const stillFrozen = await scene.flow('env', 'promote', 'staging', 'production', '--yes', '--json')
    expect(stillFrozen.exitCode).toBe(6)
    expect(stillFrozen.json.error.details.refusals.map((r: {code: string}) => r.code)).toEqual(['FREEZE', 'LOCKED'])

    repo.commit('feat: newer, not on staging')
    const glass = await scene.flow('env', 'promote', 'staging', 'production', '--break-glass', 'INC-9 needs the fix now', '--yes', '--json')
    expect(glass.exitCode, glass.stderr).toBe(0)
    expect(glass.json).toMatchObject({kind: 'promote', sha, outcome: 'success', breakGlass: {reason: 'INC-9 needs the fix now', overrode: ['FREEZE', 'LOCKED']}})
    expect((await scene.serving('production'))?.sha).toBe(sha)
    expect((await scene.serving('production'))?.sha).toBe((await scene.serving('staging'))?.sha)
    const history = await scene.flow('env', 'history', 'production', '--json')
    expect(history.json.deployments[0]).toMatchObject({kind: 'promote', breakGlass: {reason: 'INC-9 needs the fix now', overrode: ['FREEZE', 'LOCKED']}})

    const list = await scene.flow('env', 'list', '--json')
    expect(list.json.environments.find((e: {name: string}) => e.name === 'production')).toMatchObject({lock: {locked: true, reason: 'quiet period'}, freeze: {active: true}, deployed: {sha}})
    expect(list.json.environments.find((e: {name: string}) => e.name === 'staging')).toMatchObject({deployed: {sha}, health: 'healthy'})
    const unlock = await scene.flow('env', 'unlock', 'production', '--json')
    expect(unlock.json).toMatchObject({locked: false, changed: true})
    const text = await scene.flow('env', 'history', 'production')
    expect(text.stdout).toContain('BREAK-GLASS: INC-9 needs the fix now')
  })

  test('promotion order, approvals, diff and a manual rollback', async () => {
    const scene = await envScene(['staging', 'production'], (state, ports) => twoEnvs()(state, ports).replace('    after: staging\n', '    after: staging\n    approvals: 1\n'))
    const {repo} = scene
    const one = repo.git('rev-parse', 'HEAD')
    expect((await scene.flow('env', 'deploy', 'staging', '--yes')).exitCode).toBe(0)
    const refused = await scene.flow('env', 'deploy', 'production', '--yes', '--json')
    expect(refused.exitCode).toBe(6)
    expect(refused.json.error.details.refusals.map((r: {code: string}) => r.code)).toEqual(['APPROVALS'])
    // Another person approves (an approval of one's own deployment does not count).
    repo.git('config', 'user.email', 'lead@example.com')
    expect((await scene.flow('env', 'approve', 'production', '--json')).json).toMatchObject({approvals: {have: 1, need: 1}})
    repo.git('config', 'user.email', 'dev@example.com')
    expect((await scene.flow('env', 'promote', 'staging', 'production', '--yes')).exitCode).toBe(0)

    const two = repo.commit('feat: two (#12)')
    expect((await scene.flow('env', 'deploy', 'staging', '--yes')).exitCode).toBe(0)
    const diff = await scene.flow('env', 'diff', 'production', 'staging', '--json')
    expect(diff.json).toMatchObject({from: {sha: one}, to: {sha: two}, pullRequests: [12]})
    expect(diff.json.commits.map((c: {sha: string}) => c.sha)).toEqual([two])
    const status = await scene.flow('env', 'status', 'production', '--json')
    expect(status.json.environments[0]).toMatchObject({waiting: 1})

    const back = await scene.flow('env', 'rollback', 'staging', '--yes', '--json')
    expect(back.exitCode, back.stderr).toBe(0)
    expect(back.json).toMatchObject({kind: 'rollback', sha: one, outcome: 'success'})
    expect((await scene.serving('staging'))?.sha).toBe(one)
    const history = await scene.flow('env', 'history', 'staging', '--json')
    expect(history.json.deployments[0]).toMatchObject({kind: 'rollback', rollbackOf: history.json.deployments[1].id})
  })

  test('blue-green switches only after the idle colour is healthy, and keeps the old colour', async () => {
    const scene = await envScene(['blue', 'green'], (state) => `version: 1
environments:
  production:
    deploy: ${scriptArgv(state, 'deploy', '{color}', '{sha}')}
    strategy:
      blue-green:
        switch: ${scriptArgv(state, 'switch', '{color}')}
        verify: {command: ${scriptArgv(state, 'check', '{color}')}, interval: 50ms, count: 2}
`)
    const {repo} = scene
    const one = repo.git('rev-parse', 'HEAD')
    const first = await scene.flow('env', 'deploy', 'production', '--yes', '--json')
    expect(first.exitCode, first.stderr).toBe(0)
    expect(first.json).toMatchObject({strategy: 'blue-green', outcome: 'success'})
    expect(scene.read('live')).toBe('blue')
    expect((await scene.serving('blue'))?.sha).toBe(one)

    const two = repo.commit('feat: two')
    expect((await scene.flow('env', 'deploy', 'production', '--yes')).exitCode).toBe(0)
    expect(scene.read('live')).toBe('green')
    expect((await scene.serving('green'))?.sha).toBe(two)
    expect((await scene.serving('blue'))?.sha).toBe(one)

    const three = repo.commit('feat: three, unhealthy')
    scene.failing(three)
    const failed = await scene.flow('env', 'deploy', 'production', '--yes', '--json')
    expect(failed.exitCode).toBe(1)
    expect(failed.json.error.details).toMatchObject({outcome: 'failed', deployment: 'DEP-3'})
    expect(failed.json.error.details.rollback).toBeUndefined()
    // Never switched: green still serves two; the unhealthy three sits on the idle blue.
    expect(scene.read('live')).toBe('green')
    expect(scene.log().filter((c) => c.verb === 'switch').map((c) => c.argv[0])).toEqual(['blue', 'green'])
    expect((await scene.serving('green'))?.sha).toBe(two)
    expect((await scene.serving('blue'))?.status).toBe(500)
  })

  test('canary walks its weight steps, and aborts to 0 and rolls back on a failed check', async () => {
    const scene = await envScene(['canary'], (state, ports) => `version: 1
environments:
  production:
    deploy: ${scriptArgv(state, 'deploy', 'canary', '{sha}')}
    rollback: ${scriptArgv(state, 'deploy', 'canary', '{previous_sha}')}
    health: {url: "http://127.0.0.1:${ports.canary}/health", interval: 20ms, count: 1}
    strategy:
      canary:
        weight: ${scriptArgv(state, 'weight', '{percent}')}
        steps: [10, 50, 100]
        pause: 10ms
        analysis: {command: ${scriptArgv(state, 'check', 'canary')}, interval: 20ms, count: 2, failure_limit: 1}
`)
    const {repo} = scene
    const one = repo.git('rev-parse', 'HEAD')
    const first = await scene.flow('env', 'deploy', 'production', '--yes', '--json')
    expect(first.exitCode, first.stderr).toBe(0)
    expect(first.json).toMatchObject({strategy: 'canary', outcome: 'success'})
    expect(scene.read('weights').trim().split('\n')).toEqual(['10', '50', '100'])

    const two = repo.commit('feat: unhealthy canary')
    scene.failing(two)
    const failed = await scene.flow('env', 'deploy', 'production', '--yes', '--json')
    expect(failed.exitCode).toBe(1)
    expect(failed.json.error.details).toMatchObject({outcome: 'rolled_back', rollbackOutcome: 'success'})
    expect(scene.read('weights').trim().split('\n')).toEqual(['10', '50', '100', '10', '0'])
    expect(await scene.serving('canary')).toMatchObject({status: 200, sha: one})
    const rollback = scene.log().filter((c) => c.verb === 'deploy').at(-1)!
    expect(rollback.argv).toEqual(['canary', one])
    expect(rollback.env).toMatchObject({FLOW_SHA: one, FLOW_PREVIOUS_SHA: one})
  })

  test('--dry-run prints the plan with the rollback steps and changes nothing; a string command gets values only through the environment', async () => {
    const scene = await envScene(['staging'], (state) => `version: 1
environments:
  staging:
    deploy: ${scriptArgv(state, 'deploy', 'staging', '{sha}')}
    health: {command: 'node -e "process.exit(process.env.FLOW_ENV === \\"staging\\" ? 0 : 1)"', interval: 10ms, count: 1}
  production:
    deploy: ${scriptArgv(state, 'deploy', 'staging', '{sha}')}
`)
    expect((await scene.flow('env', 'deploy', 'staging', '--yes')).exitCode).toBe(0)
    scene.repo.commit('feat: two')
    const dry = await scene.flow('env', 'deploy', 'staging', '--dry-run', '--json')
    expect(dry.exitCode, dry.stderr).toBe(0)
    expect(dry.json.status).toBe('dry-run')
    expect(dry.json.steps.map((s: {description: string}) => s.description).join('\n')).toContain('If it fails')
    expect(recordEvents(scene.repo).filter((e) => e.event.type === 'created')).toHaveLength(1)
    const noYes = await scene.flow('env', 'deploy', 'staging', '--json')
    expect(noYes.exitCode).toBe(2)
    const unknown = await scene.flow('env', 'deploy', 'qa', '--yes', '--json')
    expect(unknown.exitCode).toBe(2)
    expect(unknown.json.error.hint).toContain('staging, production')
  })

  test('the deploy gate stage runs first (a red gate pauses, nothing deployed); a failing deploy command rolls back; break-glass skips the gates and says so', async () => {
    const scene = await envScene(['staging'], (state, ports) => `version: 1
gates:
  smoke: {run: ["node", "-e", "process.exit(require('fs').existsSync('red') ? 1 : 0)"]}
stages:
  deploy: [smoke]
environments:
  staging:
    deploy: ${scriptArgv(state, 'deploy', 'staging', '{sha}')}
    health: {url: "http://127.0.0.1:${ports.staging}/health", interval: 10ms, count: 1}
`)
    const {repo} = scene
    const one = repo.git('rev-parse', 'HEAD')
    expect((await scene.flow('env', 'deploy', 'staging', '--yes')).exitCode).toBe(0)
    repo.write('red', '')
    const red = await scene.flow('env', 'deploy', 'staging', '--yes', '--json')
    expect(red.exitCode).toBe(8)
    expect(red.json.error.details.cause.code).toBe('GATE_FAILED')
    expect((await scene.flow('abort')).exitCode).toBe(0)
    expect(recordEvents(repo).filter((e) => e.event.type === 'created')).toHaveLength(1)

    expect((await scene.flow('env', 'lock', 'staging', '--reason', 'incident')).exitCode).toBe(0)
    const glass = await scene.flow('env', 'deploy', 'staging', '--break-glass', 'hotfix', '--yes', '--json')
    expect(glass.exitCode, glass.stderr).toBe(0)
    expect(glass.json.breakGlass).toEqual({reason: 'hotfix', overrode: ['LOCKED', 'GATES']})
    expect(glass.json.steps.some((s: {kind: string}) => s.kind === 'gates.run')).toBe(false)

    // A deploy command that exits non-zero counts as a failed deployment: rolled back to what ran before.
    const broken = repo.commit('feat: cannot start')
    writeFileSync(join(scene.state, `broken-${broken}`), '')
    const failed = await scene.flow('env', 'deploy', 'staging', '--break-glass', 'still locked', '--yes', '--json')
    expect(failed.exitCode).toBe(1)
    expect(failed.json.error.details).toMatchObject({sha: broken, previousSha: one, outcome: 'rolled_back', rollbackOutcome: 'success'})
    expect((await scene.serving('staging'))?.sha).toBe(one)
  })

  test('rolling in batches: the deploy command runs once per batch ({batch}, FLOW_BATCH), each batch checked; a failed batch stops the rest and rolls back every batch', async () => {
    const batched = (state: string) => `version: 1
environments:
  staging:
    deploy: ${scriptArgv(state, 'deploy', 'web-{batch}', '{sha}')}
    health: {command: ${scriptArgv(state, 'check', 'web-{batch}')}, interval: 20ms, count: 2}
    strategy: {rolling: {batch: 1, instances: 3, pause: 300ms}}
`
    const scene = await envScene(['web-1', 'web-2', 'web-3'], batched)
    const {repo} = scene
    const good = repo.git('rev-parse', 'HEAD')
    const dry = await scene.flow('env', 'deploy', 'staging', '--dry-run', '--json')
    expect(dry.json.steps.map((s: {description: string}) => s.description).filter((d: string) => d.startsWith('after a 300ms pause, Deploy'))).toHaveLength(2)
    const started = Date.now()
    const first = await scene.flow('env', 'deploy', 'staging', '--yes', '--json')
    expect(first.exitCode, first.stderr).toBe(0)
    expect(Date.now() - started).toBeGreaterThanOrEqual(600)
    expect(first.json).toMatchObject({outcome: 'success', strategy: 'rolling'})
    for (const slot of ['web-1', 'web-2', 'web-3']) expect((await scene.serving(slot))?.sha).toBe(good)
    const calls = scene.log()
    expect(calls.map((c) => `${c.verb} ${c.argv[0]}`)).toEqual(['deploy web-1', 'check web-1', 'check web-1', 'deploy web-2', 'check web-2', 'check web-2', 'deploy web-3', 'check web-3', 'check web-3'])
    expect(calls[3]!.env).toMatchObject({FLOW_BATCH: '2', FLOW_BATCHES: '3', FLOW_SHA: good})
    const health = (await scene.flow('env', 'history', 'staging', '--json')).json.deployments[0]
    expect(health.health.filter((h: {ok: boolean}) => h.ok)).toHaveLength(6) // two samples per batch

    const bad = repo.commit('feat: unhealthy')
    scene.failing(bad)
    const failed = await scene.flow('env', 'deploy', 'staging', '--yes', '--json')
    expect(failed.exitCode).toBe(1)
    expect(failed.json.error).toMatchObject({code: 'DEPLOY_FAILED', details: {outcome: 'rolled_back', deployment: 'DEP-2', rollback: 'DEP-3', rollbackOutcome: 'success'}})
    const deploys = scene.log().slice(calls.length).filter((c) => c.verb === 'deploy').map((c) => `${c.argv[0]} ${c.argv[1] === bad ? 'bad' : 'good'}`)
    expect(deploys).toEqual(['web-1 bad', 'web-1 good', 'web-2 good', 'web-3 good'])
    for (const slot of ['web-1', 'web-2', 'web-3']) expect((await scene.serving(slot))?.sha).toBe(good)
  })

  test('a rolling batch given as a number of instances without instances: is a config error (exit 3)', async () => {
    const scene = await envScene([], () => 'version: 1\nenvironments:\n  staging: {deploy: ["true"], strategy: {rolling: {batch: 2}}}\n')
    const run = await scene.flow('env', 'deploy', 'staging', '--yes', '--json')
    expect(run.exitCode).toBe(3)
    expect(JSON.stringify(run.json.error)).toContain('instances: (how many there are) with a batch of more than 1 instance')
  })
})
