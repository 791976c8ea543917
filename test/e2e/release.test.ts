import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {runFlow, startFlow} from '../helpers/e2e.js'
import {fakeGitHubPerTest, githubEnv, taggedHistory} from '../helpers/github-e2e.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'

const fakeGitHub = fakeGitHubPerTest()

const flow = (repo: TempRepo, env: Record<string, string>, ...args: string[]) => runFlow(args, {cwd: repo.dir, env})

const history = taggedHistory

const onGitHub = githubEnv

const originTags = (repo: TempRepo) => repo.gitIn(repo.origin, 'tag', '--list').split('\n').filter(Boolean)

describe('flow release cut (built binary)', () => {
  test('local forge: changelog prepended, package.json bumped, commit, annotated tag pushed, release record; prereleases rc.1, rc.2, then promotion', async () => {
    const repo = tempRepo()
    repo.commit('chore: package', {'package.json': '{\n  "name": "x",\n  "version": "1.2.0"\n}\n', 'CHANGELOG.md': '# Changelog\n\nHand-written intro.\n\n## [1.2.0] - 2025-01-01\n\n- old\n'})
    repo.git('tag', '-a', 'v1.2.0', '-m', 'v1.2.0')
    repo.git('push', '-q', 'origin', 'main', 'v1.2.0')
    repo.commit('feat: search')

    const noYes = await flow(repo, repo.env, 'release', 'cut', '--json')
    expect(noYes.exitCode).toBe(2)
    expect(noYes.json.error).toMatchObject({code: 'PROMPT_NEEDED'})
    expect(noYes.json.error.hint).toContain('--yes')

    const rc1 = await flow(repo, repo.env, 'release', 'cut', '--pre', 'rc', '--yes', '--json')
    expect(rc1.exitCode, rc1.stderr).toBe(0)
    expect(rc1.json).toMatchObject({version: '1.3.0-rc.1', tag: 'v1.3.0-rc.1', prerelease: true, status: 'done', url: 'flow://releases/v1.3.0-rc.1'})
    repo.commit('fix: typo')
    const rc2 = await flow(repo, repo.env, 'release', 'cut', '--pre', 'rc', '--yes', '--json')
    expect(rc2.json).toMatchObject({version: '1.3.0-rc.2'})
    const final = await flow(repo, repo.env, 'release', 'cut', '--yes', '--json')
    expect(final.exitCode, final.stderr).toBe(0)
    expect(final.json.version).toBe('1.3.0')

    expect(originTags(repo)).toEqual(['v1.2.0', 'v1.3.0', 'v1.3.0-rc.1', 'v1.3.0-rc.2'])
    expect(repo.git('cat-file', '-t', 'v1.3.0')).toBe('tag')
    expect(repo.git('log', '-1', '--format=%s', 'v1.3.0')).toBe('chore(release): v1.3.0')
    expect(repo.ref('refs/heads/main', repo.origin)).toBe(repo.ref('HEAD'))
    expect(JSON.parse(readFileSync(join(repo.dir, 'package.json'), 'utf8')).version).toBe('1.3.0')
    const changelog = readFileSync(join(repo.dir, 'CHANGELOG.md'), 'utf8')
    expect(changelog.startsWith('# Changelog\n\nHand-written intro.\n\n## [1.3.0] - ')).toBe(true)
    expect(changelog.indexOf('## [1.3.0-rc.2]')).toBeGreaterThan(changelog.indexOf('## [1.3.0]'))
    expect(changelog.endsWith('## [1.2.0] - 2025-01-01\n\n- old\n')).toBe(true)
    expect(changelog).toContain('- search')
    const records = repo.git('ls-tree', '-r', '--name-only', 'flow/records', '--', 'releases').split('\n')
    expect(new Set(records.map((p) => p.split('/')[1]))).toEqual(new Set(['v1.3.0-rc.1', 'v1.3.0-rc.2', 'v1.3.0']))
    const status = await flow(repo, repo.env, 'release', 'status', '--json')
    expect(status.json).toMatchObject({run: null, tag: 'v1.3.0', state: {release: 'published'}})
  })

  test('a dirty work tree and a branch that does not release are refused up front (exit 6)', async () => {
    const repo = history('1.0.0', 'feat: x')
    repo.write('README.md', 'changed\n')
    const dirty = await flow(repo, repo.env, 'release', 'cut', '--yes', '--json')
    expect(dirty.exitCode).toBe(6)
    expect(dirty.json.error.message).toMatch(/uncommitted changes \(README\.md\)/)
    repo.git('checkout', '-q', '--', 'README.md')
    repo.git('checkout', '-q', '-b', 'feature/x')
    const branch = await flow(repo, repo.env, 'release', 'cut', '--yes', '--json')
    expect(branch.exitCode).toBe(6)
    expect(branch.json.error.message).toMatch(/branch feature\/x does not cut releases/)
    expect(repo.git('tag', '--list')).toBe('v1.0.0')
  })

  test('GitHub: a draft first, published last; --dry-run changes nothing', async () => {
    const api = await fakeGitHub.start()
    const repo = history('0.1.0', 'feat: one', 'fix: two (#7)')
    const env = onGitHub(repo, api)
    const dry = await flow(repo, env, 'release', 'cut', '--dry-run', '--json')
    expect(dry.json).toMatchObject({status: 'dry-run', version: '0.2.0'})
    expect(api.github.requests).toEqual([])
    const run = await flow(repo, env, 'release', 'cut', '--yes', '--json')
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.json.url).toBe('https://github.com/octo/hello/releases/tag/v0.2.0')
    const releases = api.github.repo('octo', 'hello').releases
    expect(releases).toHaveLength(1)
    expect(releases[0]).toMatchObject({tag: 'v0.2.0', draft: false, prerelease: false})
    expect(releases[0]!.body).toContain('([#7](https://github.com/octo/hello/pull/7))')
    const writes = api.github.requests.filter((r) => r.method !== 'GET').map((r) => `${r.operationId} ${JSON.stringify((r.body as any)?.draft)}`)
    expect(writes).toEqual(['repos/create-release true', 'repos/update-release false'])
    expect(originTags(repo)).toEqual(['v0.1.0', 'v0.2.0'])
  })

  test('GitHub: publishing fails → paused (exit 8); status explains; undo deletes the draft, the tag here and on origin, and the commit', async () => {
    const api = await fakeGitHub.start()
    const repo = history('1.0.0', 'feat: one')
    const env = onGitHub(repo, api)
    const start = repo.ref('HEAD')
    const originMain = repo.ref('refs/heads/main', repo.origin)
    api.github.fail('repos/update-release', {status: 422, times: Infinity, body: {message: 'Validation Failed', documentation_url: 'https://docs.github.com/rest'}})
    const run = await flow(repo, env, 'release', 'cut', '--yes', '--json')
    expect(run.exitCode, run.stderr).toBe(8)
    expect(api.github.repo('octo', 'hello').releases).toMatchObject([{tag: 'v1.1.0', draft: true}])
    const status = await flow(repo, env, 'release', 'status', '--json')
    expect(status.json).toMatchObject({tag: 'v1.1.0', state: {release: 'draft'}, continueWould: ['Publish the release v1.1.0']})
    expect(status.json.state.tagRemote).toBe(repo.ref('refs/tags/v1.1.0'))
    const undo = await flow(repo, env, 'undo', '--yes', '--json')
    expect(undo.exitCode, undo.stderr).toBe(0)
    expect(api.github.repo('octo', 'hello').releases).toEqual([])
    expect(repo.git('tag', '--list')).toBe('v1.0.0')
    expect(originTags(repo)).toEqual(['v1.0.0'])
    expect(repo.ref('HEAD')).toBe(start)
    expect(repo.ref('refs/heads/main', repo.origin)).toBe(originMain)
    expect(existsSync(join(repo.dir, 'CHANGELOG.md'))).toBe(false)
    expect(repo.git('status', '--porcelain')).toBe('')
  })

  test('killed after the tag is pushed, before the release is created: flow continue leaves one tag and one published release', async () => {
    const api = await fakeGitHub.start()
    const repo = history('2.3.0', 'feat: one')
    const env = onGitHub(repo, api)
    api.github.fail('repos/create-release', {delayMs: 15_000, status: 503})
    const child = startFlow(['release', 'cut', '--yes'], {cwd: repo.dir, env})
    const deadline = Date.now() + 20_000
    while (!api.github.requests.some((r) => r.operationId === 'repos/create-release') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    expect(originTags(repo)).toContain('v2.4.0')
    child.kill('SIGKILL')
    await new Promise((r) => child.once('close', r))
    expect(api.github.repo('octo', 'hello').releases).toEqual([])

    const resumed = await flow(repo, env, 'continue', '--json')
    expect(resumed.exitCode, resumed.stderr).toBe(0)
    expect(originTags(repo)).toEqual(['v2.3.0', 'v2.4.0'])
    expect(repo.git('tag', '--list')).toBe('v2.3.0\nv2.4.0')
    const releases = api.github.repo('octo', 'hello').releases
    expect(releases).toHaveLength(1)
    expect(releases[0]).toMatchObject({tag: 'v2.4.0', draft: false})
    expect(repo.git('log', '--format=%s', 'v2.3.0..HEAD').split('\n')).toEqual(['chore(release): v2.4.0', 'feat: one'])
  }, 40_000)
})
