import {access} from 'node:fs/promises'
import {availableParallelism} from 'node:os'
import {resolve} from 'node:path'
import {FlowError} from '../errors.js'
import type {Clock, Git} from '../ports.js'
import {redact} from '../redact.js'

/** One entry of a git tree. */
export interface TreeEntry {
  mode: string
  type: 'blob' | 'tree' | 'commit'
  sha: string
  name: string
}

/** One object read by `cat-file --batch`. */
export interface GitObject {
  sha: string
  type: string
  content: Buffer
}

/** The commit a ref points at, or null when the ref does not exist. */
export async function readRef(git: Git, ref: string): Promise<string | null> {
  const result = await git.exec(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])
  return result.exitCode === 0 && result.stdout ? result.stdout.trim() : null
}

/** True when commit `ancestor` is reachable from commit `descendant` (or equal to it). */
export async function isAncestor(git: Git, ancestor: string, descendant: string): Promise<boolean> {
  if (ancestor === descendant) return true
  const result = await git.exec(['merge-base', '--is-ancestor', ancestor, descendant])
  if (result.exitCode > 1) throw gitFailure('merge-base', result.stderr)
  return result.exitCode === 0
}

/** Reads many objects (`<sha>` or `<rev>:<path>`) through ONE `git cat-file --batch`; undefined for a missing one. */
export async function catFileBatch(git: Git, names: string[]): Promise<Array<GitObject | undefined>> {
  const objects: Array<GitObject | undefined> = new Array(names.length).fill(undefined)
  await catFileEach(git, names, (i, out, start, end, headerStart) => {
    const [sha = '', type = ''] = out.toString('latin1', headerStart, start - 1).split(' ')
    objects[i] = {sha, type, content: out.subarray(start, end)}
  })
  return objects
}

/** From how many names a read is split over several `cat-file` processes (one per core, up to 4). */
export const PARALLEL_CAT_FILE_FROM = 4000

/** How many `cat-file` processes read `count` objects: one per core (up to 4) for thousands, else one. */
export function catFileProcesses(count: number): number {
  return count < PARALLEL_CAT_FILE_FROM ? 1 : Math.max(1, Math.min(4, availableParallelism()))
}

/**
 * Reads many objects through `git cat-file --batch` and hands each found one to `visit` as a span of the output
 * bytes (no copy, no string); its header line (`<sha> <type> <size>`) runs from headerStart to start - 1. Missing
 * ones are skipped. Up to a few thousand names take ONE process; a whole record collection (100,000 events) is
 * split into contiguous slices read by one process per core at the same time (resolving packed deltas is git's
 * CPU work, and it halves with two), each slice walked as soon as its process is done; `parallel: false` keeps one
 * process (a caller that already runs several).
 */
export async function catFileEach(
  git: Git,
  names: string[],
  visit: (index: number, out: Buffer, start: number, end: number, headerStart: number) => void,
  options: {parallel?: boolean} = {},
): Promise<void> {
  if (names.length === 0) return
  checkObjectNames(names)
  const slices = options.parallel === false ? 1 : catFileProcesses(names.length)
  const size = Math.ceil(names.length / slices)
  const reads: Array<Promise<void>> = []
  for (let from = 0; from < names.length; from += size) {
    const part = names.slice(from, from + size)
    reads.push(catFileOutput(git, part).then((out) => eachBatchObject(out, part.length, (i, bytes, start, end, headerStart) => visit(from + i, bytes, start, end, headerStart))))
  }
  await Promise.all(reads)
}

/**
 * Reads blobs that each hold one JSON value (record events) through ONE `git cat-file --batch` whose header lines
 * (`%(rest)`: "[" before the first blob, "," before the others) make its whole output one JSON array: a single
 * JSON.parse for thousands of blobs, where a string and a parse each cost far more in garbage. Undefined when
 * the output is not such an array (a missing object, a blob that is not one JSON value): read them one by one then.
 */
export async function catFileJson(git: Git, names: string[]): Promise<unknown[] | undefined> {
  if (names.length === 0) return []
  checkObjectNames(names)
  const out = await catFileOutput(git, names, `${names.map((name, i) => `${name} ${i === 0 ? '[' : ','}`).join('\n')}\n`, '%(rest)')
  try {
    const values: unknown = JSON.parse(`${out.toString('utf8')}]`)
    return Array.isArray(values) && values.length === names.length ? values : undefined
  } catch {
    return undefined
  }
}

