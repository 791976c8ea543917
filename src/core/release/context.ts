import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import type {FlowConfig} from '../config/schema.js'
import {packageTagPattern} from '../config/tag-pattern.js'
import {FlowError} from '../errors.js'
import type {Deps} from '../deps.js'
import {githubHost, isGitHubRemote, parseRemoteUrl} from '../forge/remote-url.js'
import type {Git} from '../ports.js'
import type {ParsedCommit} from './commits.js'
import {lastReachable, listReleaseTags, readCommits, type ReleaseTag} from './history.js'
import {tagPattern, type TagPattern} from './tags.js'

/** The release configuration (`release:` in flow.yml). */
export type ReleaseConfig = FlowConfig['release']

/** A monorepo package (`release.packages`), with its defaults filled in. */
export interface ReleasePackage {
  name: string
  /** Its directory, relative to the root, without `./` or a trailing slash. */
  path: string
  /** Its tag pattern (`{name}@{version}` by default). */
  tag: string
  /** Its changelog (default `<path>/CHANGELOG.md`), or false. */
  changelog: string | false
  /** Its configured bump files, or undefined for the default (`<path>/package.json` when it exists). */
  bump?: string[]
}

/** Every package of `release.packages`, defaults filled in, in the order of flow.yml. */
export function releasePackages(config: ReleaseConfig): ReleasePackage[] {
  return Object.entries(config.packages).map(([name, pkg]) => {
    const path = pkg.path.replace(/^\.\//, '').replace(/\/+$/, '')
    return {name, path, tag: packageTagPattern(config, pkg), changelog: pkg.changelog ?? `${path}/CHANGELOG.md`, ...(pkg.bump ? {bump: pkg.bump} : {})}
  })
}

/** The package named `name`, or a usage error listing the packages there are. */
export function findPackage(config: ReleaseConfig, name: string): ReleasePackage {
  const all = releasePackages(config)
  const found = all.find((p) => p.name === name)
  if (found) return found
  if (all.length === 0) throw new FlowError('USAGE', `--package ${name}: flow.yml defines no release.packages`, {hint: 'Define release.packages (name → {path}) for a monorepo, or drop --package.'})
  throw new FlowError('USAGE', `No package ${name} in release.packages`, {hint: `Packages: ${all.map((p) => p.name).join(', ')}.`})
}

/** What every release command reads first: config, tags, the branch, and the origin's web address. */
export interface ReleaseContext {
  root: string
  config: ReleaseConfig
  mainBranch: string
  pattern: TagPattern
  /** The monorepo package released (its tags and its path only), or undefined for the whole repository. */
  package?: ReleasePackage
  /** The paths commits must touch to count (the package's), or empty for every commit. */
  paths: string[]
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
export async function releaseContext(deps: Pick<Deps, 'git' | 'config' | 'repo' | 'env'>, options: {reachable?: boolean; package?: string} = {}): Promise<ReleaseContext> {
  const [{config}, repo] = await Promise.all([deps.config(), deps.repo()])
  const pkg = options.package === undefined ? undefined : findPackage(config.release, options.package)
  if (!pkg && Object.keys(config.release.packages).length > 0) {
    throw new FlowError('USAGE', 'This repository releases packages (release.packages): name one with --package', {hint: `Packages: ${Object.keys(config.release.packages).join(', ')}.`})
  }
  const pattern = pkg ? tagPattern(pkg.tag, pkg.name) : tagPattern(config.release.tag)
  const hasHead = (await deps.git.exec(['rev-parse', '-q', '--verify', 'HEAD'])).exitCode === 0
  const [all, branch, repoUrl] = await Promise.all([
    listReleaseTags(deps.git, pattern),
    deps.git.exec(['symbolic-ref', '-q', '--short', 'HEAD']),
    githubRepoUrl(deps.git, deps.env, config),
  ])
  const {last: lastTag, stable: lastStable} = hasHead && options.reachable !== false ? await lastReachable(deps.git, all, 'HEAD') : {}
  return {
    root: repo.root, config: config.release, mainBranch: config.branches.main, pattern, ...(pkg ? {package: pkg} : {}), paths: pkg ? [pkg.path] : [],
    branch: branch.exitCode === 0 && branch.stdout ? branch.stdout : null,
    all, ...(lastTag ? {lastTag} : {}), ...(lastStable ? {lastStable} : {}), ...(repoUrl ? {repoUrl} : {}),
  }
}

/** The commits since a tag (or the whole history), in one `git log`; with `paths`, only those touching them. */
export function commitsSince(git: Git, tag: ReleaseTag | undefined, to = 'HEAD', paths: string[] = []): Promise<ParsedCommit[]> {
  return readCommits(git, [tag ? `${tag.commit}..${to}` : to], paths)
}

/** The files whose version is bumped: `release.bump` (a package's `bump`), else the (package's) package.json when it exists. */
export async function bumpFiles(root: string, config: ReleaseConfig, pkg?: ReleasePackage): Promise<string[]> {
  const configured = pkg ? pkg.bump : config.bump
  if (pkg ? configured !== undefined : config.bump.length > 0) return configured ?? []
  const file = pkg ? `${pkg.path}/package.json` : 'package.json'
  try {
    JSON.parse(await readFile(join(root, file), 'utf8'))
    return [file]
  } catch {
    return []
  }
}

/** The compare link between two tags on GitHub. */
export function compareUrl(repoUrl: string | undefined, from: string | undefined, to: string): string | undefined {
  if (!repoUrl) return undefined
  return from ? `${repoUrl}/compare/${from}...${to}` : `${repoUrl}/commits/${to}`
}
