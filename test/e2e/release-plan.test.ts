import {execFileSync} from 'node:child_process'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {runFlow} from '../helpers/e2e.js'
import {fakeGitHubPerTest, githubEnv, taggedHistory} from '../helpers/github-e2e.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'

const fakeGitHub = fakeGitHubPerTest()

const flow = (repo: TempRepo, env: Record<string, string>, ...args: string[]) => runFlow(args, {cwd: repo.dir, env})

const history = taggedHistory

const onGitHub = githubEnv

/** bench/make-history (a copy of ../shared/bench/make-history kept in the repository, so a bare clone has it). */
function makeHistory(): string {
  return join(import.meta.dirname, '..', '..', 'bench', 'make-history')
}


describe('flow release plan and notes (built binary)', () => {
  test('v0.1.0 plus a feat gives 0.2.0, offline; a non-conventional commit is a warning, not dropped', async () => {
    const repo = history('0.1.0', 'feat(api): add login (#12)', 'Update things')
    const run = await flow(repo, repo.env, 'release', 'plan', '--json')
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.json).toMatchObject({lastTag: 'v0.1.0', version: '0.2.0', tag: 'v0.2.0', bump: 'minor', commits: 2, prerelease: false})
    expect(run.json.notes.nonConventional).toHaveLength(1)
    expect(run.json.warnings[0]).toMatch(/"Update things" follows no conventional-commit type/)
    expect(run.json.files).toEqual([{path: 'CHANGELOG.md', change: 'prepend the 0.2.0 section'}])
    expect(run.json.steps).toEqual([
      'Update CHANGELOG.md for 0.2.0', 'Commit "chore(release): v0.2.0"', 'Create the annotated tag v0.2.0',
      'Push refs/heads/main:refs/heads/main, refs/tags/v0.2.0:refs/tags/v0.2.0 to origin',
      'Create the release v0.2.0 on the forge as a draft', 'Publish the release v0.2.0',
    ])
    expect(run.json.markdown).toContain('- **api:** add login (#12)')
  })

  test('a breaking change after v1.4.2 gives 2.0.0; a maintenance branch 1.x refuses it with the reason (exit 6)', async () => {
    const repo = history('1.4.2', 'fix: a', 'refactor!: drop the old API')
    const plan = await flow(repo, repo.env, 'release', 'plan', '--json')
    expect(plan.json).toMatchObject({version: '2.0.0', bump: 'major'})
    repo.git('checkout', '-q', '-b', '1.x')
    const refused = await flow(repo, repo.env, 'release', 'plan', '--json')
    expect(refused.exitCode).toBe(6)
    expect(refused.json.error.message).toMatch(/2\.0\.0 is outside the maintenance line 1\.x .*major bump/)
  })

  test('plan asks nothing of a GitHub that fails every request', async () => {
    const api = await fakeGitHub.start()
    const repo = history('1.0.0', 'feat: x')
    const env = onGitHub(repo, api)
    for (const op of ['repos/get-release-by-tag', 'repos/list-releases', 'repos/create-release', 'repos/get', 'pulls/list']) api.github.fail(op, {status: 500, times: Infinity})
    const run = await flow(repo, env, 'release', 'plan', '--json')
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.json.version).toBe('1.1.0')
    expect(run.json.notes.compareUrl).toBe('https://github.com/octo/hello/compare/v1.0.0...v1.1.0')
    expect(api.github.requests).toEqual([])
    await api.close()
  })

  test('notes --all accounts for every commit and release of a generated history, from one git log', async () => {
    const repo = tempRepo()
    const dir = join(repo.scratch, 'hist')
    execFileSync(makeHistory(), ['1200', dir, '100'], {env: repo.env})
    const run = await runFlow(['release', 'notes', '--all', '--json'], {cwd: dir, env: repo.env})
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.json.commits).toBe(1200)
    expect(run.json.accounted).toBe(1200)
    expect(run.json.releases).toHaveLength(12)
    expect(run.json.releases.map((r: any) => r.commits)).toEqual(Array(12).fill(100))
    expect(run.json.releases[0].previousTag).toBe(run.json.releases[1].tag)
    const md = await runFlow(['release', 'notes', '--all'], {cwd: dir, env: repo.env})
    expect(md.stdout.match(/^## \[/gm)).toHaveLength(12)
    const one = await runFlow(['release', 'notes', '--from', run.json.releases[1].tag, '--to', run.json.releases[0].tag, '--format', 'json'], {cwd: dir, env: repo.env})
    expect(JSON.parse(one.stdout).releases[0]).toMatchObject({tag: run.json.releases[0].tag, commits: 100})
  })
})
