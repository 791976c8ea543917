// Kept apart from schema.ts (which loads zod) so that the release commands, which need only this, start without zod.

/** The tag pattern of a monorepo package: its own, else release.tag when it names the package, else {name}@{version}. */
export function packageTagPattern(release: {tag?: unknown}, pkg: {tag?: unknown}): string {
  if (typeof pkg.tag === 'string') return pkg.tag
  if (typeof release.tag === 'string' && /\{(name|package)\}/.test(release.tag)) return release.tag
  return '{name}@{version}'
}
