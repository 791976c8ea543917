import {spawnSync} from 'node:child_process'
import {describe, expect, test} from 'vitest'
import {runFlow} from '../helpers/e2e.js'
import {fakeGitHubPerTest, originOnGitHub} from '../helpers/github-e2e.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'

const fakeGitHub = fakeGitHubPerTest()

const flow = (repo: TempRepo, env: Record<string, string>, ...args: string[]) => runFlow(args, {cwd: repo.dir, env: {...repo.env, ...env}})

/** A repo whose origin is https://github.com/octo/hello.git, redirected to the bare origin; a logged-out gh first on PATH. */
function githubRepo(): TempRepo {
  const repo = tempRepo()
  originOnGitHub(repo)
  return repo
}

describe('flow feature on GitHub (the loopback fake, every request validated)', () => {
  test('submit twice leaves one pull request; approve; finish merges at the pushed head and cleans up', async () => {
    const repo = githubRepo()
    const server = await fakeGitHub.start({headSha: (_o, _r, branch) => {
      const r = spawnSync('git', ['rev-parse', '-q', '--verify', `refs/heads/${branch}`], {cwd: repo.origin, env: repo.env, encoding: 'utf8'})
      return r.status === 0 ? r.stdout.trim() : undefined
    }})
    const env = {GH_TOKEN: 'plain-token-e2e-feature', GITHUB_API_URL: server.url}
    expect((await flow(repo, env, 'feature', 'start', 'search')).exitCode).toBe(0)
    repo.commit('feat: search')
    const first = await flow(repo, env, 'feature', 'submit', '--reviewer', 'alice', '--label', 'ui', '--json')
    expect(first.exitCode, first.stderr).toBe(0)
    expect(first.json).toMatchObject({number: 1, created: true, forge: 'github', pushed: true})
    repo.commit('fix: search typo')
    const second = await flow(repo, env, 'feature', 'submit', '--json')
    expect(second.json).toMatchObject({number: 1, created: false})
    const pulls = server.github.repo('octo', 'hello').pulls
    expect(pulls).toHaveLength(1)
    expect(pulls[0]).toMatchObject({requestedReviewers: ['alice'], labels: ['ui'], title: 'Search'})
    expect((await flow(repo, env, 'feature', 'approve', '--json')).exitCode).toBe(0)
    const finished = await flow(repo, env, 'feature', 'finish', '--json')
    expect(finished.exitCode, finished.stderr).toBe(0)
    expect(finished.json).toMatchObject({number: 1, forge: 'github', deleted: {local: true, remote: true}})
    expect(pulls[0]).toMatchObject({merged: true, mergeMethod: 'squash'})
    expect(repo.ref('refs/heads/feature/search', repo.origin)).toBeNull()
    expect(repo.currentBranch()).toBe('main')
    for (const out of [first, second, finished]) expect(out.stdout + out.stderr).not.toContain('plain-token-e2e-feature')
  })
})
