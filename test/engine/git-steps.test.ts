import {spawnSync} from 'node:child_process'
import {describe, expect, test} from 'vitest'
import {readJournal} from '../../src/engine/journal.js'
import {snapshotRefs} from '../../src/engine/refs.js'
import {continueRun, runPlan} from '../../src/engine/runner.js'
import {runStatus} from '../../src/engine/status.js'
import type {Plan, StepKind} from '../../src/engine/types.js'
import {undoRun} from '../../src/engine/undo.js'
import {stepContext} from '../../src/engine/kinds.js'
import {switchCreateStep} from '../../src/engine/steps/git-steps.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'
import {rejection, repoDeps} from './engine-deps.js'

const failing: StepKind<{why: string}> = {
  kind: 'test.fail',
  describe: (i) => `Fail: ${i.why}`,
  run: async (_ctx, i) => {
    throw new Error(i.why)
  },
}

/** A commit object on top of main that no ref points to yet. */
function looseCommit(repo: TempRepo, message: string): string {
  const tree = repo.git('rev-parse', 'main^{tree}')
  return repo.git('commit-tree', tree, '-p', 'main', '-m', message)
}

const remoteRef = (repo: TempRepo, ref: string) => repo.ref(ref, repo.origin)

describe('git step kinds against a real repository', () => {
  test('snapshots read exact refs in one call: missing refs are null, refs below a name are not confused with it', async () => {
    const repo = tempRepo()
    repo.git('branch', 'a/b')
    const snap = await snapshotRefs(repoDeps(repo).git, ['refs/heads/a', 'refs/heads/main', 'refs/heads/a/b', 'HEAD'])
    const main = repo.ref('main')
    expect(snap).toEqual({'refs/heads/a': null, 'refs/heads/main': main, 'refs/heads/a/b': main, HEAD: main})
  })

  test('a plan of every git kind runs, and undo after a pause restores local and remote refs and the checkout', async () => {
    const repo = tempRepo()
    const other = repo.clone('other')
    const upstream = other.commit('feat: upstream work')
    other.git('push', '-q', 'origin', 'main')
    const commit = looseCommit(repo, 'feat: topic')
    const startMain = repo.ref('main')
    const plan: Plan = {
      command: 'feature start',
      inputs: {name: 'x'},
      steps: [
        {kind: 'git.fetch', input: {remote: 'origin', refspecs: ['+refs/heads/main:refs/remotes/origin/main']}},
        {kind: 'git.createBranch', input: {branch: 'feature/x', from: 'origin/main'}},
        {kind: 'git.checkout', input: {branch: 'feature/x'}},
        {kind: 'git.updateRef', input: {ref: 'refs/heads/topic', to: commit, from: null}},
        {kind: 'git.push', input: {remote: 'origin', refspecs: [{src: 'feature/x', dst: 'refs/heads/feature/x'}, {src: 'topic', dst: 'topic'}]}},
        {kind: 'test.fail', input: {why: 'network down'}},
      ],
    }
    const deps = repoDeps(repo, [failing])
    const dry = await runPlan(deps, plan, {dryRun: true})
    expect(dry.steps.map((s) => s.description)).toEqual([
      'Fetch +refs/heads/main:refs/remotes/origin/main from origin',
      'Create branch feature/x from origin/main',
      'Check out feature/x',
      `Set refs/heads/topic to ${commit}`,
      'Push feature/x:refs/heads/feature/x, topic:topic to origin',
      'Fail: network down',
    ])
    expect(repo.ref('origin/main')).toBe(startMain)

    const paused = await rejection(runPlan(deps, plan))
    expect(paused.code).toBe('RUN_PAUSED')
    expect(paused.message).toBe('flow feature start paused at step 6/6 (Fail: network down): network down')
    expect(repo.ref('origin/main')).toBe(upstream)
    expect(repo.currentBranch()).toBe('feature/x')
    expect(repo.ref('feature/x')).toBe(upstream)
    expect(remoteRef(repo, 'refs/heads/feature/x')).toBe(upstream)
    expect(remoteRef(repo, 'refs/heads/topic')).toBe(commit)
    const journal = (await readJournal((await deps.repo()).flowDir))!
    expect(journal.start).toEqual({branch: 'main', head: startMain})
    expect(journal.steps[1]!.refsBefore).toEqual({'refs/heads/feature/x': null})
    expect(journal.steps[1]!.refsAfter).toEqual({'refs/heads/feature/x': upstream})
    expect(journal.steps[4]!.prepared).toEqual({old: {'refs/heads/feature/x': null, 'refs/heads/topic': null}})

    const undone = await undoRun(deps)
    expect(undone.notUndone).toEqual([])
    expect(undone.undone.map((s) => s.step)).toEqual([6, 5, 4, 3, 2, 1])
    expect(undone.complete).toBe(true)
    expect(repo.currentBranch()).toBe('main')
    expect(repo.ref('refs/heads/feature/x')).toBeNull()
    expect(repo.ref('refs/heads/topic')).toBeNull()
    expect(repo.ref('refs/remotes/origin/main')).toBe(startMain)
    expect(remoteRef(repo, 'refs/heads/feature/x')).toBeNull()
    expect(remoteRef(repo, 'refs/heads/topic')).toBeNull()
    expect(remoteRef(repo, 'refs/heads/main')).toBe(upstream)
  })

  test('a git failure pauses; after the fix, continue re-checks and finishes', async () => {
    const repo = tempRepo()
    const stale = looseCommit(repo, 'old work')
    repo.git('update-ref', 'refs/heads/feature/y', stale)
    const deps = repoDeps(repo)
    const plan: Plan = {command: 'feature start', inputs: {}, steps: [
      {kind: 'git.createBranch', input: {branch: 'feature/y', from: 'main'}},
      {kind: 'git.checkout', input: {branch: 'feature/y'}},
    ]}
    const paused = await rejection(runPlan(deps, plan))
    expect(paused.code).toBe('RUN_PAUSED')
    expect(paused.message).toMatch(/^flow feature start paused at step 1\/2 \(Create branch feature\/y from main\): git branch failed: .*already exists/)
    expect(paused.details.cause.code).toBe('GIT_FAILED')
    repo.git('branch', '-D', 'feature/y')
    const result = await continueRun(deps)
    expect(result.status).toBe('done')
    expect(repo.currentBranch()).toBe('feature/y')
    expect(repo.ref('feature/y')).toBe(repo.ref('main'))
  })

  test('undo refuses to move back a ref that someone moved after the step, and says so', async () => {
    const repo = tempRepo()
    const mine = looseCommit(repo, 'mine')
    const theirs = looseCommit(repo, 'theirs')
    const deps = repoDeps(repo, [failing])
    await rejection(runPlan(deps, {command: 'x', inputs: {}, steps: [
      {kind: 'git.updateRef', input: {ref: 'refs/heads/topic', to: mine}},
      {kind: 'git.createBranch', input: {branch: 'side', from: 'main'}},
      {kind: 'test.fail', input: {why: 'stop'}},
    ]}))
    repo.git('update-ref', 'refs/heads/topic', theirs)
    const result = await undoRun(deps)
    expect(result.notUndone).toEqual([{
      step: 1,
      kind: 'git.updateRef',
      description: `Set refs/heads/topic to ${mine}`,
      reason: `refs/heads/topic moved since flow changed it (now ${theirs.slice(0, 7)}, flow left ${mine.slice(0, 7)}); left as it is`,
    }])
    expect(result.undone.map((s) => s.step)).toEqual([3, 2])
    expect(result.complete).toBe(false)
    expect(repo.ref('refs/heads/topic')).toBe(theirs)
    expect(repo.ref('refs/heads/side')).toBeNull()
  })

  test('undo of a push refuses when the remote ref moved since, leaving their commit there', async () => {
    const repo = tempRepo()
    const deps = repoDeps(repo, [failing])
    repo.git('branch', 'shared')
    await rejection(runPlan(deps, {command: 'x', inputs: {}, steps: [
      {kind: 'git.push', input: {remote: 'origin', refspecs: [{src: 'shared', dst: 'refs/heads/shared'}]}},
      {kind: 'test.fail', input: {why: 'stop'}},
    ]}))
    const other = repo.clone('other')
    other.git('checkout', '-q', 'shared')
    const theirs = other.commit('feat: theirs')
    other.git('push', '-q', 'origin', 'shared')
    const result = await undoRun(deps)
    expect(result.notUndone).toHaveLength(1)
    expect(result.notUndone[0]!.reason).toMatch(/^refs\/heads\/shared on origin moved since flow pushed it \(now [0-9a-f]{7}, flow pushed [0-9a-f]{7}\); left as it is$/)
    expect(remoteRef(repo, 'refs/heads/shared')).toBe(theirs)
  })

  test('push with lease replaces a remote branch, is skipped when already there, and undo pushes the old value back', async () => {
    const repo = tempRepo()
    const deps = repoDeps(repo, [failing])
    const old = repo.ref('main')!
    repo.git('push', '-q', 'origin', 'main:refs/heads/release')
    const next = repo.commit('feat: next')
    const plan: Plan = {command: 'x', inputs: {}, steps: [
      {kind: 'git.push', input: {remote: 'origin', refspecs: [{src: 'main', dst: 'refs/heads/release'}], forceWithLease: true}},
      {kind: 'git.push', input: {remote: 'origin', refspecs: [{src: 'main', dst: 'refs/heads/release'}]}},
      {kind: 'test.fail', input: {why: 'stop'}},
    ]}
    await rejection(runPlan(deps, plan))
    expect(remoteRef(repo, 'refs/heads/release')).toBe(next)
    const journal = (await readJournal((await deps.repo()).flowDir))!
    expect(journal.steps[0]!.prepared).toEqual({old: {'refs/heads/release': old}})
    expect(journal.steps[1]).toMatchObject({status: 'done', skipped: true})
    const result = await undoRun(deps)
    expect(result.notUndone).toEqual([])
    expect(remoteRef(repo, 'refs/heads/release')).toBe(old)
  })

  test('undo moves a checked-out branch back with the work tree, and never over uncommitted changes', async () => {
    const repo = tempRepo()
    const start = repo.ref('main')!
    const mergeLike: StepKind<{file: string}> = {
      kind: 'test.commit',
      describe: (i) => `Commit ${i.file}`,
      refs: () => ['refs/heads/main'],
      run: async (ctx, i) => {
        await ctx.git.run(['commit', '-q', '--allow-empty', '-m', i.file])
      },
    }
    const deps = repoDeps(repo, [failing, mergeLike])
    await rejection(runPlan(deps, {command: 'x', inputs: {}, steps: [{kind: 'test.commit', input: {file: 'a'}}, {kind: 'test.fail', input: {why: 'stop'}}]}))
    repo.write('README.md', 'local edit\n')
    const refused = await undoRun(deps)
    expect(refused.notUndone[0]!.reason).toBe(`refs/heads/main is checked out with uncommitted changes, so it was not moved back to ${start.slice(0, 7)}`)
    expect(repo.git('status', '--porcelain')).toBe(' M README.md')

    repo.git('checkout', '--', 'README.md')
    await rejection(runPlan(deps, {command: 'x', inputs: {}, steps: [{kind: 'test.commit', input: {file: 'b'}}, {kind: 'test.fail', input: {why: 'stop'}}]}))
    const before = repo.ref('main')
    const done = await undoRun(deps)
    expect(done.notUndone).toEqual([])
    expect(repo.ref('main')).toBe(repo.git('rev-parse', `${before}^`))
    expect(repo.git('status', '--porcelain')).toBe('')
  })

  test('undo deletes a branch a step created and checked out, by first going back to the starting branch', async () => {
    const repo = tempRepo()
    const switchNew: StepKind<{branch: string}> = {
      kind: 'test.switchNew',
      describe: (i) => `Start ${i.branch}`,
      refs: (i) => [`refs/heads/${i.branch}`],
      run: async (ctx, i) => {
        await ctx.git.run(['checkout', '-q', '-b', i.branch])
      },
    }
    const deps = repoDeps(repo, [failing, switchNew])
    await rejection(runPlan(deps, {command: 'x', inputs: {}, steps: [{kind: 'test.switchNew', input: {branch: 'feature/n'}}, {kind: 'test.fail', input: {why: 'stop'}}]}))
    expect(repo.currentBranch()).toBe('feature/n')
    const result = await undoRun(deps)
    expect(result.notUndone).toEqual([])
    expect(repo.currentBranch()).toBe('main')
    expect(repo.ref('refs/heads/feature/n')).toBeNull()
  })

  test('each worktree has its own journal and lock', async () => {
    const repo = tempRepo()
    const linked = `${repo.scratch}/linked`
    repo.git('worktree', 'add', '-q', '-b', 'side', linked)
    const main = repoDeps(repo, [failing])
    const other = repoDeps(repo, [failing], linked)
    await rejection(runPlan(main, {command: 'x', inputs: {}, steps: [{kind: 'test.fail', input: {why: 'stop'}}]}))
    expect((await runStatus(other)).run).toBeNull()
    const result = await runPlan(other, {command: 'y', inputs: {}, steps: [{kind: 'git.createBranch', input: {branch: 'from-linked', from: 'HEAD'}}]})
    expect(result.status).toBe('done')
    expect((await main.repo()).flowDir).not.toBe((await other.repo()).flowDir)
    expect((await runStatus(main)).run?.status).toBe('paused')
  })
})