/** A name with a line break would shift every answer after it. */
function checkObjectNames(names: readonly string[]): void {
  for (const name of names) {
    if (name.includes('\n') || name.includes('\r')) throw new FlowError('RECORDS_INVALID', `Invalid object name ${JSON.stringify(name)}`)
  }
}

/** The raw output of one `git cat-file --batch[=format]` over names (checked for line breaks by the caller). */
async function catFileOutput(git: Git, names: string[], input = `${names.join('\n')}\n`, format?: string): Promise<Buffer> {
  const large = names.length > 100
  const args = ['cat-file', format === undefined ? '--batch' : `--batch=${format}`, ...(large ? ['--buffer'] : [])]
  if (git.execBytes) {
    const result = await git.execBytes(args, {input, large})
    if (result.exitCode !== 0) throw gitFailure('cat-file', result.stderr)
    return result.stdout
  }
  const result = await git.exec(args, {input, raw: true, encoding: 'latin1', large})
  if (result.exitCode !== 0) throw gitFailure('cat-file', result.stderr)
  return Buffer.from(result.stdout, 'latin1')
}

/** Walks the output of `cat-file --batch` for `count` names (see catFileEach). */
function eachBatchObject(out: Buffer, count: number, visit: (index: number, out: Buffer, start: number, end: number, headerStart: number) => void): void {
  let pos = 0
  for (let i = 0; i < count; i++) {
    const eol = out.indexOf(0x0a, pos)
    if (eol < 0) throw gitFailure('cat-file', 'truncated output')
    // "<sha> <type> <size>", or "<name> missing": the size read digit by digit (a regex or a string per object
    // costs over 100,000 objects).
    const s1 = out.indexOf(0x20, pos)
    const s2 = s1 < 0 || s1 > eol ? -1 : out.indexOf(0x20, s1 + 1)
    let size = s2 < 0 || s2 > eol || s2 + 1 === eol ? -1 : 0
    for (let k = s2 + 1; size >= 0 && k < eol; k++) {
      const digit = out[k]! - 0x30
      size = digit >= 0 && digit <= 9 ? size * 10 + digit : -1
    }
    if (size < 0 || s1 - pos < 40) {
      pos = eol + 1
      continue
    }
    const start = eol + 1
    if (start + size > out.length) throw gitFailure('cat-file', 'truncated output')
    visit(i, out, start, start + size, pos)
    pos = start + size + 1
  }
}

/** Parses the binary form of a tree object. */
export function parseTree(content: Buffer, hashBytes = 20): TreeEntry[] {
  const entries: TreeEntry[] = []
  let pos = 0
  while (pos < content.length) {
    const space = content.indexOf(0x20, pos)
    const nul = content.indexOf(0x00, space)
    if (space < 0 || nul < 0) throw new FlowError('RECORDS_INVALID', 'A tree object on the records branch is malformed')
    const mode = content.toString('latin1', pos, space)
    const name = content.toString('utf8', space + 1, nul)
    const sha = content.toString('hex', nul + 1, nul + 1 + hashBytes)
    pos = nul + 1 + hashBytes
    entries.push({mode, type: mode === '40000' ? 'tree' : mode === '160000' ? 'commit' : 'blob', sha, name})
  }
  return entries
}

/** Writes many trees through ONE `git mktree --batch`; returns their ids in order. */
export async function mktreeBatch(git: Git, trees: TreeEntry[][]): Promise<string[]> {
  if (trees.length === 0) return []
  const input = trees.map((entries) => entries.map((e) => `${e.mode.padStart(6, '0')} ${e.type} ${e.sha}\t${e.name}\0`).join('')).join('\0')
  const result = await git.exec(['mktree', '-z', '--batch'], {input: `${input}\0`})
  if (result.exitCode !== 0) throw gitFailure('mktree', result.stderr)
  const shas = result.stdout.split('\n').filter(Boolean)
  if (shas.length !== trees.length) throw gitFailure('mktree', `wrote ${shas.length} trees, expected ${trees.length}`)
  return shas
}

/** A file to place in a tree, by path. */
export interface TreeFile {
  path: string
  sha: string
  mode?: string
}

