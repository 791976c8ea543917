import {isAbsolute, resolve} from 'node:path'
import {FlowError} from './errors.js'
import type {Git} from './ports.js'

/** Where the repository and flow's per-worktree state live. */
export interface RepoInfo {
  /** The top of the working tree. */
  root: string
  /** The worktree's git directory (`.git`, or `.git/worktrees/NAME`). */
  gitDir: string
  /** The directory shared by all worktrees. */
  commonDir: string
  /** `git rev-parse --git-path flow`: journals and locks, one per worktree. */
  flowDir: string
}

/** What each git port found, so that the config loader and the commands ask git once per run. */
const found = new WeakMap<Git, Promise<RepoInfo>>()

/** Finds the repository around the git port's directory in one git call (once per port; a failure is not kept). */
export function resolveRepo(git: Git): Promise<RepoInfo> {
  let info = found.get(git)
  if (!info) {
    info = findRepo(git)
    found.set(git, info)
    info.catch(() => found.delete(git))
  }
  return info
}

async function findRepo(git: Git): Promise<RepoInfo> {
  const result = await git.exec(['rev-parse', '--show-toplevel', '--git-dir', '--git-common-dir', '--git-path', 'flow'])
  if (result.exitCode !== 0) {
    throw new FlowError('NOT_A_REPOSITORY', `${git.cwd} is not inside a git repository`, {
      hint: 'Run flow inside a git repository (git init), or pass --cwd PATH.',
    })
  }
  const [root, gitDir, commonDir, flowDir] = result.stdout.split('\n')
  const abs = (p: string | undefined) => (p && isAbsolute(p) ? p : resolve(git.cwd, p ?? '.'))
  return {root: root ?? git.cwd, gitDir: abs(gitDir), commonDir: abs(commonDir), flowDir: abs(flowDir)}
}
