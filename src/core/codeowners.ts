/** CODEOWNERS: where it lives, its rules, and who owns which file (GitHub's rules: the last matching pattern wins). */
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import picomatch from 'picomatch'

/** Where GitHub looks for CODEOWNERS, in its order. */
export const CODEOWNERS_PLACES = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'] as const

/** The CODEOWNERS file (`.github/`, root, `docs/`) with its path relative to the root, or undefined. */
export async function findCodeowners(root: string): Promise<{path: string; text: string} | undefined> {
  for (const place of CODEOWNERS_PLACES) {
    const text = await readFile(join(root, place), 'utf8').catch(() => undefined)
    if (text !== undefined) return {path: place, text}
  }
  return undefined
}

/** The text of the CODEOWNERS file, or undefined. */
export async function readCodeowners(root: string): Promise<string | undefined> {
  return (await findCodeowners(root))?.text
}

/** One CODEOWNERS rule. */
export interface OwnerRule {
  pattern: string
  owners: string[]
}

/** Parses a CODEOWNERS file (comments and blank lines skipped; `@` kept off owner names). */
export function parseCodeowners(text: string): OwnerRule[] {
  const rules: OwnerRule[] = []
  for (const raw of text.split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim()
    if (!line) continue
    const [pattern, ...owners] = line.split(/\s+/)
    rules.push({pattern: pattern!, owners: owners.filter((o) => o.startsWith('@')).map((o) => o.slice(1))})
  }
  return rules
}

function ruleMatcher(pattern: string): (path: string) => boolean {
  let glob = pattern
  const anchored = glob.startsWith('/')
  if (anchored) glob = glob.slice(1)
  if (glob.endsWith('/')) glob = `${glob}**`
  const rooted = anchored || glob.slice(0, -1).includes('/')
  const globs = rooted ? [glob, `${glob}/**`] : [`**/${glob}`, `**/${glob}/**`]
  const match = picomatch(globs, {dot: true})
  return (path) => match(path)
}

/** A matcher for each file: the owners of its last matching rule, or undefined when no rule matches. */
export function ownerMatcher(rules: OwnerRule[]): (file: string) => string[] | undefined {
  const matchers = rules.map((r) => ({...r, match: ruleMatcher(r.pattern)}))
  // The last matching rule wins, so look from the end and stop at the first match.
  return (file) => {
    for (let i = matchers.length - 1; i >= 0; i--) if (matchers[i]!.match(file)) return matchers[i]!.owners
    return undefined
  }
}

/** The owners of the changed files: for each file the last matching rule wins; owners sorted, without duplicates. */
export function ownersFor(rules: OwnerRule[], files: string[]): string[] {
  const ownersOf = ownerMatcher(rules)
  const owners = new Set<string>()
  for (const file of files) for (const o of ownersOf(file) ?? []) owners.add(o)
  return [...owners].sort()
}

/** The files no rule matches (a rule without owners counts as owned by nobody). */
export function unownedFiles(rules: OwnerRule[], files: string[]): string[] {
  const ownersOf = ownerMatcher(rules)
  return files.filter((file) => (ownersOf(file)?.length ?? 0) === 0)
}

