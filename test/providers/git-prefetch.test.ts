import {mkdirSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {featureStartReads} from '../../src/cli/fast-lane.js'
import type {GitRunOptions} from '../../src/core/ports.js'
import {GitCli} from '../../src/providers/git-cli.js'
import {GitPrefetch} from '../../src/providers/git-process.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'

// A git command started ahead of time (the fast lane's GitPrefetch) must answer exactly what GitCli would have
// answered running it at that moment: same stdout, stderr and exit code, after the same decoding and trimming.

const reads = featureStartReads({stack: false, type: 'feature', dryRun: false}, {})
const allArgs = [...reads.revParse.map((p) => p.args), ...reads.commands]

/** Starts the feature start reads in cwd, the way the fast lane does. */
function started(cwd: string, env: Record<string, string>): GitPrefetch {
  const prefetch = new GitPrefetch(cwd, env)
  prefetch.startRevParse(reads.revParse)
  for (const args of reads.commands) prefetch.start(args)
  return prefetch
}

/** What each read gives through a prefetching GitCli and through a plain one, in the same state. */
async function both(cwd: string, env: Record<string, string>, options?: GitRunOptions) {
  const prefetch = started(cwd, env)
  const ahead = new GitCli(cwd, env, prefetch)
  const viaPrefetch = await Promise.all(allArgs.map((args) => ahead.exec(args, options)))
  const plain = new GitCli(cwd, env)
  const direct = await Promise.all(allArgs.map((args) => plain.exec(args, options)))
  return {viaPrefetch, direct, prefetch}
}

function scenes(): Array<[string, (repo: TempRepo) => string]> {
  return [
    ['a clean checkout', (repo) => repo.dir],
    ['a dirty work tree (changed and untracked files)', (repo) => {
      repo.write('README.md', '# changed\n')
      repo.write('new file é.txt', 'untracked\n')
      return repo.dir
    }],
    ['a subdirectory', (repo) => {
      mkdirSync(join(repo.dir, 'sub dir'), {recursive: true})
      return join(repo.dir, 'sub dir')
    }],
    ['a detached HEAD', (repo) => {
      repo.git('checkout', '-q', '--detach')
      return repo.dir
    }],
    ['a branch with a slash and no remote', (repo) => {
      repo.git('checkout', '-q', '-b', 'feature/x')
      repo.git('remote', 'remove', 'origin')
      return repo.dir
    }],
  ]
}

describe('GitPrefetch through GitCli', () => {
  test.each(scenes())('answers every feature start read exactly as git run then: %s', async (_name, scene) => {
    const repo = tempRepo()
    const cwd = scene(repo)
    const {viaPrefetch, direct, prefetch} = await both(cwd, repo.env)
    expect(viaPrefetch).toEqual(direct)
    expect(prefetch.taken).toBe(allArgs.length)
    expect(prefetch.size).toBe(0)
  })

  test('the same with raw output (trailing newline kept) and latin1 decoding', async () => {
    const repo = tempRepo()
    repo.write('ü.txt', 'x\n')
    for (const options of [{raw: true}, {encoding: 'latin1' as const}]) {
      const {viaPrefetch, direct} = await both(repo.dir, repo.env, options)
      expect(viaPrefetch).toEqual(direct)
    }
  })

  test('on an unborn branch the joined rev-parse fails: each read is run on its own and answers as usual', async () => {
    const repo = tempRepo({empty: true})
    const {viaPrefetch, direct, prefetch} = await both(repo.dir, repo.env)
    expect(viaPrefetch).toEqual(direct)
    // the HEAD read fails (exit 128) as it does without prefetching; the repository read succeeds
    expect(direct[1]!.exitCode).not.toBe(0)
    expect(direct[0]!.exitCode).toBe(0)
    expect(prefetch.taken).toBe(allArgs.length)
  })

  test('outside a repository the failures are the same (exit code and message)', async () => {
    const repo = tempRepo()
    const outside = join(repo.scratch, 'home')
    const {viaPrefetch, direct} = await both(outside, repo.env)
    expect(viaPrefetch).toEqual(direct)
    expect(direct.every((r) => r.exitCode !== 0)).toBe(true)
  })

  test('each answer is taken once: asked again, git runs again and sees the repository as it is then', async () => {
    const repo = tempRepo()
    const prefetch = started(repo.dir, repo.env)
    const git = new GitCli(repo.dir, repo.env, prefetch)
    expect((await git.exec(['status', '--porcelain'])).stdout).toBe('')
    repo.write('later.txt', 'x\n')
    expect((await git.exec(['status', '--porcelain'])).stdout).toBe('?? later.txt')
    expect(prefetch.taken).toBe(1)
  })

  test('a command that is not read-only drops every answer not taken yet (they could be stale after it)', async () => {
    const repo = tempRepo()
    const prefetch = started(repo.dir, repo.env)
    const git = new GitCli(repo.dir, repo.env, prefetch)
    await git.run(['branch', 'topic'])
    expect(prefetch.size).toBe(0)
    await git.run(['checkout', '-q', 'topic'])
    expect((await git.exec(['rev-parse', 'HEAD', '--symbolic-full-name', 'HEAD', '--abbrev-ref=loose', 'HEAD'])).stdout.split('\n')[2]).toBe('topic')
    expect(prefetch.taken).toBe(0)
  })

  test('a read-only command keeps them; a call with its own env, input, directory or large output never takes one', async () => {
    const repo = tempRepo()
    const prefetch = started(repo.dir, repo.env)
    const git = new GitCli(repo.dir, repo.env, prefetch)
    const remote = ['remote', 'get-url', 'origin']
    await git.exec(['for-each-ref', 'refs/heads'])
    await git.exec(remote, {env: {GIT_DIR: join(repo.dir, '.git')}})
    await git.exec(remote, {input: ''})
    await git.exec(remote, {cwd: repo.scratch})
    await git.exec(remote, {large: true})
    expect(prefetch.taken).toBe(0)
    expect(prefetch.size).toBe(allArgs.length)
    await git.exec(remote)
    expect(prefetch.taken).toBe(1)
  })

  test('git that cannot be started gives the error GitCli gives without prefetching', async () => {
    const repo = tempRepo()
    const env = {...repo.env, PATH: join(repo.scratch, 'nowhere')}
    const prefetch = started(repo.dir, env)
    const git = new GitCli(repo.dir, env, prefetch)
    await expect(git.exec(['status', '--porcelain'])).rejects.toMatchObject({code: 'GIT_FAILED', message: 'git was not found on PATH'})
    await expect(git.exec(['rev-parse', '--show-toplevel', '--git-dir', '--git-common-dir', '--git-path', 'flow'])).rejects.toMatchObject({code: 'GIT_FAILED'})
  })
})

describe('featureStartReads', () => {
  test('asks for the remote only when feature start will (not with --stack, for a hotfix or offline); HEAD not in a dry run', () => {
    const names = (r: ReturnType<typeof featureStartReads>) => [...r.revParse.map((p) => p.args), ...r.commands].map((a) => a.join(' '))
    expect(names(featureStartReads({stack: false, type: 'feature', dryRun: false}, {}))).toContain('remote get-url origin')
    expect(names(featureStartReads({stack: true, type: 'feature', dryRun: false}, {}))).not.toContain('remote get-url origin')
    expect(names(featureStartReads({stack: false, type: 'hotfix', dryRun: false}, {}))).not.toContain('remote get-url origin')
    expect(names(featureStartReads({stack: false, type: 'feature', dryRun: false}, {FLOW_OFFLINE: '1'}))).not.toContain('remote get-url origin')
    expect(names(featureStartReads({stack: false, type: 'feature', dryRun: true}, {})).some((n) => n.startsWith('rev-parse HEAD'))).toBe(false)
  })
})
