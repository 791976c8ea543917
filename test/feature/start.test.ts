import {spawnSync} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {featureStartReads} from '../../src/cli/fast-lane.js'
import {startFeature} from '../../src/core/feature/start-feature.js'
import {resolveRepo} from '../../src/core/repo.js'
import {GitCli} from '../../src/providers/git-cli.js'
import {GitPrefetch} from '../../src/providers/git-process.js'
import {undoRun} from '../../src/engine/undo.js'
import {tempRepo} from '../helpers/temp-repo.js'
import {featureDeps} from './feature-deps.js'

describe('startFeature', () => {
  test('starts feature/login-form from an up-to-date origin/main and records its parent', async () => {
    const repo = tempRepo()
    const other = repo.clone('other')
    const newer = other.commit('feat: newer on main')
    other.git('push', '-q', 'origin', 'main')
    const started = await startFeature(featureDeps(repo), {name: 'Login Form'})
    expect(started).toMatchObject({branch: 'feature/login-form', parent: 'main', from: 'origin/main', fetched: true, stashed: false, sha: newer})
    expect(repo.currentBranch()).toBe('feature/login-form')
    expect(repo.git('config', 'branch.feature/login-form.flow-parent')).toBe('main')
  })

  test('refuses a dirty work tree without --stash; with it, the changes come along and undo puts everything back', async () => {
    const repo = tempRepo()
    repo.write('README.md', '# changed\n')
    repo.write('new.txt', 'untracked\n')
    await expect(startFeature(featureDeps(repo), {name: 'x'})).rejects.toMatchObject({code: 'DIRTY_WORKTREE'})
    const deps = featureDeps(repo)
    const started = await startFeature(deps, {name: 'x', stash: true})
    expect(started.stashed).toBe(true)
    expect(repo.currentBranch()).toBe('feature/x')
    expect(readFileSync(join(repo.dir, 'README.md'), 'utf8')).toBe('# changed\n')
    expect(existsSync(join(repo.dir, 'new.txt'))).toBe(true)
    expect(repo.git('stash', 'list')).toBe('')
  })

  test('uses the template with {issue}, {user} and {date}; --stack starts from the current branch; git-flow from develop', async () => {
    const repo = tempRepo()
    repo.git('branch', 'develop')
    repo.git('push', '-q', 'origin', 'develop')
    const deps = featureDeps(repo, {config: (c) => {
      c.branches.feature = '{user}/{issue}-{slug}-{date}'
      c.branches.strategy = 'git-flow'
    }})
    deps.clock = {now: () => new Date('2026-03-04T10:00:00Z')}
    const first = await startFeature(deps, {name: 'Parent', issue: '42'})
    expect(first.branch).toBe('test-author/42-parent-2026-03-04')
    expect(first.parent).toBe('develop')
    const child = await startFeature(deps, {name: 'Child', issue: '43', stack: true})
    expect(child.parent).toBe(first.branch)
    expect(repo.git('config', `branch.${child.branch}.flow-parent`)).toBe(first.branch)
  })

  test('offline (FLOW_OFFLINE=1) or without a reachable origin: a note, and the local copy', async () => {
    const repo = tempRepo()
    repo.git('remote', 'set-url', 'origin', join(repo.scratch, 'missing.git'))
    const deps = featureDeps(repo)
    const started = await startFeature(deps, {name: 'offline'})
    expect(started).toMatchObject({from: 'main', fetched: false})
    expect(deps.progress.join('\n')).toMatch(/not reachable/)
    const offline = featureDeps(repo, {env: {FLOW_OFFLINE: '1'}})
    repo.git('checkout', '-q', 'main')
    await startFeature(offline, {name: 'offline2'})
    expect(offline.progress.join('\n')).toMatch(/Offline/)
  })

  test('hotfix from the latest release tag; parent main', async () => {
    const repo = tempRepo()
    repo.git('tag', 'v1.2.0')
    const tagged = repo.ref('HEAD')
    repo.commit('feat: after the release')
    repo.git('tag', 'v1.10.0', 'HEAD~1')
    repo.git('tag', 'v1.9.0')
    const started = await startFeature(featureDeps(repo), {name: 'broken', type: 'hotfix'})
    expect(started).toMatchObject({branch: 'hotfix/broken', parent: 'main', from: 'v1.10.0', sha: tagged})
  })

  test('flow undo after start deletes the branch, the parent record, and checks out main again', async () => {
    const repo = tempRepo()
    repo.write('README.md', '# dirty\n')
    const deps = featureDeps(repo)
    await startFeature(deps, {name: 'y', stash: true})
    expect(repo.currentBranch()).toBe('feature/y')
    const undone = await undoRun(deps)
    expect(undone).toMatchObject({command: 'feature start', complete: true, notUndone: []})
    expect(repo.currentBranch()).toBe('main')
    expect(repo.ref('refs/heads/feature/y')).toBeNull()
    expect(spawnSync('git', ['config', 'branch.feature/y.flow-parent'], {cwd: repo.dir, env: repo.env}).status).toBe(1)
    expect(readFileSync(join(repo.dir, 'README.md'), 'utf8')).toBe('# dirty\n')
    expect(repo.git('stash', 'list')).toBe('')
    await expect(undoRun(deps)).rejects.toMatchObject({code: 'NO_RUN'})
  })

  test('the fast lane\'s prefetched reads are each taken by the code that asks them (same argument vectors)', async () => {
    const repo = tempRepo()
    const reads = featureStartReads({stack: false, type: 'feature', dryRun: false}, repo.env)
    const prefetch = new GitPrefetch(repo.dir, repo.env)
    prefetch.startRevParse(reads.revParse)
    for (const args of reads.commands) prefetch.start(args)
    const git = new GitCli(repo.dir, repo.env, prefetch)
    const deps = {...featureDeps(repo), git, repo: () => resolveRepo(git)}
    const started = await startFeature(deps, {name: 'ahead'})
    expect(started).toMatchObject({branch: 'feature/ahead', parent: 'main', fetched: true})
    expect(repo.currentBranch()).toBe('feature/ahead')
    expect(prefetch.taken).toBe(reads.revParse.length + reads.commands.length)
  })

  test.each([';rm -rf x', '$(touch canary)', '`touch canary`', '-x', 'a\nb', 'a|b'])('refuses the hostile name %j with USAGE', async (name) => {
    const repo = tempRepo()
    await expect(startFeature(featureDeps(repo), {name})).rejects.toMatchObject({code: 'USAGE', exit: 2})
    expect(existsSync(join(repo.dir, 'canary'))).toBe(false)
  })
})
