import {describe, expect, test} from 'vitest'
import {createDeps} from '../../src/cli/deps.js'
import {planRelease} from '../../src/core/release/plan-release.js'
import {releaseNotes} from '../../src/core/release/release-notes.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'

const deps = (repo: TempRepo) => createDeps({cwd: repo.dir, env: repo.env, canPrompt: false, json: true, yes: true, debug: false})
const tag = (repo: TempRepo, name: string) => repo.git('tag', '-a', name, '-m', name)

describe('release plan on real history (temp repos)', () => {
  test('v0.1.0 + feat → 0.2.0; then a breaking change after 1.0.0 → 2.0.0; a Flow-Change trailer raises a chore', async () => {
    const repo = tempRepo()
    tag(repo, 'v0.1.0')
    repo.commit('feat: login')
    expect((await planRelease(await deps(repo))).version).toBe('0.2.0')
    repo.commit('chore: squash merge of #4', {'a.txt': 'a'})
    tag(repo, 'v1.0.0')
    repo.commit('chore: squash', {'b.txt': 'b'})
    repo.git('commit', '-q', '--amend', '-m', 'chore: squash merge\n\nFlow-Change: minor')
    expect((await planRelease(await deps(repo))).version).toBe('1.1.0')
    repo.commit('fix: api', {'c.txt': 'c'})
    repo.git('commit', '-q', '--amend', '-m', 'fix: api\n\nBREAKING CHANGE: v1 routes removed')
    const plan = await planRelease(await deps(repo))
    expect(plan).toMatchObject({version: '2.0.0', bump: 'major', lastTag: 'v1.0.0'})
    expect(plan.notes.breaking.map((b) => b.note)).toEqual(['v1 routes removed'])
  })

  test('a maintenance branch finds its own last release, not a newer tag on main, and stays in its line', async () => {
    const repo = tempRepo()
    tag(repo, 'v1.2.0')
    repo.git('branch', '1.2.x')
    repo.commit('feat!: new major')
    tag(repo, 'v2.0.0')
    repo.git('checkout', '-q', '1.2.x')
    repo.commit('fix: backport')
    const plan = await planRelease(await deps(repo))
    expect(plan).toMatchObject({lastTag: 'v1.2.0', version: '1.2.1', branch: '1.2.x'})
    expect(plan.blocked).toBeUndefined()
    const notes = await releaseNotes(await deps(repo), {})
    expect(notes.releases[0]).toMatchObject({previousTag: 'v1.2.0', commits: 1})
    const all = await releaseNotes(await deps(repo), {all: true})
    expect(all.outside).toEqual(['v2.0.0'])
    expect(all.accounted).toBe(all.commits)
  })

  test('two tags on one commit: the higher version owns the commits, the other is an empty release', async () => {
    const repo = tempRepo()
    repo.commit('feat: a')
    tag(repo, 'v1.0.0-rc.1')
    tag(repo, 'v1.0.0')
    repo.commit('fix: b')
    const all = await releaseNotes(await deps(repo), {all: true})
    expect(all.releases.map((r) => [r.tag ?? 'unreleased', r.commits])).toEqual([['unreleased', 1], ['v1.0.0', 2], ['v1.0.0-rc.1', 0]])
  })
})

describe('GitCli.stream', () => {
  test('hands over the same bytes as run, in chunks; a failing git is GIT_FAILED with its message', async () => {
    const repo = tempRepo()
    for (let i = 0; i < 30; i++) repo.commit(`feat: ünïcode ${i} ${'x'.repeat(2000)}`)
    const d = await deps(repo)
    const args = ['log', '--format=%H%x00%s%x00%b%x1e']
    let streamed = ''
    await d.git.stream!(args, (text) => (streamed += text))
    expect(streamed).toBe(await d.git.run(args, {raw: true}))
    const error = await d.git.stream!(['log', 'no-such-rev'], () => {}).catch((e: unknown) => e)
    expect(error).toMatchObject({code: 'GIT_FAILED'})
    expect((error as Error).message).toMatch(/no-such-rev/)
  })
})
