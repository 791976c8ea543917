import {existsSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {startFlow} from '../helpers/e2e.js'
import {envScene, scriptArgv, type EnvScene} from '../helpers/env-scene.js'

// flow is SIGKILLed while a health check of the deployment runs (the check command is held by the test), with its
// check process killed too. `flow continue` must then finish the deployment, or its rollback, from the journal:
// the records end with one outcome per deployment, and traffic is never left half-switched.

async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const kill = (pid: number) => {
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // gone already
  }
}

/** Starts a deploy, waits until its health check is held, and kills flow and the check there. */
async function killDuringVerification(scene: EnvScene, environment: string): Promise<void> {
  writeFileSync(join(scene.state, 'hold-check'), '')
  const child = startFlow(['env', 'deploy', environment, '--yes'], {cwd: scene.repo.dir, env: scene.repo.env})
  let stderr = ''
  child.stderr.on('data', (d) => (stderr += d))
  const entered = join(scene.state, 'entered-check')
  await until(() => existsSync(entered) || child.exitCode !== null, 'the held health check')
  expect(child.exitCode, stderr).toBeNull()
  kill(child.pid!)
  kill(Number(readFileSync(entered, 'utf8')))
  await new Promise((resolve) => (child.exitCode === null && child.signalCode === null ? child.on('exit', resolve) : resolve(undefined)))
  rmSync(entered)
  rmSync(join(scene.state, 'hold-check'))
}

const rolling = (state: string) => `version: 1
environments:
  staging:
    deploy: ${scriptArgv(state, 'deploy', 'staging', '{sha}')}
    health: {command: ${scriptArgv(state, 'check', 'staging')}, interval: 20ms, count: 2}
`

const blueGreen = (state: string) => `version: 1
environments:
  production:
    deploy: ${scriptArgv(state, 'deploy', '{color}', '{sha}')}
    strategy:
      blue-green:
        switch: ${scriptArgv(state, 'switch', '{color}')}
        verify: {command: ${scriptArgv(state, 'check', '{color}')}, interval: 20ms, count: 2}
`

describe('killing flow during verification, then flow continue (built binary)', {timeout: 120_000}, () => {
  test('a healthy deployment: continue verifies again and records it live', async () => {
    const scene = await envScene(['staging'], rolling)
    expect((await scene.flow('env', 'deploy', 'staging', '--yes')).exitCode).toBe(0)
    const two = scene.repo.commit('feat: two')
    await killDuringVerification(scene, 'staging')
    const interrupted = await scene.flow('env', 'history', 'staging', '--json')
    expect(interrupted.json.deployments[0]).toMatchObject({id: 'DEP-2', outcome: 'in_progress'})
    const again = await scene.flow('env', 'deploy', 'staging', '--yes', '--json')
    expect(again.exitCode).toBe(6)
    expect(again.json.error.details.refusals.map((r: {code: string}) => r.code)).toEqual(['IN_PROGRESS'])

    const resumed = await scene.flow('continue', '--json')
    expect(resumed.exitCode, resumed.stderr).toBe(0)
    const history = await scene.flow('env', 'history', 'staging', '--json')
    expect(history.json.deployments.map((d: {id: string; outcome: string}) => `${d.id} ${d.outcome}`)).toEqual(['DEP-2 success', 'DEP-1 success'])
    expect((await scene.serving('staging'))?.sha).toBe(two)
  })

  test('an unhealthy deployment: continue finishes its automatic rollback', async () => {
    const scene = await envScene(['staging'], rolling)
    const one = scene.repo.git('rev-parse', 'HEAD')
    expect((await scene.flow('env', 'deploy', 'staging', '--yes')).exitCode).toBe(0)
    const bad = scene.repo.commit('feat: unhealthy')
    scene.failing(bad)
    await killDuringVerification(scene, 'staging')
    // continue ends the way the uninterrupted run would have: exit 1, DEPLOY_FAILED, the same message and hint.
    const resumed = await scene.flow('continue', '--json')
    expect(resumed.exitCode, resumed.stderr).toBe(1)
    expect(resumed.json.error).toMatchObject({
      code: 'DEPLOY_FAILED', message: `DEP-2 of ${bad.slice(0, 7)} to staging was rolled back (DEP-3)`, hint: 'flow env history staging shows the failed checks.',
      details: {outcome: 'rolled_back', deployment: 'DEP-2', rollback: 'DEP-3', rollbackOutcome: 'success', previousSha: one, command: 'env deploy'},
    })
    const history = await scene.flow('env', 'history', 'staging', '--json')
    expect(history.json.deployments.map((d: {id: string; outcome: string}) => `${d.id} ${d.outcome}`)).toEqual(['DEP-3 success', 'DEP-2 rolled_back', 'DEP-1 success'])
    expect(await scene.serving('staging')).toMatchObject({status: 200, sha: one})
    // The run is finished: nothing is left to continue. The same deployment, not interrupted, fails the same way.
    expect((await scene.flow('status', '--json')).json.run).toBeNull()
    const uninterrupted = await scene.flow('env', 'deploy', 'staging', '--yes', '--json')
    expect(uninterrupted.exitCode).toBe(1)
    expect(uninterrupted.json.error).toMatchObject({code: 'DEPLOY_FAILED', message: `DEP-4 of ${bad.slice(0, 7)} to staging was rolled back (DEP-5)`, hint: resumed.json.error.hint})
  })

  test('blue-green: nothing is switched while the idle colour is being verified; continue switches once it is healthy', async () => {
    const scene = await envScene(['blue', 'green'], blueGreen)
    expect((await scene.flow('env', 'deploy', 'production', '--yes')).exitCode).toBe(0)
    const two = scene.repo.commit('feat: two')
    await killDuringVerification(scene, 'production')
    expect(scene.read('live')).toBe('blue')
    const resumed = await scene.flow('continue', '--json')
    expect(resumed.exitCode, resumed.stderr).toBe(0)
    expect(scene.read('live')).toBe('green')
    expect((await scene.serving('green'))?.sha).toBe(two)
    const history = await scene.flow('env', 'history', 'production', '--json')
    expect(history.json.deployments.map((d: {id: string; outcome: string}) => `${d.id} ${d.outcome}`)).toEqual(['DEP-2 success', 'DEP-1 success'])
  })
})
