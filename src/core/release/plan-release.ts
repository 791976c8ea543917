import type {Deps} from '../deps.js'
import {FlowError} from '../errors.js'
import type {Plan, StepSpec} from '../../engine/types.js'
import {gateStageSteps, gateStepKinds} from '../gates/gate-steps.js'
import {gitStepKinds, type PushInput} from '../../engine/steps/git-steps.js'
import type {Bump} from './commits.js'
import {bumpFiles, commitsSince, compareUrl, releaseContext, releasePackages, type ReleaseContext} from './context.js'
import {buildNotes, renderNotes, type ReleaseNotes} from './notes.js'
import {releaseStepKinds, type ReleaseCommitInput, type ReleaseDraftInput, type ReleaseFilesInput, type ReleasePublishInput, type ReleaseTagInput} from './steps.js'
import {maintenanceRange, nextVersion, NothingToRelease} from './version.js'

/** Input of planRelease (the flags of `flow release plan` and `cut`). */
export interface ReleasePlanInput {
  version?: string
  pre?: string
  /** The monorepo package to release (`release.packages`). */
  package?: string
}

/** What `flow release plan` shows (its --json document), and what `cut` runs. */
export interface ReleasePlanResult {
  /** The monorepo package, when one is released. */
  package?: string
  branch: string | null
  lastTag: string | null
  lastVersion: string | null
  /** Commits since the last stable release (what the version is computed from). */
  commits: number
  version: string
  tag: string
  bump: Bump | null
  /** Why this version. */
  reason: string
  prerelease: boolean
  notes: ReleaseNotes
  /** The changelog section / release body, Markdown. */
  markdown: string
  files: Array<{path: string; change: string}>
  steps: string[]
  warnings: string[]
  /** Set when `cut` would refuse to run from here (wrong branch, dirty work tree). */
  blocked?: {code: 'POLICY_BLOCKED'; message: string; hint: string}
  /** The engine plan `cut` runs. */
  plan: Plan
}

/** Why a branch may not cut releases, or undefined when it may. */
export function branchProblem(ctx: ReleaseContext): string | undefined {
  if (ctx.branch === null) return 'HEAD is detached'
  if (ctx.config.branches.includes(ctx.branch) || ctx.branch in ctx.config.prerelease || maintenanceRange(ctx.branch)) return undefined
  return `branch ${ctx.branch} does not cut releases (release.branches: ${ctx.config.branches.join(', ')}; maintenance branches such as 1.x or 1.2.x)`
}

/** Tracked files with changes, from `git status --porcelain` (untracked files are left out). */
export async function dirtyFiles(deps: Pick<Deps, 'git'>): Promise<string[]> {
  const out = await deps.git.run(['status', '--porcelain', '--untracked-files=no'])
  return out.split('\n').filter(Boolean).map((l) => l.slice(3))
}

const KINDS = [...gateStepKinds, ...gitStepKinds, ...releaseStepKinds]

/** One line per step, as the engine would describe them. */
export function describePlan(plan: Plan): string[] {
  return plan.steps.map((s) => KINDS.find((k) => k.kind === s.kind)?.describe(s.input) ?? s.kind)
}

/**
 * Works out the next release offline: last tag (ref listings), commits since (one git log), version,
 * notes, files and steps. Never touches the network or the forge.
 */
