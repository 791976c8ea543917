import semver from 'semver'
import {FlowError} from '../errors.js'
import {commitBump, maxBump, type Bump, type ParsedCommit} from './commits.js'

/** The bump a set of commits asks for (the largest one), or undefined when none is releasable. */
export function bumpOf(commits: Iterable<ParsedCommit>): Bump | undefined {
  let bump: Bump | undefined
  for (const commit of commits) {
    bump = maxBump(bump, commitBump(commit))
    if (bump === 'major') break
  }
  return bump
}

/**
 * Applies a bump to a stable version. While the version is 0.x the public API is not stable, so the
 * minor number is the breaking position (the rule of Cargo and git-cliff's defaults): a breaking change
 * bumps the minor, a feature bumps the minor too, anything else the patch. `--version 1.0.0` leaves 0.x.
 */
export function applyBump(version: string, bump: Bump): string {
  const effective: Bump = semver.major(version) === 0 && bump === 'major' ? 'minor' : bump
  return semver.inc(version, effective)!
}

/** A maintenance branch's allowed range: `1.x` → `>=1.0.0 <2.0.0`, `1.2.x` → `>=1.2.0 <1.3.0`. */
export function maintenanceRange(branch: string): {range: string; label: string} | undefined {
  const minorLine = /^(?:.*\/)?(\d+)\.(\d+)\.x$/.exec(branch)
  if (minorLine) {
    const [major, minor] = [Number(minorLine[1]), Number(minorLine[2])]
    return {range: `>=${major}.${minor}.0 <${major}.${minor + 1}.0`, label: `${major}.${minor}.x`}
  }
  const majorLine = /^(?:.*\/)?(\d+)\.x$/.exec(branch)
  if (majorLine) {
    const major = Number(majorLine[1])
    return {range: `>=${major}.0.0 <${major + 1}.0.0`, label: `${major}.x`}
  }
  return undefined
}

/**
 * No commit since the last release asks for one. Not a failure: `flow release plan` and `cut` report it and
 * exit 0 ("nothing to do"); it is an error only to code that needs a version.
 */
export class NothingToRelease extends FlowError {
  constructor(message: string) {
    super('POLICY_BLOCKED', message, {hint: 'Conventional commits (feat:, fix:, ...) or a Flow-Change trailer make a release; or pass --version.'})
  }
}

/** What nextVersion needs to know. */
export interface NextVersionInput {
  /** The last stable release reachable from HEAD (undefined: none yet). */
  lastStable?: string
  /** Every version already tagged (to number prereleases and refuse a version that exists). */
  existing: string[]
  /** Commits since the last stable release. */
  commits: ParsedCommit[]
  /** An explicit version (`--version`). */
  version?: string
  /** A prerelease identifier (`--pre rc`). */
  pre?: string
  /** The branch the release is cut from (maintenance ranges). */
  branch?: string
  /** The version of a first release when nothing is tagged yet. */
  initial?: string
}

/** The computed next version and why. */
export interface NextVersion {
  version: string
  bump?: Bump
  /** Why this version (one line for people). */
  reason: string
}

/**
 * Computes the next version: the largest bump of the commits since the last stable release applied to it,
 * then with `pre` the next `-pre.N` of that version (N continues the existing prereleases), and without it
 * the stable version (promoting any prereleases). A maintenance branch keeps the version inside its range.
 */
export function nextVersion(input: NextVersionInput): NextVersion {
  // semver's prerelease identifiers: dot-separated [0-9A-Za-z-]; anything else used to end in an internal "Invalid Version".
  if (input.pre !== undefined && (input.pre.length > 64 || !/^[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*$/.test(input.pre))) {
    throw new FlowError('USAGE', `${JSON.stringify(input.pre)} is not a prerelease identifier`, {hint: 'Pass --pre as up to 64 letters, digits and "-", e.g. rc, beta or next.'})
  }
  let version: string
  let bump: Bump | undefined
  let reason: string
  if (input.version !== undefined) {
    const clean = semver.valid(input.version.replace(/^v/, ''))
    if (!clean) throw new FlowError('USAGE', `${input.version} is not a semantic version`, {hint: 'Pass --version as MAJOR.MINOR.PATCH, e.g. 1.4.0 or 2.0.0-rc.1.'})
    version = clean
    reason = 'given with --version'
  } else {
    bump = bumpOf(input.commits)
    if (!input.lastStable) {
      version = input.initial ?? (bump === 'major' ? '1.0.0' : '0.1.0')
      reason = 'first release'
    } else {
      if (!bump) {
        throw new NothingToRelease(`Nothing to release: no releasable commit since ${input.lastStable}`)
      }
      version = applyBump(input.lastStable, bump)
      reason = `${bump} bump from ${input.lastStable}${semver.major(input.lastStable) === 0 && bump === 'major' ? ' (0.x: breaking changes bump the minor)' : ''}`
    }
    if (input.pre) {
      const taken = input.existing
        .map((v) => semver.parse(v))
        .filter((v): v is semver.SemVer => v !== null && `${v.major}.${v.minor}.${v.patch}` === version && v.prerelease[0] === input.pre)
        .map((v) => (typeof v.prerelease[1] === 'number' ? v.prerelease[1] : 0))
      const n = taken.length > 0 ? Math.max(...taken) + 1 : 1
      version = `${version}-${input.pre}.${n}`
      reason += n > 1 ? `, prerelease ${input.pre}.${n} after ${input.pre}.${n - 1}` : `, first ${input.pre} prerelease`
    }
  }
  if (input.existing.includes(version)) {
    throw new FlowError('POLICY_BLOCKED', `Version ${version} is already tagged`, {hint: 'Pass another --version, or look at flow release status.'})
  }
  if (input.lastStable && !input.version && semver.lte(version, input.lastStable)) {
    throw new FlowError('POLICY_BLOCKED', `Version ${version} is not above the last release ${input.lastStable}`)
  }
  const line = input.branch ? maintenanceRange(input.branch) : undefined
  if (line && !semver.satisfies(version, line.range, {includePrerelease: true})) {
    throw new FlowError('POLICY_BLOCKED', `Version ${version} is outside the maintenance line ${line.label} of branch ${input.branch} (${line.range})${bump ? `: the commits ask for a ${bump} bump` : ''}`, {
      hint: `A maintenance branch only releases ${line.label} versions; cut ${bump === 'major' ? 'breaking changes' : 'this'} from the main branch, or pass a --version inside ${line.range}.`,
    })
  }
  return {version, ...(bump ? {bump} : {}), reason}
}
