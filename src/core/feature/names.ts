import {FlowError} from '../errors.js'

/** Characters that a shell would interpret; flow never runs names through a shell, but refuses them up front. */
const HOSTILE = /[;&|`$<>(){}\\'"!*?[\]#~]/

/** Refuses a user-given name (branch name, `--base`) with shell metacharacters, a leading dash, or control characters. */
export function checkName(name: string, what: string, options: {spaces?: boolean} = {}): void {
  if (name.length === 0) throw new FlowError('USAGE', `The ${what} is empty`, {hint: 'Give a short name such as login-form.'})
  if (name.startsWith('-')) throw new FlowError('USAGE', `The ${what} ${JSON.stringify(name)} starts with a dash`, {hint: 'Names cannot start with "-" (git would read them as options).'})
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new FlowError('USAGE', `The ${what} ${JSON.stringify(name)} contains a newline or another control character`, {hint: 'Use letters, digits, "-", "_", "." and "/".'})
  if (HOSTILE.test(name) || (!options.spaces && /\s/.test(name))) throw new FlowError('USAGE', `The ${what} ${JSON.stringify(name)} contains characters that are not allowed in branch names here`, {hint: 'Use letters, digits, "-", "_", "." and "/" (no spaces or shell characters such as ; $ ` |).'})
}

/** A lowercase, dash-separated slug of free text (`Login Form!` → `login-form`). */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '')
}

/** Values for a branch name template. */
export interface BranchNameValues {
  name: string
  issue?: string
  user?: string
  date?: Date
  version?: string
}

/** Fills a branch template (`feature/{slug}`); each value is slugged, so no placeholder can inject ref syntax. */
export function renderBranchName(template: string, values: BranchNameValues): string {
  const slug = values.name.split('/').map(slugify).filter(Boolean).join('/')
  const table: Record<string, string | undefined> = {
    slug,
    issue: values.issue === undefined ? undefined : slugify(values.issue),
    user: values.user === undefined ? undefined : slugify(values.user),
    date: values.date?.toISOString().slice(0, 10),
    // Only what git allows in a ref component: no "..", no leading "-" or ".", no trailing "." or ".lock".
    version: values.version?.replace(/[^0-9A-Za-z.+-]/g, '').replace(/\.{2,}/g, '.').replace(/^[.+-]+/, '').replace(/(?:\.lock)+$|\.+$/g, ''),
  }
  if (!slug && template.includes('{slug}')) throw new FlowError('USAGE', `The name ${JSON.stringify(values.name)} has no letters or digits to make a branch name from`, {hint: 'Give a short name such as login-form.'})
  const out = template.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = table[key]
    if (!value) {
      const flag = key === 'issue' ? ' (pass --issue N)' : ''
      throw new FlowError('USAGE', `The branch template ${template} needs {${key}}, which has no value here${flag}`, {hint: 'Give the missing value, or change branches in flow.yml.'})
    }
    return value
  })
  return out
}

/** One commit of a branch. */
export interface BranchCommit {
  sha: string
  subject: string
  body: string
}

const CONVENTIONAL = /^(\w+)(\([^)]*\))?(!)?: \S/

/** True when a subject follows Conventional Commits with one of `types`. */
export function isConventional(subject: string, types: string[]): boolean {
  const match = CONVENTIONAL.exec(subject)
  return Boolean(match && types.includes(match[1]!))
}

/** The pull request title: `--title`, else a single commit's subject, else one made from the branch name. */
export function pullRequestTitle(input: {title?: string; commits: BranchCommit[]; branch: string}): string {
  if (input.title?.trim()) return input.title.trim().split('\n')[0]!.trim()
  if (input.commits.length === 1) return input.commits[0]!.subject
  const last = input.branch.split('/').pop() ?? input.branch
  const words = last.replace(/[-_]+/g, ' ').trim()
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : input.branch
}

const COMMITS_START = '<!-- flow:commits -->'
const COMMITS_END = '<!-- /flow:commits -->'

/** The pull request body: the template, then the commit list in markers (replaced, not duplicated, on an update). */
export function pullRequestBody(input: {template?: string; commits: BranchCommit[]; previous?: string}): string {
  const list = input.commits.map((c) => `- ${c.subject} (${c.sha.slice(0, 7)})`).join('\n')
  const block = `${COMMITS_START}\n## Commits\n\n${list || '- (none yet)'}\n${COMMITS_END}`
  const base = input.previous ?? input.template ?? ''
  const start = base.indexOf(COMMITS_START)
  const end = base.indexOf(COMMITS_END)
  if (start >= 0 && end > start) return `${base.slice(0, start)}${block}${base.slice(end + COMMITS_END.length)}`
  const head = base.trimEnd()
  return head ? `${head}\n\n${block}\n` : `${block}\n`
}

/** How big a change is, for the release issue: breaking → major, feat → minor, anything else → patch. */
export type ChangeSize = 'major' | 'minor' | 'patch'

/** The change size of a set of commits, from their Conventional Commits headers and BREAKING CHANGE footers. */
export function changeSize(commits: Array<Pick<BranchCommit, 'subject' | 'body'>>): ChangeSize {
  let size: ChangeSize = 'patch'
  for (const c of commits) {
    const match = CONVENTIONAL.exec(c.subject)
    if (match?.[3] === '!' || /^BREAKING[ -]CHANGE: /m.test(c.body)) return 'major'
    if (match?.[1] === 'feat') size = 'minor'
  }
  return size
}

/** The squash commit message: the pull request title, a blank line, the commit list, and flow's trailers. */
export function squashMessage(input: {title: string; number: number; commits: BranchCommit[]}): string {
  const list = input.commits.map((c) => `* ${c.subject}`).join('\n')
  const trailers = `Flow-Change: ${changeSize(input.commits)}\nFlow-Pull-Request: #${input.number}`
  return `${input.title}\n\n${list ? `${list}\n\n` : ''}${trailers}\n`
}

/** Splits reviewers into users and `org/team` teams (GitHub's team_reviewers take the team slug). */
export function splitReviewers(reviewers: string[]): {users: string[]; teams: string[]} {
  const users: string[] = []
  const teams: string[] = []
  for (const r of reviewers.map((x) => x.replace(/^@/, ''))) {
    if (r.includes('/')) teams.push(r.split('/').pop()!)
    else users.push(r)
  }
  return {users, teams}
}
