import semver from 'semver'
import {FlowError} from '../errors.js'

const SEMVER = '(\\d+\\.\\d+\\.\\d+(?:-[0-9A-Za-z.-]+)?(?:\\+[0-9A-Za-z.-]+)?)'

/** A `release.tag` pattern (`v{version}`) compiled both ways. */
export interface TagPattern {
  pattern: string
  /** The tag name of a version. */
  format(version: string): string
  /** The version a tag name stands for, or undefined when the tag is not a release of this pattern. */
  parse(tag: string): string | undefined
}

/** Compiles a tag pattern with a `{version}` placeholder (and, for a monorepo package, `{name}` or `{package}`). */
export function tagPattern(pattern: string, pkg?: string): TagPattern {
  if (!pattern.includes('{version}')) throw new FlowError('CONFIG_INVALID', `release.tag "${pattern}" has no {version}`, {hint: 'Use a pattern such as v{version}.'})
  if (/\{(name|package)\}/.test(pattern) && pkg === undefined) {
    throw new FlowError('CONFIG_INVALID', `release.tag "${pattern}" names the package, but no package was chosen`, {hint: 'Define release.packages and pass --package NAME, or use a pattern such as v{version}.'})
  }
  const filled = pkg === undefined ? pattern : pattern.replaceAll('{package}', pkg).replaceAll('{name}', pkg)
  const [before, after] = filled.split('{version}') as [string, string]
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const regex = new RegExp(`^${escape(before)}${SEMVER}${escape(after)}$`)
  return {
    pattern,
    format: (version) => `${before}${version}${after}`,
    parse(tag) {
      const match = regex.exec(tag)
      return match && semver.valid(match[1]) ? match[1] : undefined
    },
  }
}
