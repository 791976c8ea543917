import type {Git} from '../core/ports.js'

/** Ref values by full name; null when the ref does not exist. */
export type RefSnapshot = Record<string, string | null>

/**
 * Reads the values of some refs in one `git for-each-ref` call, plus one rev-parse per name outside refs/ (like
 * HEAD), all at the same time.
 */
export async function snapshotRefs(git: Git, refs: string[]): Promise<RefSnapshot> {
  const names = [...new Set(refs)]
  const out: RefSnapshot = {}
  for (const name of names) out[name] = null
  const full = names.filter((n) => n.startsWith('refs/'))
  const others = names.filter((n) => !n.startsWith('refs/'))
  const [listed, resolved] = await Promise.all([
    full.length > 0 ? git.run(['for-each-ref', '--format=%(objectname) %(refname)', '--', ...full]) : '',
    Promise.all(others.map((name) => git.exec(['rev-parse', '--verify', '-q', name]))),
  ])
  for (const line of listed.split('\n')) {
    const space = line.indexOf(' ')
    const name = line.slice(space + 1)
    // for-each-ref also lists refs below a pattern (refs/heads/a/b for refs/heads/a): keep exact names only.
    if (space > 0 && name in out) out[name] = line.slice(0, space)
  }
  others.forEach((name, i) => {
    const result = resolved[i]!
    out[name] = result.exitCode === 0 && result.stdout ? result.stdout : null
  })
  return out
}

/** What is checked out: the branch (short name, as `git symbolic-ref --short HEAD` gives it; null when detached). */
export interface HeadState {
  branch: string | null
  /** HEAD's commit; null on an unborn branch. */
  head: string | null
}

/** The branch checked out and HEAD's commit, in one git call (two on an unborn branch). */
export async function headState(git: Git): Promise<HeadState> {
  // The same rule of shortening as `symbolic-ref --short` (loose); a detached HEAD's full name is HEAD itself.
  const result = await git.exec(['rev-parse', 'HEAD', '--symbolic-full-name', 'HEAD', '--abbrev-ref=loose', 'HEAD'])
  const [head, full, short] = result.stdout.split('\n')
  if (result.exitCode === 0 && head && full && short) return {head, branch: full === 'HEAD' ? null : short}
  const [branch, sha] = await Promise.all([git.exec(['symbolic-ref', '-q', '--short', 'HEAD']), git.exec(['rev-parse', '-q', '--verify', 'HEAD'])])
  return {branch: branch.exitCode === 0 && branch.stdout ? branch.stdout : null, head: sha.exitCode === 0 && sha.stdout ? sha.stdout : null}
}

/** The branch checked out (full name), or null when HEAD is detached. */
export async function headRef(git: Git): Promise<string | null> {
  const result = await git.exec(['symbolic-ref', '-q', 'HEAD'])
  return result.exitCode === 0 && result.stdout ? result.stdout : null
}

/** True when the work tree and index have no changes to tracked files. */
export async function isClean(git: Git): Promise<boolean> {
  const result = await git.exec(['status', '--porcelain', '--untracked-files=no'])
  return result.exitCode === 0 && result.stdout.trim() === ''
}

/** The outcome of putting one ref back. */
export type RestoreOutcome = {ref: string; ok: true; note?: string} | {ref: string; ok: false; reason: string}

const short = (sha: string | null) => (sha ? sha.slice(0, 7) : 'missing')

/**
 * Puts a ref back to the value it had before a step, compare-and-swap against the value the step left
 * (`after`; undefined when the step was interrupted and never recorded it); refuses when someone moved it since.
 */
export async function restoreRef(
  git: Git,
  ref: string,
  before: string | null,
  after: string | null | undefined,
  /** Moves HEAD off a branch that must be deleted (to where the run started); true when it did. */
  leave?: () => Promise<boolean>,
): Promise<RestoreOutcome> {
  const current = (await snapshotRefs(git, [ref]))[ref] ?? null
  if (current === before) return {ref, ok: true, note: 'already as before'}
  if (after !== undefined && current !== after) {
    return {ref, ok: false, reason: `${ref} moved since flow changed it (now ${short(current)}, flow left ${short(after)}); left as it is`}
  }
  if (ref.startsWith('refs/') && (await headRef(git)) === ref && !(before === null && leave && (await leave()))) {
    if (before === null) return {ref, ok: false, reason: `${ref} is checked out, so it was not deleted; switch to another branch and delete it yourself`}
    if (!(await isClean(git))) return {ref, ok: false, reason: `${ref} is checked out with uncommitted changes, so it was not moved back to ${short(before)}`}
    // Moving the checked-out branch must move the work tree with it; --keep refuses to lose local changes.
    const reset = await git.exec(['reset', '-q', '--keep', before])
    if (reset.exitCode !== 0) return {ref, ok: false, reason: `could not move the checked-out ${ref} back to ${short(before)}: ${reset.stderr.trim()}`}
    return {ref, ok: true}
  }
  const args = before === null ? ['update-ref', '-d', ref, current ?? ''] : ['update-ref', ref, before, current ?? '']
  const result = await git.exec(args)
  if (result.exitCode !== 0) return {ref, ok: false, reason: `could not restore ${ref}: ${result.stderr.trim() || `exit ${result.exitCode}`}`}
  return {ref, ok: true}
}
