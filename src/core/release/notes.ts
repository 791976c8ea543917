import type {ParsedCommit} from './commits.js'

/** One line of release notes. */
export interface NoteEntry {
  sha: string
  type?: string
  scope?: string
  description: string
  pr?: number
  refs: number[]
}

/** A titled group of entries (`Features`, `Bug fixes`). */
export interface NotesSection {
  title: string
  entries: NoteEntry[]
}

/** The notes of one release (or of a range). */
export interface ReleaseNotes {
  version?: string
  tag?: string
  previousTag?: string
  date?: string
  compareUrl?: string
  breaking: Array<NoteEntry & {note: string}>
  sections: NotesSection[]
  /** Commits whose type no section collects (chore, docs, ...), by type. */
  other: Record<string, number>
  /** Commits that follow no convention: kept here, never dropped. */
  nonConventional: Array<{sha: string; subject: string}>
  /** Every commit of the range. */
  commits: number
}

/** The configured note sections (`release.notes.sections`). */
export type SectionConfig = Array<{title: string; types: string[]}>

/** Where links point, when the forge is known. */
export interface NotesLinks {
  /** `https://github.com/owner/repo` */
  repoUrl?: string
}

/** Collects release notes one commit at a time (so a long history is grouped while it streams). */
export class NotesBuilder {
  private readonly byType = new Map<string, NotesSection>()
  readonly notes: ReleaseNotes

  constructor(sections: SectionConfig, meta: Partial<Pick<ReleaseNotes, 'version' | 'tag' | 'previousTag' | 'date' | 'compareUrl'>> = {}) {
    const out: NotesSection[] = sections.map((s) => ({title: s.title, entries: []}))
    sections.forEach((s, i) => s.types.forEach((t) => this.byType.has(t) || this.byType.set(t, out[i]!)))
    this.notes = {...meta, breaking: [], sections: out, other: {}, nonConventional: [], commits: 0}
  }

  add(c: ParsedCommit): void {
    const notes = this.notes
    notes.commits++
    if (!c.conventional) {
      notes.nonConventional.push({sha: c.sha, subject: c.subject})
      return
    }
    const section = this.byType.get(c.type!)
    if (!section && c.breakingNotes.length === 0) {
      notes.other[c.type!] = (notes.other[c.type!] ?? 0) + 1
      return
    }
    const entry: NoteEntry = {sha: c.sha, type: c.type, description: c.description, refs: c.refs}
    if (c.scope) entry.scope = c.scope
    if (c.pr) entry.pr = c.pr
    for (const note of c.breakingNotes) notes.breaking.push({...entry, note})
    if (section) section.entries.push(entry)
    else notes.other[c.type!] = (notes.other[c.type!] ?? 0) + 1
  }
}

/** Groups parsed commits into release notes by the configured sections. */
export function buildNotes(commits: Iterable<ParsedCommit>, sections: SectionConfig, meta: Partial<Pick<ReleaseNotes, 'version' | 'tag' | 'previousTag' | 'date' | 'compareUrl'>> = {}): ReleaseNotes {
  const builder = new NotesBuilder(sections, meta)
  for (const c of commits) builder.add(c)
  return builder.notes
}

function entryLine(e: NoteEntry, text: string, links: NotesLinks): string {
  const scope = e.scope ? `**${e.scope}:** ` : ''
  const short = e.sha.slice(0, 7)
  const repo = links.repoUrl
  const pr = e.pr ? (repo ? ` ([#${e.pr}](${repo}/pull/${e.pr}))` : ` (#${e.pr})`) : ''
  const sha = repo ? ` ([${short}](${repo}/commit/${e.sha}))` : ` (${short})`
  return `- ${scope}${text.split('\n')[0]}${pr}${sha}`
}

/** The heading of a release in the changelog: `## [1.3.0](compare link) - 2026-11-26`. */
export function releaseHeading(notes: Pick<ReleaseNotes, 'version' | 'compareUrl' | 'date'>): string {
  const name = notes.version ?? 'Unreleased'
  return `## ${notes.compareUrl ? `[${name}](${notes.compareUrl})` : `[${name}]`}${notes.date ? ` - ${notes.date}` : ''}`
}

/** Renders one release's notes as Markdown (Keep a Changelog style: a `##` heading, `###` groups). */
export function renderNotes(notes: ReleaseNotes, links: NotesLinks = {}, options: {heading?: boolean} = {}): string {
  const lines: string[] = []
  if (options.heading !== false) lines.push(releaseHeading(notes), '')
  if (notes.breaking.length > 0) {
    lines.push('### Breaking changes', '')
    for (const b of notes.breaking) lines.push(entryLine(b, b.note, links))
    lines.push('')
  }
  for (const section of notes.sections) {
    if (section.entries.length === 0) continue
    lines.push(`### ${section.title}`, '')
    for (const e of section.entries) lines.push(entryLine(e, e.description, links))
    lines.push('')
  }
  const other = Object.entries(notes.other)
  if (other.length > 0 || notes.nonConventional.length > 0) {
    const parts = other.map(([type, n]) => `${n} ${type}`)
    if (notes.nonConventional.length > 0) parts.push(`${notes.nonConventional.length} without a conventional type`)
    lines.push(`_Also: ${parts.join(', ')}._`, '')
  }
  if (lines.length === (options.heading !== false ? 2 : 0)) lines.push('_No changes._', '')
  return lines.join('\n')
}

const CHANGELOG_HEAD = '# Changelog\n\nAll notable changes to this project are documented in this file.\nThe format follows [Keep a Changelog](https://keepachangelog.com/en/1.1.0/) and versions follow [Semantic Versioning](https://semver.org/).\n\n'

/**
 * Adds a release's section to a changelog without rewriting what is there: before the first release
 * heading (after an `## [Unreleased]` section, which stays on top), or at the end when there is none.
 */
export function prependChangelog(existing: string | undefined, section: string): string {
  const block = section.endsWith('\n') ? section : `${section}\n`
  if (existing === undefined || existing.trim() === '') return CHANGELOG_HEAD + block
  const headings = [...existing.matchAll(/^## .*$/gm)]
  const first = headings.find((m) => !/^## \[?unreleased\]?/i.test(m[0]))
  if (!first || first.index === undefined) return `${existing.replace(/\s*$/, '')}\n\n${block}`
  return existing.slice(0, first.index) + block + '\n' + existing.slice(first.index)
}

/** True when a changelog already has a section for this version. */
export function changelogHasVersion(text: string, version: string): boolean {
  const escaped = version.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`^## \\[?${escaped}\\]?(?:[(\\s]|$)`, 'm').test(text)
}
