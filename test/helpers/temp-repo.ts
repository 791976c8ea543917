import {execFileSync, spawnSync} from 'node:child_process'
import {cpSync, mkdtempSync, mkdirSync, realpathSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {onTestFinished} from 'vitest'

/** An environment for git with no user or system config, so tests never depend on the machine. */
export function isolatedGitEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue
    if (/^(GIT_|GH_|GITHUB_)/.test(k) || k === 'CI' || k === 'NO_COLOR' || k === 'FORCE_COLOR') continue
    env[k] = v
  }
  return {
    ...env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Test Author',
    GIT_AUTHOR_EMAIL: 'author@example.com',
    GIT_COMMITTER_NAME: 'Test Author',
    GIT_COMMITTER_EMAIL: 'author@example.com',
    GIT_TERMINAL_PROMPT: '0',
    ...extra,
  }
}

/** A real repository with a bare `origin`, removed after the test. */
export interface TempRepo {
  /** The working tree. */
  dir: string
  /** The bare origin repository. */
  origin: string
  /** A scratch directory for anything else the test needs (home, other clones). */
  scratch: string
  /** The environment the repo's git commands (and spawned flow) should use. */
  env: Record<string, string>
  /** Runs git in the working tree (or `cwd`) and returns trimmed stdout; throws on failure. */
  git(...args: string[]): string
  /** Runs git in any directory. */
  gitIn(cwd: string, ...args: string[]): string
  /** Writes a file (creating directories) relative to the working tree. */
  write(path: string, content: string): void
  /** Writes, stages and commits a file; returns the new commit's sha. */
  commit(message: string, files?: Record<string, string>): string
  /** Clones origin into a new working tree in the scratch directory. */
  clone(name: string): TempRepo
  currentBranch(): string
  /** The value of a ref, or null when it does not exist. */
  ref(name: string, cwd?: string): string | null
}

function makeGit(env: Record<string, string>) {
  return (cwd: string, ...args: string[]): string => {
    const result = spawnSync('git', args, {cwd, env, encoding: 'utf8'})
    if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${result.stderr}`)
    return result.stdout.replace(/\s+$/, '')
  }
}

function wrap(dir: string, origin: string, scratch: string, env: Record<string, string>): TempRepo {
  const gitIn = makeGit(env)
  const repo: TempRepo = {
    dir,
    origin,
    scratch,
    env,
    git: (...args) => gitIn(dir, ...args),
    gitIn,
    write(path, content) {
      const file = join(dir, path)
      mkdirSync(dirname(file), {recursive: true})
      writeFileSync(file, content)
    },
    commit(message, files = {[`file-${Date.now()}-${Math.random().toString(36).slice(2)}.txt`]: message}) {
      for (const [path, content] of Object.entries(files)) repo.write(path, content)
      gitIn(dir, 'add', '-A')
      gitIn(dir, 'commit', '-q', '-m', message)
      return gitIn(dir, 'rev-parse', 'HEAD')
    },
    clone(name) {
      const target = join(scratch, name)
      gitIn(scratch, 'clone', '-q', origin, target)
      configure(gitIn, target)
      return wrap(target, origin, scratch, env)
    },
    currentBranch: () => gitIn(dir, 'rev-parse', '--abbrev-ref', 'HEAD'),
    ref(name, cwd = dir) {
      const result = spawnSync('git', ['rev-parse', '--verify', '-q', name], {cwd, env, encoding: 'utf8'})
      return result.status === 0 ? result.stdout.trim() : null
    },
  }
  return repo
}

function configure(gitIn: ReturnType<typeof makeGit>, dir: string): void {
  gitIn(dir, 'config', 'user.name', 'Test Author')
  gitIn(dir, 'config', 'user.email', 'author@example.com')
  gitIn(dir, 'config', 'commit.gpgSign', 'false')
  gitIn(dir, 'config', 'tag.gpgSign', 'false')
}

/** Options of tempRepo. */
export interface TempRepoOptions {
  /** Skip the initial commit (an empty repository). */
  empty?: boolean
  /** Keep the directories after the test (for debugging, or for tests in describe.concurrent, whose cleanup must be their own). */
  keep?: boolean
}

/** A copy of a temp repo's whole scratch directory (work tree, origin, home), removed when the test ends: a cheap fresh start from a prepared state. */
export function copyTempRepo(from: TempRepo, options: TempRepoOptions = {}): TempRepo {
  const scratch = realpathSync(mkdtempSync(join(tmpdir(), 'flow-test-')))
  cpSync(from.scratch, scratch, {recursive: true, verbatimSymlinks: true})
  if (!options.keep) {
    try {
      onTestFinished(() => rmSync(scratch, {recursive: true, force: true}))
    } catch {
      // created outside a test: the caller removes it
    }
  }
  return wrap(join(scratch, 'work'), join(scratch, 'origin.git'), scratch, isolatedGitEnv(join(scratch, 'home')))
}

/** Creates a repository with one commit on main, pushed to a bare origin; removed when the test ends. */
export function tempRepo(options: TempRepoOptions = {}): TempRepo {
  const scratch = realpathSync(mkdtempSync(join(tmpdir(), 'flow-test-')))
  const home = join(scratch, 'home')
  mkdirSync(home)
  const env = isolatedGitEnv(home)
  const gitIn = makeGit(env)
  const origin = join(scratch, 'origin.git')
  const dir = join(scratch, 'work')
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', origin], {env})
  execFileSync('git', ['init', '-q', '-b', 'main', dir], {env})
  configure(gitIn, dir)
  gitIn(dir, 'remote', 'add', 'origin', origin)
  const repo = wrap(dir, origin, scratch, env)
  if (!options.empty) {
    repo.commit('chore: initial commit', {'README.md': '# test\n'})
    gitIn(dir, 'push', '-q', '-u', 'origin', 'main')
  }
  if (!options.keep) {
    try {
      onTestFinished(() => rmSync(scratch, {recursive: true, force: true}))
    } catch {
      // created outside a test (beforeAll): the caller removes it
    }
  }
  return repo
}
