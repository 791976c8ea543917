/** Conventional commits: parsing one commit message into what a release needs. */

/** How much a change moves the version. */
export type Bump = 'major' | 'minor' | 'patch'

/** One footer (trailer) of a commit message: `Refs: #12`, `BREAKING CHANGE: ...`, `Flow-Change: minor`. */
export interface Footer {
  token: string
  value: string
}

/** A commit as a release sees it. */
export interface ParsedCommit {
  sha: string
  subject: string
  /** False when the subject follows no convention (listed as a warning, never dropped). */
  conventional: boolean
  type?: string
  scope?: string
  /** The subject without `type(scope)!: ` and without a trailing `(#123)`. */
  description: string
  breaking: boolean
  /** What a `BREAKING CHANGE:` footer (or the `!` subject) says breaks. */
  breakingNotes: string[]
  footers: Footer[]
  /** The pull request number from a trailing `(#123)` in the subject. */
  pr?: number
  /** Issue numbers from `Refs:`, `Closes:`, `Fixes:` footers. */
  refs: number[]
  /** The bump the `Flow-Change` trailer asks for (written by `flow feature finish`). */
  flowChange?: Bump
}

const HEADER = /^([A-Za-z][\w-]*)(?:\(([^()\r\n]*)\))?(!)?: +(\S.*)$/
const FOOTER = /^(BREAKING[ -]CHANGE|[A-Za-z][\w-]*)(?:: | #)(.*)$/
const PR = /\s*\(#(\d+)\)\s*$/
// One shared empty array for the many commits without footers (fewer allocations on long histories); never mutated.
const NONE: never[] = []
const ISSUE_FOOTERS = new Set(['refs', 'ref', 'closes', 'close', 'fixes', 'fix', 'resolves', 'see'])

/** Splits the footer paragraphs (every trailing paragraph whose first line is a footer) off a body. */
function parseFooters(body: string): Footer[] {
  const paragraphs = body.replace(/\r\n/g, '\n').trim().split(/\n\s*\n/)
  const footerParagraphs: string[] = []
  for (let i = paragraphs.length - 1; i >= 0; i--) {
    const first = (paragraphs[i] ?? '').split('\n')[0] ?? ''
    if (!FOOTER.test(first)) break
    footerParagraphs.unshift(paragraphs[i] ?? '')
  }
  const footers: Footer[] = []
  for (const paragraph of footerParagraphs) {
    for (const line of paragraph.split('\n')) {
      const match = FOOTER.exec(line)
      if (match) footers.push({token: match[1] ?? '', value: (match[2] ?? '').trim()})
      else if (footers.length > 0) footers[footers.length - 1]!.value += `\n${line}`
    }
  }
  return footers
}

function issueNumbers(value: string): number[] {
  return [...value.matchAll(/#(\d+)/g)].map((m) => Number(m[1]))
}

/** Parses one commit (sha, subject line, body) into its conventional-commit parts. */
export function parseCommit(sha: string, subject: string, body = ''): ParsedCommit {
  // Most bodies are empty or prose: skip the footer split unless a line could be a footer.
  const footers = body.length > 0 && (body.includes(': ') || body.includes(' #')) ? parseFooters(body) : NONE
  const header = HEADER.exec(subject)
  let refs: number[] = NONE
  let breakingNotes: string[] = NONE
  let flowChange: Bump | undefined
  if (footers.length > 0) {
    refs = []
    breakingNotes = []
  }
  for (const footer of footers) {
    const token = footer.token.toLowerCase()
    if (token === 'breaking change' || token === 'breaking-change') breakingNotes.push(footer.value)
    else if (ISSUE_FOOTERS.has(token)) refs.push(...issueNumbers(footer.value))
    else if (token === 'flow-change') {
      const value = footer.value.trim().toLowerCase()
      if (value === 'major' || value === 'minor' || value === 'patch') flowChange = value
    }
  }
  const text = header ? header[4] ?? '' : subject
  const hasPr = text.endsWith(')') && text.includes('(#')
  const prMatch = hasPr ? PR.exec(text) : null
  const description = prMatch ? text.slice(0, prMatch.index).trim() : text.trim()
  const bang = header?.[3] === '!'
  if (bang && breakingNotes.length === 0) breakingNotes = [description]
  const commit: ParsedCommit = {sha, subject, conventional: header !== null, description, breaking: breakingNotes.length > 0, breakingNotes, footers, refs}
  if (header) commit.type = (header[1] ?? '').toLowerCase()
  if (header?.[2]) commit.scope = header[2].trim()
  if (prMatch) commit.pr = Number(prMatch[1])
  if (flowChange) commit.flowChange = flowChange
  return commit
}

const RANK: Record<Bump, number> = {patch: 1, minor: 2, major: 3}

/** The larger of two bumps (undefined counts as none). */
export function maxBump(a: Bump | undefined, b: Bump | undefined): Bump | undefined {
  if (!a) return b
  if (!b) return a
  return RANK[a] >= RANK[b] ? a : b
}

/**
 * The bump one commit asks for: breaking → major, feat → minor, any other conventional type → patch;
 * a `Flow-Change` trailer raises it (never lowers a breaking change). Non-conventional commits without
 * the trailer ask for nothing.
 */
export function commitBump(commit: ParsedCommit): Bump | undefined {
  let bump: Bump | undefined
  if (commit.breaking) bump = 'major'
  else if (commit.type === 'feat') bump = 'minor'
  else if (commit.conventional) bump = 'patch'
  return maxBump(bump, commit.flowChange)
}
