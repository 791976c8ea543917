import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import type {FlowConfig} from '../config/schema.js'
import type {Deps} from '../deps.js'
import {githubHost, isGitHubRemote, parseRemoteUrl} from '../forge/remote-url.js'
import type {Git} from '../ports.js'
import type {ParsedCommit} from './commits.js'
import {lastReachable, listReleaseTags, readCommits, type ReleaseTag} from './history.js'
import {tagPattern, type TagPattern} from './tags.js'

/** The release configuration (`release:` in flow.yml). */
export type ReleaseConfig = FlowConfig['release']

/** What every release command reads first: config, tags, the branch, and the origin's web address. */
export interface ReleaseContext {
  root: string
  config: ReleaseConfig
  mainBranch: string
  pattern: TagPattern
  branch: string | null
  /** Every release tag, newest version first. */
  all: ReleaseTag[]
  /** The last release reachable from HEAD (prereleases included). */
  lastTag?: ReleaseTag
  /** The last stable (non-prerelease) release reachable from HEAD. */
  lastStable?: ReleaseTag
  /** `https://github.com/owner/repo` when origin is on GitHub (links in the notes), else undefined. */
  repoUrl?: string
}

/** The web address of the origin's repository when it is on GitHub (no network: the URL alone). */
export async function githubRepoUrl(git: Git, env: Record<string, string | undefined>, config: FlowConfig): Promise<string | undefined> {
  if (config.forge.type === 'local') return undefined
  // The configured value, not `remote get-url`: an insteadOf rewrite must not hide that origin is GitHub.
  const url = await git.exec(['config', '--get', 'remote.origin.url'])
  if (url.exitCode !== 0) return undefined
  const host = config.forge.host ?? githubHost(env)
  const remote = parseRemoteUrl(url.stdout, {host})
  if (!remote || !isGitHubRemote(remote, {...env, GH_HOST: host})) return undefined
  const [owner, repo] = config.forge.repo?.split('/') ?? [remote.owner, remote.repo]
  return `https://${remote.host}/${owner}/${repo}`
}

/** Reads the release context: one ref listing, and (unless `reachable: false`) the last tags HEAD contains; no log yet. */
export async function releaseContext(deps: Pick<Deps, 'git' | 'config' | 'repo' | 'env'>, options: {reachable?: boolean} = {}): Promise<ReleaseContext> {
  const [{config}, repo] = await Promise.all([deps.config(), deps.repo()])
  const pattern = tagPattern(config.release.tag)
  const hasHead = (await deps.git.exec(['rev-parse', '-q', '--verify', 'HEAD'])).exitCode === 0
  const [all, branch, repoUrl] = await Promise.all([
    listReleaseTags(deps.git, pattern),
    deps.git.exec(['symbolic-ref', '-q', '--short', 'HEAD']),
    githubRepoUrl(deps.git, deps.env, config),
  ])
  const {last: lastTag, stable: lastStable} = hasHead && options.reachable !== false ? await lastReachable(deps.git, all, 'HEAD') : {}
  return {
    root: repo.root, config: config.release, mainBranch: config.branches.main, pattern,
    branch: branch.exitCode === 0 && branch.stdout ? branch.stdout : null,
    all, ...(lastTag ? {lastTag} : {}), ...(lastStable ? {lastStable} : {}), ...(repoUrl ? {repoUrl} : {}),
  }
}

/** The commits since a tag (or the whole history), in one `git log`. */
export function commitsSince(git: Git, tag: ReleaseTag | undefined, to = 'HEAD'): Promise<ParsedCommit[]> {
  return readCommits(git, [tag ? `${tag.commit}..${to}` : to])
}

/** The files whose version is bumped: `release.bump`, else package.json when the repository has one. */
export async function bumpFiles(root: string, config: ReleaseConfig): Promise<string[]> {
  if (config.bump.length > 0) return config.bump
  try {
    JSON.parse(await readFile(join(root, 'package.json'), 'utf8'))
    return ['package.json']
  } catch {
    return []
  }
}

/** The compare link between two tags on GitHub. */
export function compareUrl(repoUrl: string | undefined, from: string | undefined, to: string): string | undefined {
  if (!repoUrl) return undefined
  return from ? `${repoUrl}/compare/${from}...${to}` : `${repoUrl}/commits/${to}`
}
