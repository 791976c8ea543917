import type {Deps} from '../deps.js'
import {FlowError} from '../errors.js'
import type {ParsedCommit} from './commits.js'
import {commitsSince, compareUrl, releaseContext} from './context.js'
import {listReleaseTags, logArgs, parseLog, type ReleaseTag} from './history.js'
import {buildNotes, renderNotes, type ReleaseNotes} from './notes.js'

/** Input of `flow release notes`. */
export interface ReleaseNotesInput {
  from?: string
  to?: string
  all?: boolean
}

/** The result of `flow release notes`: one entry per release (newest first; with --all, `Unreleased` on top). */
export interface ReleaseNotesResult {
  releases: ReleaseNotes[]
  /** Every commit read, and how many the releases account for (equal unless something is wrong). */
  commits: number
  accounted: number
  /** Release tags that are not in the history read (on other branches). */
  outside: string[]
  markdown: string
}

async function resolve(deps: Pick<Deps, 'git'>, rev: string): Promise<string> {
  const result = await deps.git.exec(['rev-parse', '-q', '--verify', `${rev}^{commit}`])
  if (result.exitCode !== 0 || !result.stdout) throw new FlowError('USAGE', `${rev} does not name a commit`, {hint: 'Pass a tag, branch or sha to --from/--to.'})
  return result.stdout
}

/**
 * The whole changelog from ONE `git log` over the history: tags are listed once, and each commit goes to the
 * release whose tag commit is the nearest at or above it in the log (newest first), the way the releases cut
 * the history. Commits above the newest tag are `Unreleased`.
 */
async function allNotes(deps: Pick<Deps, 'git' | 'config' | 'repo' | 'env'>, to: string): Promise<ReleaseNotesResult> {
  const ctx = await releaseContext(deps, {reachable: false})
  const byCommit = new Map<string, ReleaseTag[]>()
  for (const tag of ctx.all) {
    const list = byCommit.get(tag.commit)
    if (list) list.push(tag)
    else byCommit.set(tag.commit, [tag])
  }
  const groups: Array<{tags: ReleaseTag[]; commits: ParsedCommit[]}> = [{tags: [], commits: []}]
  let total = 0
  const out = await deps.git.run(logArgs([to]), {raw: true})
  parseLog(out, (commit) => {
    total++
    const tags = byCommit.get(commit.sha)
    if (tags) groups.push({tags, commits: []})
    groups[groups.length - 1]!.commits.push(commit)
  })
  const seen = new Set(groups.flatMap((g) => g.tags.map((t) => t.name)))
  const sections = ctx.config.notes.sections
  const releases: ReleaseNotes[] = []
  const links = ctx.repoUrl ? {repoUrl: ctx.repoUrl} : {}
  groups.forEach((group, i) => {
    if (i === 0 && group.commits.length === 0) return
    const previous = groups[i + 1]?.tags[0]
    const tag = group.tags[0]
    releases.push(buildNotes(group.commits, sections, {
      ...(tag ? {version: tag.version, tag: tag.name, date: tag.date} : {}),
      ...(previous ? {previousTag: previous.name} : {}),
      ...(ctx.repoUrl ? {compareUrl: compareUrl(ctx.repoUrl, previous?.name, tag?.name ?? 'HEAD')} : {}),
    }))
    // Several tags on one commit: the highest version owns the commits, the others are empty releases.
    for (const other of group.tags.slice(1)) releases.push(buildNotes([], sections, {version: other.version, tag: other.name, date: other.date}))
  })
  const accounted = releases.reduce((n, r) => n + r.commits, 0)
  const markdown = releases.map((r) => renderNotes(r, links)).join('\n')
  return {releases, commits: total, accounted, outside: ctx.all.filter((t) => !seen.has(t.name)).map((t) => t.name), markdown}
}

/** Release notes for a range (default: since the last release), or with `all` every release in the history. */
export async function releaseNotes(deps: Pick<Deps, 'git' | 'config' | 'repo' | 'env'>, input: ReleaseNotesInput): Promise<ReleaseNotesResult> {
  const to = input.to ?? 'HEAD'
  if (input.all) {
    if (input.from) throw new FlowError('USAGE', '--all reads the whole history; it takes no --from', {hint: 'Drop --from, or drop --all.'})
    return allNotes(deps, await resolve(deps, to))
  }
  const toSha = await resolve(deps, to)
  const ctx = await releaseContext(deps)
  let fromTag: ReleaseTag | undefined
  if (input.from) {
    const sha = await resolve(deps, input.from)
    fromTag = {name: input.from, version: ctx.pattern.parse(input.from) ?? input.from, commit: sha, date: ''}
  } else {
    const reachable = to === 'HEAD' ? ctx.reachable : await listReleaseTags(deps.git, ctx.pattern, {mergedInto: toSha})
    fromTag = reachable.find((t) => t.commit !== toSha)
  }
  const commits = await commitsSince(deps.git, fromTag, toSha)
  const toTag = ctx.all.find((t) => t.commit === toSha)
  const name = input.to && input.to !== 'HEAD' ? input.to : toTag?.name ?? 'HEAD'
  const notes = buildNotes(commits, ctx.config.notes.sections, {
    ...(toTag ? {version: toTag.version, tag: toTag.name, date: toTag.date} : {}),
    ...(fromTag ? {previousTag: fromTag.name} : {}),
    ...(ctx.repoUrl ? {compareUrl: compareUrl(ctx.repoUrl, fromTag?.name, name)} : {}),
  })
  return {releases: [notes], commits: commits.length, accounted: notes.commits, outside: [], markdown: renderNotes(notes, ctx.repoUrl ? {repoUrl: ctx.repoUrl} : {})}
}