export async function planRelease(deps: Pick<Deps, 'git' | 'config' | 'repo' | 'env' | 'clock'>, input: ReleasePlanInput = {}): Promise<ReleasePlanResult> {
  const ctx = await releaseContext(deps, input.package === undefined ? {} : {package: input.package})
  const pre = input.pre ?? (ctx.branch ? ctx.config.prerelease[ctx.branch] : undefined)
  const sinceStable = await commitsSince(deps.git, ctx.lastStable, 'HEAD', ctx.paths)
  const next = nextVersion({
    ...(ctx.lastStable ? {lastStable: ctx.lastStable.version} : {}),
    existing: ctx.all.map((t) => t.version),
    commits: sinceStable,
    ...(input.version !== undefined ? {version: input.version} : {}),
    ...(pre ? {pre} : {}),
    ...(ctx.branch ? {branch: ctx.branch} : {}),
  })
  const prerelease = next.version.includes('-')
  const tag = ctx.pattern.format(next.version)
  const previous = prerelease ? ctx.lastTag : ctx.lastStable
  const noteCommits = previous === ctx.lastStable ? sinceStable : await commitsSince(deps.git, previous, 'HEAD', ctx.paths)
  const notes = buildNotes(noteCommits, ctx.config.notes.sections, {
    version: next.version, tag, ...(previous ? {previousTag: previous.name} : {}),
    date: deps.clock.now().toISOString().slice(0, 10),
    ...(ctx.repoUrl ? {compareUrl: compareUrl(ctx.repoUrl, previous?.name, tag)} : {}),
  })
  const links = ctx.repoUrl ? {repoUrl: ctx.repoUrl} : {}
  const markdown = renderNotes(notes, links)

  const bump = await bumpFiles(ctx.root, ctx.config, ctx.package)
  const files: ReleasePlanResult['files'] = []
  const changelogPath = ctx.package ? ctx.package.changelog : ctx.config.changelog
  const changelog = changelogPath === false ? undefined : {path: changelogPath, section: markdown}
  if (changelog) files.push({path: changelog.path, change: `prepend the ${next.version} section`})
  for (const file of bump) files.push({path: file, change: `set version to ${next.version}`})

  const hasOrigin = (await deps.git.exec(['remote', 'get-url', 'origin'])).exitCode === 0
  const steps: StepSpec[] = gateStageSteps((await deps.config()).config, 'release')
  const fileInput: ReleaseFilesInput = {version: next.version, ...(changelog ? {changelog} : {}), bump}
  if (files.length > 0) steps.push({kind: 'release.files', input: fileInput})
  const commitInput: ReleaseCommitInput = {message: `chore(release): ${tag}`, files: files.map((f) => f.path)}
  if (files.length > 0) steps.push({kind: 'release.commit', input: commitInput})
  steps.push({kind: 'release.tag', input: {tag, message: `Release ${tag}`} satisfies ReleaseTagInput})
  if (hasOrigin && ctx.branch) {
    steps.push({kind: 'git.push', input: {remote: 'origin', refspecs: [
      ...(files.length > 0 ? [{src: `refs/heads/${ctx.branch}`, dst: `refs/heads/${ctx.branch}`}] : []),
      {src: `refs/tags/${tag}`, dst: `refs/tags/${tag}`},
    ]} satisfies PushInput})
  }
  steps.push({kind: 'release.draft', input: {tag, name: tag, body: renderNotes(notes, links, {heading: false}), prerelease} satisfies ReleaseDraftInput})
  steps.push({kind: 'release.publish', input: {tag} satisfies ReleasePublishInput})
  const plan: Plan = {command: 'release cut', inputs: {version: next.version, tag, ...(pre ? {pre} : {}), ...(ctx.package ? {package: ctx.package.name} : {})}, steps}

  const warnings: string[] = []
  for (const c of notes.nonConventional) warnings.push(`${c.sha.slice(0, 7)} "${c.subject}" follows no conventional-commit type: listed, not counted for the version`)
  if (!hasOrigin) warnings.push('No origin remote: the tag and the release commit stay local')
  let blocked: ReleasePlanResult['blocked']
  const branchWhy = branchProblem(ctx)
  const dirty = await dirtyFiles(deps)
  if (branchWhy) blocked = {code: 'POLICY_BLOCKED', message: `Releases are not cut here: ${branchWhy}`, hint: `Check out ${ctx.config.branches[0] ?? ctx.mainBranch} (or a maintenance branch), or add this branch to release.branches.`}
  else if (dirty.length > 0) blocked = {code: 'POLICY_BLOCKED', message: `The work tree has uncommitted changes (${dirty.slice(0, 3).join(', ')}${dirty.length > 3 ? ', ...' : ''})`, hint: 'Commit or stash them first: the release commit must hold only the release files.'}
  if (blocked) warnings.push(`cut would refuse: ${blocked.message}`)

  return {
    ...(ctx.package ? {package: ctx.package.name} : {}),
    branch: ctx.branch, lastTag: ctx.lastTag?.name ?? null, lastVersion: ctx.lastTag?.version ?? null,
    commits: sinceStable.length, version: next.version, tag, bump: next.bump ?? null, reason: next.reason, prerelease,
    notes, markdown, files, steps: describePlan(plan), warnings, ...(blocked ? {blocked} : {}), plan,
  }
}

