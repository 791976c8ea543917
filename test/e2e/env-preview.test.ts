import {spawnSync} from 'node:child_process'
import {existsSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {startFlow} from '../helpers/e2e.js'
import {envScene, scriptArgv, type EnvScene} from '../helpers/env-scene.js'
import {fakeGitHubPerTest, originOnGitHub} from '../helpers/github-e2e.js'

const PREVIEW = join(import.meta.dirname, '../helpers/test-preview.mjs')
const fakeGitHub = fakeGitHubPerTest()

/** A preview template: create/destroy by test-preview.mjs, deploy and check by test-deploy.mjs in slot {slug}, served on a loopback port. */
const yaml = (ttl = '', url = '{branch}') => (state: string, ports: Record<string, number>) => `version: 1
environments:
  staging:
    deploy: ${scriptArgv(state, 'deploy', 'staging', '{sha}')}
  review:
    preview: true
    url: "http://127.0.0.1:${ports['feature-login']}/${url}"
    create: ${JSON.stringify(['node', PREVIEW, 'create', state, '{slug}', '{url}'])}
    destroy: ${JSON.stringify(['node', PREVIEW, 'destroy', state, '{slug}'])}
    deploy: ${scriptArgv(state, 'deploy', '{slug}', '{sha}')}
    health: {command: ${scriptArgv(state, 'check', '{slug}')}, interval: 50ms, count: 2, failure_limit: 0}
${ttl ? `    ttl: ${ttl}\n` : ''}`

const previewLog = (scene: EnvScene) => (existsSync(join(scene.state, 'preview-log.jsonl')) ? readFileSync(join(scene.state, 'preview-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as {verb: string; argv: string[]; env: Record<string, string>}) : [])

describe('preview environments (built binary, loopback service, fake GitHub)', {timeout: 180_000}, () => {
  test('feature submit creates the preview and puts its URL in the pull request; re-submit keeps one line; finish destroys it; a failed destroy is retried by prune', async () => {
    let origin = ''
    const server = await fakeGitHub.start({headSha: (_o, _r, branch) => {
      const r = spawnSync('git', ['rev-parse', '-q', '--verify', `refs/heads/${branch}`], {cwd: origin, encoding: 'utf8'})
      return r.status === 0 ? r.stdout.trim() : undefined
    }})
    const scene = await envScene(['feature-login'], yaml(), {GH_TOKEN: 'plain-token-e2e-preview', GITHUB_API_URL: server.url})
    const {repo} = scene
    origin = repo.origin
    repo.git('push', '-q', 'origin', 'main')
    originOnGitHub(repo)
    const url = `http://127.0.0.1:${scene.ports['feature-login']}/feature%2Flogin`

    expect((await scene.flow('feature', 'start', 'login')).exitCode).toBe(0)
    const first = repo.commit('feat: login form')
    const submitted = await scene.flow('feature', 'submit', '--json')
    expect(submitted.exitCode, submitted.stderr).toBe(0)
    expect(submitted.json).toMatchObject({number: 1, created: true, preview: {environment: 'review-feature-login', url, outcome: 'success'}})
    expect(submitted.json.preview).not.toHaveProperty('error')
    expect(await scene.serving('feature-login')).toMatchObject({status: 200, sha: first})
    expect(await (await fetch(url)).text()).toBe(first)
    const create = previewLog(scene).find((c) => c.verb === 'create')!
    expect(create.argv).toEqual([scene.state, 'feature-login', url].slice(1))
    expect(create.env).toMatchObject({FLOW_BRANCH: 'feature/login', FLOW_SLUG: 'feature-login', FLOW_PREVIEW_URL: url, FLOW_ENV: 'review-feature-login', FLOW_SHA: first})
    const pulls = server.github.repo('octo', 'hello').pulls
    expect(pulls[0]!.body).toContain(`Preview: ${url}`)

    const second = repo.commit('fix: login typo')
    const again = await scene.flow('feature', 'submit', '--json')
    expect(again.exitCode, again.stderr).toBe(0)
    expect(again.json).toMatchObject({number: 1, created: false, preview: {url, outcome: 'success'}})
    expect(pulls[0]!.body.split(`Preview: ${url}`)).toHaveLength(2)
    expect(pulls[0]!.body).toContain('fix: login typo')
    expect(await scene.serving('feature-login')).toMatchObject({status: 200, sha: second})
    expect(previewLog(scene).filter((c) => c.verb === 'create')).toHaveLength(1)

    const list = await scene.flow('env', 'list', '--json')
    expect(list.exitCode, list.stderr).toBe(0)
    expect(list.json.environments.map((e: {name: string}) => e.name)).toEqual(['staging'])
    expect(list.json.previews).toMatchObject([{branch: 'feature/login', environment: 'review-feature-login', url, state: 'live', outcome: 'success'}])
    expect(list.json.previews[0].ageMs).toBeGreaterThanOrEqual(0)
    const listText = await scene.flow('env', 'list')
    expect(listText.stdout).toMatch(/previews:\n {2}feature\/login +\d+[smhd] {2}http:\/\/127\.0\.0\.1:\d+\/feature%2Flogin {2}live/)

    writeFileSync(join(scene.state, 'fail-destroy-once'), '')
    expect((await scene.flow('feature', 'approve', '--json')).exitCode).toBe(0)
    const finished = await scene.flow('feature', 'finish', '--json')
    expect(finished.exitCode, finished.stderr).toBe(0)
    expect(finished.json).toMatchObject({number: 1, preview: {environment: 'review-feature-login', destroyed: false}})
    expect(finished.json.preview.error).toContain('the destroy command exited 5')
    expect(finished.stderr).toContain('flow env prune retries it')
    expect(pulls[0]).toMatchObject({merged: true})
    expect(repo.currentBranch()).toBe('main')
    expect(await scene.serving('feature-login')).toMatchObject({status: 200})

    const failed = await scene.flow('env', 'list', '--json')
    expect(failed.json.previews).toMatchObject([{branch: 'feature/login', state: 'destroy_failed', destroyAttempts: 1}])
    const pruned = await scene.flow('env', 'prune', '--json')
    expect(pruned.exitCode, pruned.stderr).toBe(0)
    expect(pruned.json).toMatchObject({destroyed: ['feature/login'], failed: []})
    expect(await scene.serving('feature-login')).toBeUndefined()
    expect((await scene.flow('env', 'list', '--json')).json.previews).toEqual([])
    expect(previewLog(scene).filter((c) => c.verb === 'destroy')).toHaveLength(2)
    // The preview's GitHub deployments: environment review-feature-login, not production, inactive once destroyed.
    const gh = server.github.repo('octo', 'hello')
    expect(gh.deployments.map((d) => d.environment)).toEqual(['review-feature-login', 'review-feature-login'])
    expect(gh.statuses.filter((s) => s.deployment === gh.deployments[1]!.id).map((s) => s.state)).toEqual(['in_progress', 'success', 'inactive'])
    expect(gh.statuses.find((s) => s.state === 'success')!.environmentUrl).toBe(url)
    expect((await scene.flow('env', 'prune', '--json')).json).toMatchObject({destroyed: [], failed: []})
    for (const out of [submitted, again, finished, pruned]) expect(out.stdout + out.stderr).not.toContain('plain-token-e2e-preview')
  })

  test('env create --preview / destroy / prune --older-than with the local forge; a failed create is a recorded warning and the pull request still opens', async () => {
    const scene = await envScene(['feature-login'], yaml('7d'))
    const {repo} = scene
    repo.git('checkout', '-q', '-b', 'feature/login')
    const sha = repo.commit('feat: login')
    const dry = await scene.flow('env', 'create', '--preview', '--dry-run', '--json')
    expect(dry.exitCode, dry.stderr).toBe(0)
    expect(dry.json.steps.map((s: {kind: string}) => s.kind)).toEqual(['preview.create', 'env.begin', 'env.command', 'env.verify', 'env.finish', 'preview.ready'])
    const created = await scene.flow('env', 'create', '--preview', 'feature/login', '--json')
    expect(created.exitCode, created.stderr).toBe(0)
    expect(created.json).toMatchObject({branch: 'feature/login', environment: 'review-feature-login', sha, outcome: 'success', created: true, deployment: 'DEP-1'})
    expect(await scene.serving('feature-login')).toMatchObject({status: 200, sha})

    // Fresh: a 7d ttl and --older-than 1h keep it; --older-than 0s destroys it.
    expect((await scene.flow('env', 'prune', '--json')).json).toMatchObject({destroyed: [], kept: ['feature/login']})
    expect((await scene.flow('env', 'prune', '--older-than', '1h', '--json')).json).toMatchObject({destroyed: []})
    const pruned = await scene.flow('env', 'prune', '--older-than', '0s', '--json')
    expect(pruned.json).toMatchObject({destroyed: ['feature/login']})
    expect(await scene.serving('feature-login')).toBeUndefined()

    // Created again, destroyed by hand; a destroy that fails exits 1 and is listed.
    expect((await scene.flow('env', 'create', '--preview', '--json')).exitCode).toBe(0)
    writeFileSync(join(scene.state, 'fail-destroy-once'), '')
    const destroyFail = await scene.flow('env', 'destroy', '--json')
    expect(destroyFail.exitCode).toBe(1)
    expect(destroyFail.json.error.message).toContain('the destroy command exited 5')
    const destroyed = await scene.flow('env', 'destroy', '--preview', 'feature/login', '--json')
    expect(destroyed.exitCode, destroyed.stderr).toBe(0)
    expect(destroyed.json.destroyed).toEqual(['feature/login'])
    expect((await scene.flow('env', 'destroy', '--preview', 'feature/login')).exitCode).toBe(2)

    // A create that fails: feature submit still opens the pull request, warns, and the failure is recorded.
    writeFileSync(join(scene.state, 'fail-create'), '')
    const submitted = await scene.flow('feature', 'submit', '--json')
    expect(submitted.exitCode, submitted.stderr).toBe(0)
    expect(submitted.json).toMatchObject({number: 1, created: true, preview: {environment: 'review-feature-login', outcome: 'not_created'}})
    expect(submitted.json.preview.error).toContain('the create command exited 4')
    expect(submitted.stderr).toContain('the pull request is open anyway')
    const list = await scene.flow('env', 'list', '--json')
    expect(list.json.previews).toMatchObject([{branch: 'feature/login', state: 'create_failed'}])
    const noPreview = await scene.flow('feature', 'submit', '--no-preview', '--json')
    expect(noPreview.exitCode, noPreview.stderr).toBe(0)
    expect(noPreview.json).not.toHaveProperty('preview')
  })

  test('killed during the preview\'s health check, flow continue finishes it: created once, deployed, recorded', async () => {
    const scene = await envScene(['feature-login'], yaml())
    const {repo} = scene
    repo.git('checkout', '-q', '-b', 'feature/login')
    const sha = repo.commit('feat: login')
    writeFileSync(join(scene.state, 'hold-check'), '')
    const child = startFlow(['env', 'create', '--preview'], {cwd: repo.dir, env: repo.env})
    const entered = join(scene.state, 'entered-check')
    const deadline = Date.now() + 30_000
    while (!existsSync(entered) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    expect(existsSync(entered)).toBe(true)
    child.kill('SIGKILL')
    try {
      process.kill(Number(readFileSync(entered, 'utf8')), 'SIGKILL')
    } catch {
      // gone already
    }
    await new Promise((resolve) => (child.exitCode === null && child.signalCode === null ? child.on('exit', resolve) : resolve(undefined)))
    rmSync(entered)
    rmSync(join(scene.state, 'hold-check'))
    const resumed = await scene.flow('continue', '--json')
    expect(resumed.exitCode, resumed.stderr).toBe(0)
    const list = await scene.flow('env', 'list', '--json')
    expect(list.json.previews).toMatchObject([{branch: 'feature/login', state: 'live', outcome: 'success', deployment: 'DEP-1', sha}])
    expect(previewLog(scene).filter((c) => c.verb === 'create')).toHaveLength(1)
    const events = repo.git('ls-tree', '-r', '--name-only', 'flow/records', '--', 'previews').split('\n').filter(Boolean)
    expect(events).toHaveLength(2)
    expect(await scene.serving('feature-login')).toMatchObject({status: 200, sha})
  })

  test('a URL pattern with {number} gets the number of the pull request feature submit opens', async () => {
    const scene = await envScene(['feature-login'], yaml('', 'pr-{number}'))
    const {repo} = scene
    repo.git('checkout', '-q', '-b', 'feature/login')
    repo.commit('feat: login')
    const submitted = await scene.flow('feature', 'submit', '--json')
    expect(submitted.exitCode, submitted.stderr).toBe(0)
    const url = `http://127.0.0.1:${scene.ports['feature-login']}/pr-1`
    expect(submitted.json).toMatchObject({number: 1, preview: {url, outcome: 'success'}})
    expect(previewLog(scene).find((c) => c.verb === 'create')!.env).toMatchObject({FLOW_PR_NUMBER: '1', FLOW_PREVIEW_URL: url})
    expect((await scene.flow('env', 'list', '--json')).json.previews).toMatchObject([{url, number: 1}])
  })
})
