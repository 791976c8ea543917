import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {runFlow} from '../helpers/e2e.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'

const flow = (repo: TempRepo, ...args: string[]) => runFlow(args, {cwd: repo.dir, env: repo.env})
const originTags = (repo: TempRepo) => repo.gitIn(repo.origin, 'tag', '--list').split('\n').filter(Boolean)

/** Packages a (with a package.json) and b, released together as a@1.0.0 and b@2.0.0 on one commit, pushed to origin. */
function monorepo(): TempRepo {
  const repo = tempRepo()
  repo.commit('chore: packages', {
    'flow.yml': 'release:\n  packages:\n    a: {path: packages/a}\n    b: {path: packages/b}\n',
    'packages/a/package.json': '{\n  "name": "a",\n  "version": "1.0.0"\n}\n',
    'packages/b/index.js': 'b\n',
  })
  for (const t of ['a@1.0.0', 'b@2.0.0']) repo.git('tag', '-a', t, '-m', t)
  repo.git('push', '-q', 'origin', 'main', 'a@1.0.0', 'b@2.0.0')
  return repo
}

describe('flow release with release.packages (built binary)', () => {
  test('commits touching a only: plan shows a alone (a@1.1.0); cut --package a creates a@1.1.0 and nothing for b', async () => {
    const repo = monorepo()
    repo.commit('feat: search in a', {'packages/a/search.js': 'x'})
    repo.commit('docs: outside both packages', {'docs/readme.md': 'x'})

    const plan = await flow(repo, 'release', 'plan', '--json')
    expect(plan.exitCode, plan.stderr).toBe(0)
    expect(plan.json.packages.map((p: {package: string; tag: string; version: string; lastTag: string}) => [p.package, p.lastTag, p.version, p.tag])).toEqual([['a', 'a@1.0.0', '1.1.0', 'a@1.1.0']])
    expect(plan.json.unchanged).toEqual([{release: null, package: 'b', reason: 'Nothing to release: no releasable commit since 2.0.0'}])
    const human = await flow(repo, 'release', 'plan')
    expect(human.stdout).toContain('Next release of a: a@1.1.0 (minor bump from 1.0.0)')

    const noPackage = await flow(repo, 'release', 'cut', '--yes', '--json')
    expect(noPackage.exitCode).toBe(2)
    expect(noPackage.json.error.message).toMatch(/--package/)

    const cut = await flow(repo, 'release', 'cut', '--package', 'a', '--yes', '--json')
    expect(cut.exitCode, cut.stderr).toBe(0)
    expect(cut.json).toMatchObject({package: 'a', version: '1.1.0', tag: 'a@1.1.0', status: 'done'})
    expect(originTags(repo)).toEqual(['a@1.0.0', 'a@1.1.0', 'b@2.0.0'])
    expect(repo.git('tag', '--list')).toBe('a@1.0.0\na@1.1.0\nb@2.0.0')
    expect(repo.git('log', '-1', '--format=%s', 'a@1.1.0')).toBe('chore(release): a@1.1.0')
    expect(repo.git('diff-tree', '--no-commit-id', '--name-only', '-r', 'a@1.1.0^{commit}').split('\n').sort()).toEqual(['packages/a/CHANGELOG.md', 'packages/a/package.json'])
    expect(JSON.parse(readFileSync(join(repo.dir, 'packages/a/package.json'), 'utf8')).version).toBe('1.1.0')
    expect(readFileSync(join(repo.dir, 'packages/a/CHANGELOG.md'), 'utf8')).toContain('- search in a')

    const notes = await flow(repo, 'release', 'notes', '--package', 'a', '--to', 'a@1.1.0', '--json')
    // The feat and the release commit touch packages/a; the docs commit does not.
    expect(notes.json.releases[0]).toMatchObject({tag: 'a@1.1.0', previousTag: 'a@1.0.0', commits: 2})
    const all = await flow(repo, 'release', 'notes', '--package', 'a', '--all', '--json')
    expect(all.json.releases.map((r: {tag: string; commits: number}) => [r.tag, r.commits])).toEqual([['a@1.1.0', 2], ['a@1.0.0', 1]])
    expect(all.json.outside).toEqual([])

    const status = await flow(repo, 'release', 'status', '--package', 'a', '--json')
    expect(status.json).toMatchObject({run: null, tag: 'a@1.1.0', state: {release: 'published'}})

    // Nothing left: exit 0 with the reason, for the package and for every package.
    const again = await flow(repo, 'release', 'cut', '--package', 'a', '--yes', '--json')
    expect(again.exitCode, again.stderr).toBe(0)
    expect(again.json).toEqual({release: null, package: 'a', reason: 'Nothing to release: no releasable commit since 1.1.0'})
    const none = await flow(repo, 'release', 'plan')
    expect(none.exitCode).toBe(0)
    expect(none.stdout).toContain('Nothing to release: no package has releasable commits')
  })

  test('a single repository with nothing releasable: plan and cut exit 0 with {release: null, reason}', async () => {
    const repo = tempRepo()
    repo.git('tag', '-a', 'v1.0.0', '-m', 'v1.0.0')
    repo.commit('Tidy up')
    for (const verb of ['plan', 'cut']) {
      const run = await flow(repo, 'release', verb, '--yes', '--json')
      expect(run.exitCode, run.stderr).toBe(0)
      expect(run.json).toEqual({release: null, reason: 'Nothing to release: no releasable commit since 1.0.0'})
    }
    const human = await flow(repo, 'release', 'cut', '--yes')
    expect(human.exitCode).toBe(0)
    expect(human.stdout).toContain('Nothing to release: no releasable commit since 1.0.0')
    expect(repo.git('tag', '--list')).toBe('v1.0.0')
  })
})
