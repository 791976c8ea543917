import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Git} from '../ports.js'

/** Where the detected default branch came from. */
export type BranchSource = 'origin/HEAD' | 'current branch' | 'init.defaultBranch' | 'fallback'

/** What flow init found out about the repository. */
export interface DetectedProject {
  defaultBranch: string
  defaultBranchFrom: BranchSource
  /** The origin remote's host and owner/name, without any credentials. */
  origin?: {host?: string; repo?: string}
  forge: 'github' | 'local'
  packageManager?: 'npm' | 'pnpm' | 'yarn'
  /** package.json scripts that became gates, by gate name (lint, types, test, build). */
  scripts: Partial<Record<'lint' | 'types' | 'test' | 'build', string>>
}

/** Host and owner/name of a git remote URL (https, ssh, scp-like); undefined parts for local paths. */
export function parseRemote(url: string): {host?: string; repo?: string} {
  const clean = (path: string) => path.replace(/^\/+/, '').replace(/\.git$/, '').replace(/\/+$/, '')
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)
  if (withScheme) {
    if (/^file:/i.test(url)) return {}
    try {
      const parsed = new URL(url)
      const repo = clean(parsed.pathname)
      return {host: parsed.hostname.toLowerCase(), repo: /^[^/]+\/[^/]+$/.test(repo) ? repo : undefined}
    } catch {
      return {}
    }
  }
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.+)$/.exec(url)
  if (scp) {
    const repo = clean(scp[2] as string)
    return {host: (scp[1] as string).toLowerCase(), repo: /^[^/]+\/[^/]+$/.test(repo) ? repo : undefined}
  }
  return {}
}

const NPM_PLACEHOLDER_TEST = /no test specified/

/** The gate names flow derives from package.json scripts, with the script names that map to each. */
const SCRIPT_GATES: Array<['lint' | 'types' | 'test' | 'build', string[]]> = [
  ['lint', ['lint']],
  ['types', ['typecheck', 'types', 'type-check', 'check-types', 'tsc']],
  ['test', ['test']],
  ['build', ['build']],
]

/** Reads package.json's scripts and the package manager from the lock file. */
export function detectScripts(root: string): Pick<DetectedProject, 'packageManager' | 'scripts'> {
  const file = join(root, 'package.json')
  if (!existsSync(file)) return {scripts: {}}
  let scripts: Record<string, unknown> = {}
  try {
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as {scripts?: Record<string, unknown>}
    scripts = pkg.scripts && typeof pkg.scripts === 'object' ? pkg.scripts : {}
  } catch {
    scripts = {}
  }
  const found: DetectedProject['scripts'] = {}
  for (const [gate, names] of SCRIPT_GATES) {
    const name = names.find((n) => typeof scripts[n] === 'string' && !(n === 'test' && NPM_PLACEHOLDER_TEST.test(scripts[n] as string)))
    if (name) found[gate] = name
  }
  const packageManager = existsSync(join(root, 'pnpm-lock.yaml')) ? 'pnpm' : existsSync(join(root, 'yarn.lock')) ? 'yarn' : 'npm'
  return {packageManager, scripts: found}
}

/** The default branch: origin/HEAD, else the current branch, else init.defaultBranch, else main. */
export async function detectDefaultBranch(git: Git): Promise<{name: string; from: BranchSource}> {
  const originHead = await git.exec(['symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD'])
  if (originHead.exitCode === 0 && originHead.stdout.trim()) return {name: originHead.stdout.trim().replace(/^origin\//, ''), from: 'origin/HEAD'}
  const current = await git.exec(['symbolic-ref', '--quiet', '--short', 'HEAD'])
  if (current.exitCode === 0 && current.stdout.trim()) return {name: current.stdout.trim(), from: 'current branch'}
  const configured = await git.exec(['config', '--get', 'init.defaultBranch'])
  if (configured.exitCode === 0 && configured.stdout.trim()) return {name: configured.stdout.trim(), from: 'init.defaultBranch'}
  return {name: 'main', from: 'fallback'}
}

/** Detects the default branch, the origin remote and its forge, and the package scripts. */
export async function detectProject(git: Git, root: string, env: Record<string, string | undefined>): Promise<DetectedProject> {
  const branch = await detectDefaultBranch(git)
  const remote = await git.exec(['remote', 'get-url', 'origin'])
  const origin = remote.exitCode === 0 && remote.stdout.trim() ? parseRemote(remote.stdout.trim()) : undefined
  const githubHosts = ['github.com', env.GH_HOST?.toLowerCase()].filter(Boolean)
  const forge = origin?.host && githubHosts.includes(origin.host) ? 'github' : 'local'
  return {defaultBranch: branch.name, defaultBranchFrom: branch.from, origin, forge, ...detectScripts(root)}
}
