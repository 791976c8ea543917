import {describe, expect, test} from 'vitest'
import {createDeps} from '../../src/cli/deps.js'
import {planOrNothing, planPackages, planRelease} from '../../src/core/release/plan-release.js'
import {releaseNotes} from '../../src/core/release/release-notes.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'

const deps = (repo: TempRepo) => createDeps({cwd: repo.dir, env: repo.env, canPrompt: false, json: true, yes: true, debug: false})
const tag = (repo: TempRepo, name: string) => repo.git('tag', '-a', name, '-m', name)
const FLOW_YML = 'release:\n  packages:\n    a: {path: packages/a}\n    b: {path: packages/b}\n'

/** Two packages a and b, both released on the same commit (a@1.0.0 and b@2.0.0), plus a root tag v9.0.0. */
function monorepo(): TempRepo {
  const repo = tempRepo()
  repo.commit('chore: packages', {'flow.yml': FLOW_YML, 'packages/a/package.json': '{"name": "a", "version": "1.0.0"}\n', 'packages/b/index.js': 'b\n'})
  for (const t of ['a@1.0.0', 'b@2.0.0', 'v9.0.0']) tag(repo, t)
  return repo
}

describe('monorepo releases (temp repos)', () => {
  test('each package counts only the commits touching its path, from its own tag; two tags on one commit stay apart', async () => {
    const repo = monorepo()
    repo.commit('feat: a feature of a', {'packages/a/x.js': 'x'})
    repo.commit('feat!: a breaking change outside both packages', {'docs/x.md': 'x'})
    repo.commit('fix: a fix of b', {'packages/b/y.js': 'y'})
    const d = await deps(repo)
    const a = await planRelease(d, {package: 'a'})
    expect(a).toMatchObject({package: 'a', lastTag: 'a@1.0.0', version: '1.1.0', tag: 'a@1.1.0', commits: 1})
    expect(a.files).toEqual([{path: 'packages/a/CHANGELOG.md', change: 'prepend the 1.1.0 section'}, {path: 'packages/a/package.json', change: 'set version to 1.1.0'}])
    expect(a.steps).toContain('Create the annotated tag a@1.1.0')
    const b = await planRelease(d, {package: 'b'})
    expect(b).toMatchObject({lastTag: 'b@2.0.0', version: '2.0.1', tag: 'b@2.0.1', commits: 1})
    expect(b.files).toEqual([{path: 'packages/b/CHANGELOG.md', change: 'prepend the 2.0.1 section'}])
    const notes = await releaseNotes(d, {package: 'a'})
    expect(notes.releases[0]).toMatchObject({previousTag: 'a@1.0.0', commits: 1})
    await expect(planRelease(d)).rejects.toMatchObject({code: 'USAGE', message: expect.stringMatching(/--package/)})
    await expect(planRelease(d, {package: 'c'})).rejects.toMatchObject({code: 'USAGE'})
  })

  test('planPackages lists the changed packages only; an untouched one is unchanged with its reason', async () => {
    const repo = monorepo()
    repo.commit('fix: b only', {'packages/b/z.js': 'z'})
    const all = await planPackages(await deps(repo))
    expect(all.packages.map((p) => [p.package, p.tag])).toEqual([['b', 'b@2.0.1']])
    expect(all.unchanged).toEqual([{release: null, package: 'a', reason: 'Nothing to release: no releasable commit since 1.0.0'}])
  })

  test('a repository without packages and no releasable commit: {release: null, reason}', async () => {
    const repo = tempRepo()
    tag(repo, 'v1.0.0')
    repo.commit('Tidy up')
    expect(await planOrNothing(await deps(repo))).toEqual({release: null, reason: 'Nothing to release: no releasable commit since 1.0.0'})
  })
})