/** Throws the refusal a plan carries (wrong branch, dirty work tree). */
export function refuseIfBlocked(result: ReleasePlanResult): void {
  if (result.blocked) throw new FlowError(result.blocked.code, result.blocked.message, {hint: result.blocked.hint})
}

/** No release to make: the --json document of `flow release plan`/`cut` then (exit 0). */
export interface NoRelease {
  release: null
  package?: string
  /** Why not (one line). */
  reason: string
}

/** The plan, or `{release: null, reason}` when no commit since the last release asks for one. */
export async function planOrNothing(deps: Pick<Deps, 'git' | 'config' | 'repo' | 'env' | 'clock'>, input: ReleasePlanInput = {}): Promise<ReleasePlanResult | NoRelease> {
  try {
    return await planRelease(deps, input)
  } catch (error) {
    if (error instanceof NothingToRelease) return {release: null, ...(input.package === undefined ? {} : {package: input.package}), reason: error.message}
    throw error
  }
}

/** `flow release plan` in a monorepo without --package: every package with changes, and why the others have none. */
export interface PackagesPlan {
  packages: ReleasePlanResult[]
  unchanged: NoRelease[]
}

/** Plans every package of `release.packages` (in parallel: one ref listing and one path-limited git log each). */
export async function planPackages(deps: Pick<Deps, 'git' | 'config' | 'repo' | 'env' | 'clock'>, input: Omit<ReleasePlanInput, 'package'> = {}): Promise<PackagesPlan> {
  const {config} = await deps.config()
  const plans = await Promise.all(releasePackages(config.release).map((p) => planOrNothing(deps, {...input, package: p.name})))
  const packages: ReleasePlanResult[] = []
  const unchanged: NoRelease[] = []
  for (const plan of plans) {
    if ('release' in plan) unchanged.push(plan)
    else packages.push(plan)
  }
  return {packages, unchanged}
}

/** True when flow.yml defines monorepo packages (`release.packages`). */
export async function isMonorepo(deps: Pick<Deps, 'config'>): Promise<boolean> {
  return Object.keys((await deps.config()).config.release.packages).length > 0
}

/** The --json document of `flow release plan`: one plan, no release, or (monorepo, no --package) every package. */
export type ReleasePlanReport = Omit<ReleasePlanResult, 'plan'> | NoRelease | {packages: Array<Omit<ReleasePlanResult, 'plan'>>; unchanged: NoRelease[]}

/** What `flow release plan` shows: the plan of the repository or of one package, or of every package of a monorepo. */
export async function releasePlanReport(deps: Pick<Deps, 'git' | 'config' | 'repo' | 'env' | 'clock'>, input: ReleasePlanInput): Promise<ReleasePlanReport> {
  const strip = ({plan: _plan, ...rest}: ReleasePlanResult) => rest
  if (input.package === undefined && (await isMonorepo(deps))) {
    const all = await planPackages(deps, input)
    return {packages: all.packages.map(strip), unchanged: all.unchanged}
  }
  const one = await planOrNothing(deps, input)
  return 'release' in one ? one : strip(one)
}
