import type {Deps} from '../deps.js'
import {FlowError} from '../errors.js'
import type {ParsedCommit} from './commits.js'
import {commitsSince, compareUrl, findPackage, releaseContext, type ReleaseContext} from './context.js'
import {lastReachable, streamLog, type ReleaseTag} from './history.js'
import {buildNotes, NotesBuilder, renderNotes, type NotesLinks, type ReleaseNotes} from './notes.js'

/** Input of `flow release notes`. */
export interface ReleaseNotesInput {
  from?: string
  to?: string
  all?: boolean
  /** False when only the Markdown is wanted: with --all, each release's entries are dropped once rendered (less memory and GC). */
  entries?: boolean
  /** The monorepo package: its tags, and only the commits touching its path. */
  package?: string
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
 * the history. Commits above the newest tag are `Unreleased`. Commits are grouped and each release rendered
 * while git still writes, so little is left to do when the log ends.
 */
async function allNotes(deps: Pick<Deps, 'git' | 'config' | 'repo' | 'env'>, to: string, keepEntries: boolean, pkg?: string): Promise<ReleaseNotesResult> {
  let ctx: ReleaseContext | undefined
  const byCommit = new Map<string, ReleaseTag[]>()
  const releases: ReleaseNotes[] = []
  const markdown: string[] = []
  let links: NotesLinks = {}
  let builder: NotesBuilder | undefined
  let current: ReleaseTag[] = []
  let total = 0
  const pending: ParsedCommit[] = []

  const close = (previous: ReleaseTag | undefined) => {
    if (!builder || !ctx) return
    const notes = builder.notes
    const tag = current[0]
    if (previous) notes.previousTag = previous.name
    if (ctx.repoUrl) notes.compareUrl = compareUrl(ctx.repoUrl, previous?.name, tag?.name ?? 'HEAD')
    if (tag || notes.commits > 0) {
      markdown.push(renderNotes(notes, links))
      if (!keepEntries) {
        for (const section of notes.sections) section.entries = []
        notes.breaking = []
        notes.nonConventional = []
      }
      releases.push(notes)
    }
    // Several tags on one commit: the highest version owns the commits, the others are empty releases.
    for (const other of current.slice(1)) {
      const empty = buildNotes([], ctx.config.notes.sections, {version: other.version, tag: other.name, date: other.date})
      releases.push(empty)
      markdown.push(renderNotes(empty, links))
    }
  }
  const open = (tags: ReleaseTag[]) => {
    current = tags
    const tag = tags[0]
    builder = new NotesBuilder(ctx!.config.notes.sections, tag ? {version: tag.version, tag: tag.name, date: tag.date} : {})
  }
  const take = (commit: ParsedCommit) => {
    total++
    const tags = byCommit.get(commit.sha)
    if (tags) {
      close(tags[0])
      open(tags)
    }
    builder!.add(commit)
  }
  const each = (commit: ParsedCommit) => {
    if (!ctx) pending.push(commit)
    else {
      if (pending.length > 0) pending.splice(0).forEach(take)
      take(commit)
    }
  }
  // The one git log starts at once and is parsed as it streams, while the tags and the config are read.
  const paths = pkg === undefined ? [] : [findPackage((await deps.config()).config.release, pkg).path]
  const context = releaseContext(deps, {reachable: false, ...(pkg === undefined ? {} : {package: pkg})}).then((read) => {
    for (const tag of read.all) {
      const list = byCommit.get(tag.commit)
      if (list) list.push(tag)
      else byCommit.set(tag.commit, [tag])
    }
    links = read.repoUrl ? {repoUrl: read.repoUrl} : {}
    ctx = read
    open([])
    return read
  })
  const [read] = await Promise.all([context, streamLog(deps.git, [to], each, paths)])
  pending.splice(0).forEach(take)
  close(undefined)
  const seen = new Set(releases.map((r) => r.tag))
  const accounted = releases.reduce((n, r) => n + r.commits, 0)
  return {releases, commits: total, accounted, outside: read.all.filter((t) => !seen.has(t.name)).map((t) => t.name), markdown: markdown.join('\n')}
}

/** Release notes for a range (default: since the last release), or with `all` every release in the history. */
export async function releaseNotes(deps: Pick<Deps, 'git' | 'config' | 'repo' | 'env'>, input: ReleaseNotesInput): Promise<ReleaseNotesResult> {
  const to = input.to ?? 'HEAD'
  if (input.all) {
    if (input.from) throw new FlowError('USAGE', '--all reads the whole history; it takes no --from', {hint: 'Drop --from, or drop --all.'})
    return allNotes(deps, await resolve(deps, to), input.entries !== false, input.package)
  }
  const toSha = await resolve(deps, to)
  const ctx = await releaseContext(deps, {reachable: false, ...(input.package === undefined ? {} : {package: input.package})})
  let fromTag: ReleaseTag | undefined
  if (input.from) {
    const sha = await resolve(deps, input.from)
    fromTag = {name: input.from, version: ctx.pattern.parse(input.from) ?? input.from, commit: sha, date: ''}
  } else {
    fromTag = (await lastReachable(deps.git, ctx.all, toSha, {skipCommit: toSha})).last
  }
  const commits = await commitsSince(deps.git, fromTag, toSha, ctx.paths)
  const toTag = ctx.all.find((t) => t.commit === toSha)
  const name = input.to && input.to !== 'HEAD' ? input.to : toTag?.name ?? 'HEAD'
  const notes = buildNotes(commits, ctx.config.notes.sections, {
    ...(toTag ? {version: toTag.version, tag: toTag.name, date: toTag.date} : {}),
    ...(fromTag ? {previousTag: fromTag.name} : {}),
    ...(ctx.repoUrl ? {compareUrl: compareUrl(ctx.repoUrl, fromTag?.name, name)} : {}),
  })
  return {releases: [notes], commits: commits.length, accounted: notes.commits, outside: [], markdown: renderNotes(notes, ctx.repoUrl ? {repoUrl: ctx.repoUrl} : {})}
}