describe('git.switchCreate', () => {
  /** The git port of repoDeps, recording every argument vector it runs. */
  function recording(repo: TempRepo) {
    const deps = repoDeps(repo, [failing])
    const calls: string[][] = []
    const git = deps.git
    deps.git = {cwd: git.cwd, run: (args, o) => (calls.push(args), git.run(args, o)), exec: (args, o) => (calls.push(args), git.exec(args, o))}
    return {deps, calls}
  }
  const plan = (from: string): Plan => ({command: 'feature start', inputs: {}, steps: [
    {kind: 'git.switchCreate', input: {branch: 'feature/s', from}},
    {kind: 'test.fail', input: {why: 'stop'}},
  ]})

  test('from the commit checked out: git switch -c with no start point (the work tree is left alone); undo goes back and deletes', async () => {
    const repo = tempRepo()
    const main = repo.ref('main')!
    repo.write('README.md', '# local edit\n')
    const {deps, calls} = recording(repo)
    await rejection(runPlan(deps, plan('refs/heads/main')))
    expect(calls).toContainEqual(['switch', '-q', '--no-track', '-c', 'feature/s'])
    expect(repo.currentBranch()).toBe('feature/s')
    expect(repo.ref('feature/s')).toBe(main)
    expect(repo.git('status', '--porcelain')).toBe(' M README.md')
    const journal = (await readJournal((await deps.repo()).flowDir))!
    expect(journal.steps[0]).toMatchObject({status: 'done', refsBefore: {'refs/heads/feature/s': null}, refsAfter: {'refs/heads/feature/s': main}, prepared: {sha: main, previous: 'main', head: main}})
    const undone = await undoRun(deps)
    expect(undone.notUndone).toEqual([])
    expect(repo.currentBranch()).toBe('main')
    expect(repo.ref('refs/heads/feature/s')).toBeNull()
    expect(repo.git('status', '--porcelain')).toBe(' M README.md')
  })

  test('from another commit: switch -c at that commit, local changes carried as by a checkout; from a detached HEAD, undo detaches again', async () => {
    const repo = tempRepo()
    const base = repo.ref('main')!
    const other = repo.commit('feat: other', {'other.txt': 'x\n'})
    repo.git('checkout', '-q', '--detach', base)
    repo.write('README.md', '# local edit\n')
    const {deps, calls} = recording(repo)
    await rejection(runPlan(deps, plan('main')))
    expect(calls).toContainEqual(['switch', '-q', '--no-track', '-c', 'feature/s', other])
    expect(repo.currentBranch()).toBe('feature/s')
    expect(repo.ref('feature/s')).toBe(other)
    expect(repo.git('status', '--porcelain')).toBe(' M README.md')
    const undone = await undoRun(deps)
    expect(undone.notUndone).toEqual([])
    expect(repo.git('rev-parse', 'HEAD')).toBe(base)
    expect(spawnSync('git', ['symbolic-ref', '-q', 'HEAD'], {cwd: repo.dir, env: repo.env}).status).toBe(1)
    expect(repo.ref('refs/heads/feature/s')).toBeNull()
  })

  test('an attempt killed after git made the branch (HEAD not moved yet) is finished by checking it out; a branch elsewhere is refused', async () => {
    const repo = tempRepo()
    const main = repo.ref('main')!
    const deps = repoDeps(repo)
    const ctx = {...stepContext(deps, {steps: []}, {sha: main, previous: 'main', head: main})}
    repo.git('branch', 'feature/half', main)
    await switchCreateStep.run(ctx, {branch: 'feature/half', from: 'main'})
    expect(repo.currentBranch()).toBe('feature/half')
    repo.git('checkout', '-q', 'main')
    repo.git('branch', 'feature/taken', looseCommit(repo, 'theirs'))
    await expect(switchCreateStep.run(ctx, {branch: 'feature/taken', from: 'main'})).rejects.toMatchObject({code: 'GIT_FAILED', message: expect.stringMatching(/^git switch failed: .*already exists/)})
    expect(repo.currentBranch()).toBe('main')
  })

  test('a revision that names no commit pauses before anything is changed', async () => {
    const repo = tempRepo()
    const deps = repoDeps(repo)
    const paused = await rejection(runPlan(deps, {command: 'x', inputs: {}, steps: [{kind: 'git.switchCreate', input: {branch: 'feature/s', from: 'nope'}}]}))
    expect(paused.code).toBe('RUN_PAUSED')
    expect(paused.message).toMatch(/nope\^\{commit\} does not name a commit/)
    expect(repo.ref('refs/heads/feature/s')).toBeNull()
    expect(repo.currentBranch()).toBe('main')
  })
})