/**
 * Writes the tree of `base` (a commit, or null for an empty tree) with `files` added, rebuilding only the
 * directories on their paths: one `cat-file --batch` to read them, one `mktree --batch` per depth.
 */
export async function addFilesToTree(git: Git, base: string | null, files: TreeFile[]): Promise<string> {
  const dirs = new Map<string, Map<string, TreeEntry>>([['', new Map()]])
  for (const file of files) {
    const parts = file.path.split('/')
    for (let depth = 1; depth < parts.length; depth++) dirs.set(parts.slice(0, depth).join('/'), new Map())
  }
  const dirNames = [...dirs.keys()]
  const depthOf = (d: string) => (d === '' ? 0 : d.split('/').length)
  const maxDepth = Math.max(...dirNames.map(depthOf))
  if (base) await readDirs(git, base, dirs, maxDepth)
  for (const file of files) {
    const slash = file.path.lastIndexOf('/')
    const entries = dirs.get(slash < 0 ? '' : file.path.slice(0, slash))!
    const name = file.path.slice(slash + 1)
    const existing = entries.get(name)
    if (existing && existing.sha !== file.sha) {
      throw new FlowError('RECORDS_CONFLICT', `${file.path} already exists on the records branch with other content`, {
        hint: 'Event files are never rewritten; this means two events share an id.',
      })
    }
    entries.set(name, {mode: file.mode ?? '100644', type: 'blob', sha: file.sha, name})
  }
  for (let depth = maxDepth; depth >= 0; depth--) {
    const level = dirNames.filter((d) => depthOf(d) === depth)
    const shas = await mktreeBatch(git, level.map((d) => [...dirs.get(d)!.values()]))
    level.forEach((d, i) => {
      if (d === '') return
      const slash = d.lastIndexOf('/')
      const name = d.slice(slash + 1)
      dirs.get(slash < 0 ? '' : d.slice(0, slash))!.set(name, {mode: '40000', type: 'tree', sha: shas[i]!, name})
    })
    if (depth === 0) return shas[0]!
  }
  throw new Error('unreachable: the root tree is always written')
}

/**
 * Fills `dirs` (directory path → entries) with the existing entries of those directories in `base`, reading
 * one depth at a time by object id: `<rev>:<path>` lookups would re-walk big trees once per directory.
 */
async function readDirs(git: Git, base: string, dirs: Map<string, Map<string, TreeEntry>>, maxDepth: number): Promise<void> {
  let level: Array<{path: string; name: string}> = [{path: '', name: `${base}^{tree}`}]
  for (let depth = 0; depth <= maxDepth && level.length > 0; depth++) {
    const objects = await catFileBatch(git, level.map((d) => d.name))
    const next: Array<{path: string; name: string}> = []
    objects.forEach((object, i) => {
      const dir = level[i]!.path
      if (!object) return
      if (object.type !== 'tree') throw new FlowError('RECORDS_INVALID', `${dir} on the records branch is a file, not a directory`)
      const entries = dirs.get(dir)!
      for (const entry of parseTree(object.content, object.sha.length / 2)) {
        entries.set(entry.name, entry)
        const child = dir === '' ? entry.name : `${dir}/${entry.name}`
        if (dirs.has(child)) {
          if (entry.type !== 'tree') throw new FlowError('RECORDS_INVALID', `${child} on the records branch is a file, not a directory`)
          next.push({path: child, name: entry.sha})
        }
      }
    })
    level = next
  }
}

/** Every file of a commit's tree under `prefix` (all of it when empty), from one `ls-tree -r`. */
export async function listFiles(git: Git, commit: string, prefix = ''): Promise<TreeFile[]> {
  const args = ['ls-tree', '-r', '-z', '--full-tree', commit]
  if (prefix) args.push('--', prefix)
  const result = await git.exec(args, {raw: true})
  if (result.exitCode !== 0) throw gitFailure('ls-tree', result.stderr)
  const files: TreeFile[] = []
  for (const line of result.stdout.split('\0')) {
    if (!line) continue
    const tab = line.indexOf('\t')
    const [mode, type, sha] = line.slice(0, tab).split(' ')
    if (type === 'blob') files.push({path: line.slice(tab + 1), sha: sha!, mode: mode!})
  }
  return files
}

