import semver from 'semver'
import type {Git} from '../ports.js'
import {parseCommit, type ParsedCommit} from './commits.js'
import type {TagPattern} from './tags.js'

/** A release tag found in the repository. */
export interface ReleaseTag {
  name: string
  version: string
  /** The commit the tag points at (peeled for annotated tags). */
  commit: string
  /** The tag's date (the tagger's for annotated tags, else the commit's), YYYY-MM-DD. */
  date: string
}

const SEP = '\x00'
const RS = '\x1e'

/**
 * Every release tag of a pattern, newest version first, from ONE `git for-each-ref` (the peeled commit
 * comes from `%(*objectname)`, so annotated tags cost nothing more).
 */
export async function listReleaseTags(git: Git, pattern: TagPattern): Promise<ReleaseTag[]> {
  const out = await git.run(['for-each-ref', '--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)%00%(creatordate:short)', 'refs/tags'])
  const tags: ReleaseTag[] = []
  for (const line of out.split('\n')) {
    if (!line) continue
    const [name = '', object = '', peeled = '', date = ''] = line.split(SEP)
    const version = pattern.parse(name)
    if (version) tags.push({name, version, commit: peeled || object, date})
  }
  return tags.sort((a, b) => semver.rcompare(a.version, b.version))
}

/**
 * The newest tags (by version) that a revision contains: the first one, and the first stable one. Checked newest
 * first with `git merge-base --is-ancestor`, which stops near the tag, instead of `for-each-ref --merged`, which
 * walks the whole history (a second on 100k commits). Usually one or two checks.
 */
export async function lastReachable(git: Git, tags: ReleaseTag[], rev: string, options: {skipCommit?: string} = {}): Promise<{last?: ReleaseTag; stable?: ReleaseTag}> {
  const found: {last?: ReleaseTag; stable?: ReleaseTag} = {}
  const verdict = new Map<string, boolean>()
  for (const tag of tags) {
    if (tag.commit === options.skipCommit) continue
    if (found.last && tag.version.includes('-')) continue
    let contained = verdict.get(tag.commit)
    if (contained === undefined) {
      contained = (await git.exec(['merge-base', '--is-ancestor', tag.commit, rev])).exitCode === 0
      verdict.set(tag.commit, contained)
    }
    if (!contained) continue
    found.last ??= tag
    if (!tag.version.includes('-')) {
      found.stable = tag
      break
    }
  }
  return found
}

/**
 * The arguments of the one `git log` that reads commits: sha, subject and body, NUL-separated, one record per
 * commit; with `paths`, only the commits touching them (a monorepo package).
 */
export function logArgs(range: string[], paths: string[] = []): string[] {
  return ['log', '--no-color', `--format=%H%x00%s%x00%b%x1e`, ...range, '--', ...paths]
}

/** Parses logArgs output fed in chunks (as git writes it), handing each commit to `each` (newest first). */
export class LogParser {
  private rest = ''

  constructor(private readonly each: (commit: ParsedCommit) => void) {}

  /** Takes the next chunk of output; complete records are parsed at once. */
  push(chunk: string): void {
    const text = this.rest ? this.rest + chunk : chunk
    const last = text.lastIndexOf(RS)
    if (last === -1) {
      this.rest = text
      return
    }
    this.records(text, last)
    this.rest = text.slice(last + 1)
  }

  /** Parses what is left after the last chunk. */
  end(): void {
    if (this.rest.trim()) this.records(this.rest, this.rest.length)
    this.rest = ''
  }

  private records(text: string, limit: number): void {
    let start = 0
    while (start < limit) {
      let end = text.indexOf(RS, start)
      if (end === -1 || end > limit) end = limit
      if (text.charCodeAt(start) === 10) start++
      const a = text.indexOf(SEP, start)
      const b = a === -1 ? -1 : text.indexOf(SEP, a + 1)
      if (a !== -1 && b !== -1 && b < end) this.each(parseCommit(text.slice(start, a), text.slice(a + 1, b), text.slice(b + 1, end)))
      start = end + 1
    }
  }
}

/** Parses the whole output of logArgs record by record, handing each commit to `each` (newest first). */
export function parseLog(out: string, each: (commit: ParsedCommit) => void): void {
  const parser = new LogParser(each)
  parser.push(out)
  parser.end()
}

/** Streams one `git log` (logArgs) through the parser: parsing overlaps git's own work. */
export async function streamLog(git: Git, range: string[], each: (commit: ParsedCommit) => void, paths: string[] = []): Promise<void> {
  const parser = new LogParser(each)
  const args = logArgs(range, paths)
  if (git.stream) await git.stream(args, (chunk) => parser.push(chunk))
  else parser.push(await git.run(args, {raw: true}))
  parser.end()
}

/** Reads the commits of a range (`v1.2.0..HEAD`) in one `git log`, newest first; with `paths`, those touching them. */
export async function readCommits(git: Git, range: string[], paths: string[] = []): Promise<ParsedCommit[]> {
  const commits: ParsedCommit[] = []
  await streamLog(git, range, (c) => commits.push(c), paths)
  return commits
}
