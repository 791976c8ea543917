import {describe, expect, test} from 'vitest'
import {envScene, scriptArgv} from '../helpers/env-scene.js'
import {fakeGitHubPerTest, githubEnv} from '../helpers/github-e2e.js'
import {runFlow} from '../helpers/e2e.js'

const fakeGitHub = fakeGitHubPerTest()

describe('flow env deploy with the GitHub forge (built binary, fake GitHub validated against the spec)', {timeout: 120_000}, () => {
  test('GitHub deployments: auto_merge false, the environment, in_progress → success/failure with environment_url and log_url, older ones inactive', async () => {
    const server = await fakeGitHub.start()
    const scene = await envScene(['staging'], (state, ports) => `version: 1
forge: {type: github}
environments:
  staging:
    url: http://127.0.0.1:${ports.staging}/
    deploy: ${scriptArgv(state, 'deploy', 'staging', '{sha}')}
    health: {url: "http://127.0.0.1:${ports.staging}/health", interval: 20ms, count: 2}
`)
    const env = githubEnv(scene.repo, server)
    const flow = (...args: string[]) => runFlow(args, {cwd: scene.repo.dir, env, timeoutMs: 60_000})
    const one = scene.repo.git('rev-parse', 'HEAD')
    const first = await flow('env', 'deploy', 'staging', '--yes', '--json')
    expect(first.exitCode, first.stderr).toBe(0)
    const bad = scene.repo.commit('feat: unhealthy')
    scene.failing(bad)
    const second = await flow('env', 'deploy', 'staging', '--yes', '--json')
    expect(second.exitCode, second.stderr).toBe(1)
    expect(second.json.error.details).toMatchObject({outcome: 'rolled_back'})

    const creates = server.github.requests.filter((r) => r.operationId === 'repos/create-deployment')
    expect(creates.map((r) => r.body)).toEqual([
      expect.objectContaining({ref: one, environment: 'staging', auto_merge: false, required_contexts: [], production_environment: false}),
      expect.objectContaining({ref: bad, environment: 'staging', auto_merge: false}),
      expect.objectContaining({ref: one, environment: 'staging', auto_merge: false, payload: {flow: 'DEP-3', kind: 'rollback'}}),
    ])
    const repo = server.github.repo('octo', 'hello')
    const states = (n: number) => repo.statuses.filter((s) => s.deployment === repo.deployments[n]!.id).map((s) => s.state)
    expect(states(0)).toEqual(['in_progress', 'success', 'inactive'])
    expect(states(1)).toEqual(['in_progress', 'failure'])
    expect(states(2)).toEqual(['in_progress', 'success'])
    const success = repo.statuses.find((s) => s.state === 'success')!
    expect(success.environmentUrl).toBe(`http://127.0.0.1:${scene.ports.staging}/`)
    expect(success.logUrl).toBe('https://github.com/octo/hello/tree/flow/records/deployments/DEP-1')
    // The records stay the source of truth, with the GitHub ids they were mirrored to.
    const history = await flow('env', 'history', 'staging', '--json')
    expect(history.json.deployments.map((d: {id: string; outcome: string}) => `${d.id} ${d.outcome}`)).toEqual(['DEP-3 success', 'DEP-2 rolled_back', 'DEP-1 success'])
  })
})
