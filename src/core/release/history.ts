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
 * comes from `%(*objectname)`, so annotated tags cost nothing more). With `mergedInto`, only the tags
 * reachable from that revision (a second, equally cheap listing).
 */
export async function listReleaseTags(git: Git, pattern: TagPattern, options: {mergedInto?: string} = {}): Promise<ReleaseTag[]> {
  const args = ['for-each-ref', `--format=%(refname:strip=2)${'%00'}%(objectname)%00%(*objectname)%00%(creatordate:short)`]
  if (options.mergedInto) args.push(`--merged=${options.mergedInto}`)
  args.push('refs/tags')
  const out = await git.run(args)
  const tags: ReleaseTag[] = []
  for (const line of out.split('\n')) {
    if (!line) continue
    const [name = '', object = '', peeled = '', date = ''] = line.split(SEP)
    const version = pattern.parse(name)
    if (version) tags.push({name, version, commit: peeled || object, date})
  }
  return tags.sort((a, b) => semver.rcompare(a.version, b.version))
}

/** The arguments of the one `git log` that reads commits: sha, subject and body, NUL-separated, one record per commit. */
export function logArgs(range: string[]): string[] {
  return ['log', '--no-color', `--format=%H%x00%s%x00%b%x1e`, ...range, '--']
}

/** Parses the output of logArgs record by record, handing each commit to `each` (newest first). */
export function parseLog(out: string, each: (commit: ParsedCommit) => void): void {
  let start = 0
  while (start < out.length) {
    let end = out.indexOf(RS, start)
    if (end === -1) end = out.length
    let record = out.slice(start, end)
    start = end + 1
    if (record.charCodeAt(0) === 10) record = record.slice(1)
    if (!record) continue
    const a = record.indexOf(SEP)
    const b = record.indexOf(SEP, a + 1)
    if (a === -1 || b === -1) continue
    each(parseCommit(record.slice(0, a), record.slice(a + 1, b), record.slice(b + 1)))
  }
}

/** Reads the commits of a range (`v1.2.0..HEAD`) in one `git log`, newest first. */
export async function readCommits(git: Git, range: string[]): Promise<ParsedCommit[]> {
  const out = await git.run(logArgs(range), {raw: true})
  const commits: ParsedCommit[] = []
  parseLog(out, (c) => commits.push(c))
  return commits
}
