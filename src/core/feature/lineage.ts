import type {FlowConfig} from '../config/schema.js'
import type {Git} from '../ports.js'

/** The git config key that records a flow branch's parent. */
export const parentKey = (branch: string) => `branch.${branch}.flow-parent`

/** The git config key that keeps the old tip of a parent merged by flow feature finish (sync moves only later commits). */
export const parentTipKey = (branch: string) => `branch.${branch}.flow-parent-tip`

/** A local git config value, or undefined. */
export async function configValue(git: Git, key: string): Promise<string | undefined> {
  const result = await git.exec(['config', '--local', '--get', key])
  return result.exitCode === 0 && result.stdout ? result.stdout : undefined
}

/** The recorded parent of a branch, or undefined. */
export async function parentOf(git: Git, branch: string): Promise<string | undefined> {
  const result = await git.exec(['config', '--local', '--get', parentKey(branch)])
  return result.exitCode === 0 && result.stdout ? result.stdout : undefined
}

/** Every branch with a recorded parent: branch → parent. */
export async function allParents(git: Git): Promise<Map<string, string>> {
  const result = await git.exec(['config', '--local', '--get-regexp', '^branch\\..*\\.flow-parent$'])
  const out = new Map<string, string>()
  for (const line of result.stdout.split('\n')) {
    const match = /^branch\.(.+)\.flow-parent (.+)$/.exec(line)
    if (match) out.set(match[1]!, match[2]!)
  }
  return out
}

/** The branch checked out here, or null when HEAD is detached. */
export async function currentBranch(git: Git): Promise<string | null> {
  const result = await git.exec(['symbolic-ref', '-q', '--short', 'HEAD'])
  return result.exitCode === 0 && result.stdout ? result.stdout : null
}

/** True when a local branch exists. */
export async function branchExists(git: Git, branch: string): Promise<boolean> {
  return (await git.exec(['show-ref', '--verify', '-q', `refs/heads/${branch}`])).exitCode === 0
}

/** The sha a rev names, or undefined. */
export async function revParse(git: Git, rev: string): Promise<string | undefined> {
  const result = await git.exec(['rev-parse', '--verify', '-q', `${rev}^{commit}`])
  return result.exitCode === 0 && result.stdout ? result.stdout : undefined
}

/** True when there is a remote of that name. */
export async function hasRemote(git: Git, remote: string): Promise<boolean> {
  return (await git.exec(['remote', 'get-url', remote])).exitCode === 0
}

/** Branches checked out in other worktrees of this repository (never checked out or moved under them). */
export async function branchesInOtherWorktrees(git: Git): Promise<Set<string>> {
  const out = new Set<string>()
  const listing = await git.exec(['worktree', 'list', '--porcelain'])
  const here = await git.run(['rev-parse', '--path-format=absolute', '--show-toplevel'])
  let path = ''
  for (const line of listing.stdout.split('\n')) {
    if (line.startsWith('worktree ')) path = line.slice(9)
    else if (line.startsWith('branch refs/heads/') && path !== here) out.add(line.slice(18))
  }
  return out
}

/** True when the work tree has changes (tracked or untracked). */
export async function isDirty(git: Git): Promise<boolean> {
  return (await git.run(['status', '--porcelain'])).trim() !== ''
}

/** The integration branch a strategy starts features from. */
export function integrationBranch(config: FlowConfig): string {
  return config.branches.strategy === 'git-flow' ? config.branches.develop : config.branches.main
}

/** Whether the forge or the remote should be left alone (FLOW_OFFLINE=1). */
export function isOffline(env: Record<string, string | undefined>): boolean {
  return env.FLOW_OFFLINE === '1' || env.FLOW_OFFLINE === 'true'
}

/** Tries to fetch some refspecs from a remote, quietly; true when it worked (false offline or when unreachable). */
export async function tryFetch(git: Git, remote: string, refspecs: string[]): Promise<boolean> {
  const result = await git.exec(['fetch', '-q', '--no-write-fetch-head', remote, ...refspecs], {env: {GIT_TERMINAL_PROMPT: '0'}})
  return result.exitCode === 0
}