/** Author and committer for record commits: the repository's identity, else `flow <flow@localhost>`. */
export interface CommitIdentity {
  /** Environment for `commit-tree` that fills in whatever identity git lacks. */
  env: Record<string, string>
  /** The user's email when git knows one (`user.email`, else the author identity). */
  email?: string
}

/** Resolves who record commits are written as, without ever letting git guess from the host name. */
export async function resolveIdentity(git: Git): Promise<CommitIdentity> {
  const [configured, author, committer] = await Promise.all([
    git.exec(['config', 'user.email']),
    git.exec(['-c', 'user.useConfigOnly=true', 'var', 'GIT_AUTHOR_IDENT']),
    git.exec(['-c', 'user.useConfigOnly=true', 'var', 'GIT_COMMITTER_IDENT']),
  ])
  const env: Record<string, string> = {}
  if (author.exitCode !== 0) Object.assign(env, {GIT_AUTHOR_NAME: 'flow', GIT_AUTHOR_EMAIL: 'flow@localhost'})
  if (committer.exitCode !== 0) Object.assign(env, {GIT_COMMITTER_NAME: 'flow', GIT_COMMITTER_EMAIL: 'flow@localhost'})
  const authorEmail = author.exitCode === 0 ? /<([^>]*)>/.exec(author.stdout)?.[1] : undefined
  const email = configured.stdout.trim() || authorEmail || undefined
  return {env, email}
}

/** Writes a commit object with the given tree and parents, dated by the clock. */
export async function writeCommit(git: Git, input: {tree: string; parents: string[]; message: string; identity: CommitIdentity; clock: Clock}): Promise<string> {
  const date = `@${Math.floor(input.clock.now().getTime() / 1000)} +0000`
  const args = ['commit-tree', input.tree]
  for (const parent of input.parents) args.push('-p', parent)
  args.push('-F', '-')
  const result = await git.exec(args, {
    input: `${redact(input.message)}\n`,
    env: {...input.identity.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date},
  })
  if (result.exitCode !== 0) throw gitFailure('commit-tree', result.stderr)
  return result.stdout.trim()
}

/**
 * Moves a ref from `expected` (null: must not exist) to `next` atomically; false when someone else moved it
 * (or holds its lock) first. Any other failure, such as a branch `flow` in the way, throws.
 */
export async function compareAndSwapRef(git: Git, ref: string, next: string, expected: string | null, reason: string): Promise<boolean> {
  const result = await git.exec(['update-ref', '-m', reason, ref, next, expected ?? ''])
  if (result.exitCode === 0) return true
  if (/\.lock'?:? File exists|Unable to create .*\.lock/i.test(result.stderr)) return false
  if ((await readRef(git, ref)) !== expected) return false
  throw gitFailure('update-ref', result.stderr)
}

/** How many times (25 ms apart) a ref's lock file is checked before it is taken for one left by a killed process. */
const LOCK_CHECKS = 40

/**
 * After a failed compare-and-swap: waits (about a second) for the ref's lock file to go away, and returns the
 * error to give when it stays. git never removes the lock of a process SIGKILLed while updating the ref, so
 * retrying cannot help then; a live git holds it for milliseconds. Undefined when there is no lock (a real race).
 */
export async function staleRefLock(git: Git, ref: string): Promise<FlowError | undefined> {
  const where = await git.exec(['rev-parse', '--git-path', `${ref}.lock`])
  if (where.exitCode !== 0 || !where.stdout) return undefined
  const path = resolve(git.cwd, where.stdout.trim())
  for (let check = 0; check < LOCK_CHECKS; check++) {
    if (!(await access(path).then(() => true, () => false))) return undefined
    await new Promise((done) => setTimeout(done, 25))
  }
  return new FlowError('GIT_FAILED', `${ref.replace(/^refs\/heads\//, '')} is locked by ${path}`, {
    hint: `Another git process is updating it, or one was killed while doing so. If no git process is running here, remove ${path}, then try again (or run flow continue).`,
    details: {ref, lock: path},
  })
}

/** A GIT_FAILED error for a plumbing command, one line. */
export function gitFailure(command: string, stderr: string): FlowError {
  const detail = redact(stderr.trim().split('\n').filter(Boolean).slice(-2).join(' / '))
  return new FlowError('GIT_FAILED', `git ${command} failed on the records branch: ${detail || 'no output'}`, {
    hint: 'Run git fsck to check the repository, or add --debug.',
  })
}
