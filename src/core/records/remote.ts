import {FlowError} from '../errors.js'
import type {Clock, Git} from '../ports.js'
import {redact} from '../redact.js'
import {RECORDS_REF, remoteRecordsRef} from './layout.js'
import {
  addFilesToTree,
  compareAndSwapRef,
  gitFailure,
  isAncestor,
  listFiles,
  readRef,
  resolveIdentity,
  staleRefLock,
  writeCommit,
  type TreeFile,
} from './plumbing.js'

/** How many times a rejected push is retried (fetch, merge, push again). */
export const PUSH_ATTEMPTS = 5

/** What fetching the remote's records branch found. */
export interface FetchOutcome {
  /** True when the remote has a records branch. */
  fetched: boolean
  remoteTip: string | null
}

/** Fetches the remote's flow/records into a private ref; a remote without the branch clears that ref. */
export async function fetchRecords(git: Git, remote: string): Promise<FetchOutcome> {
  const tracking = remoteRecordsRef(remote)
  const result = await git.exec(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--no-recurse-submodules', remote, `+${RECORDS_REF}:${tracking}`])
  if (result.exitCode === 0) return {fetched: true, remoteTip: await readRef(git, tracking)}
  if (/couldn't find remote ref/i.test(result.stderr)) {
    await git.exec(['update-ref', '-d', tracking])
    return {fetched: false, remoteTip: null}
  }
  throw remoteError(remote, 'fetch from', result.stderr)
}

/** How the local branch took in the remote's events. */
export type MergeKind = 'none' | 'fast-forward' | 'merge'

/** What merging the fetched records did to the local branch. */
export interface MergeOutcome {
  merged: MergeKind
  before: string | null
  after: string | null
}

/** True when the local records branch already holds everything fetched from the remote. */
export async function localContainsRemote(git: Git, remote: string): Promise<boolean> {
  const remoteTip = await readRef(git, remoteRecordsRef(remote))
  if (!remoteTip) return true
  const local = await readRef(git, RECORDS_REF)
  return local !== null && (await isAncestor(git, remoteTip, local))
}

/**
 * Merges the fetched records into the local branch: fast-forward when one side contains the other, else a
 * merge commit with both parents whose tree is the union of both sides' event files (they never conflict).
 */
export async function mergeRecords(git: Git, clock: Clock, remote: string): Promise<MergeOutcome> {
  const remoteTip = await readRef(git, remoteRecordsRef(remote))
  for (let attempt = 1; attempt <= 10; attempt++) {
    const local = await readRef(git, RECORDS_REF)
    if (!remoteTip || (local && (await isAncestor(git, remoteTip, local)))) return {merged: 'none', before: local, after: local}
    let next = remoteTip
    let kind: MergeKind = 'fast-forward'
    if (local && !(await isAncestor(git, local, remoteTip))) {
      const tree = await mergeTrees(git, local, remoteTip)
      const identity = await resolveIdentity(git)
      next = await writeCommit(git, {tree, parents: [local, remoteTip], message: `flow: merge records from ${remote}`, identity, clock})
      kind = 'merge'
    }
    if (await compareAndSwapRef(git, RECORDS_REF, next, local, `flow: ${kind} records from ${remote}`)) return {merged: kind, before: local, after: next}
    const stale = await staleRefLock(git, RECORDS_REF)
    if (stale) throw stale
  }
  throw new FlowError('RECORDS_CONFLICT', 'flow/records kept moving while merging the remote records', {hint: 'Run flow records sync again.'})
}

/** The tree holding both commits' files: `git merge-tree --write-tree`, or a plain union where git is too old for it. */
export async function mergeTrees(git: Git, ours: string, theirs: string): Promise<string> {
  const result = await git.exec(['merge-tree', '--write-tree', '--allow-unrelated-histories', '--no-messages', ours, theirs])
  if (result.exitCode === 0) return result.stdout.split('\n')[0]!.trim()
  if (result.exitCode === 1) {
    const paths = result.stdout.split('\n').slice(1).filter(Boolean).map((l) => l.split('\t')[1] ?? l)
    throw new FlowError('RECORDS_CONFLICT', `The records of both sides disagree on ${paths[0] ?? 'a file'}`, {
      hint: 'Event files are never edited; someone changed flow/records by hand. Repair it with git, then sync again.',
      details: {paths},
    })
  }
  return unionTrees(git, ours, theirs)
}

/** The union of two commits' files written as a new tree; a path with two different contents is a conflict. */
export async function unionTrees(git: Git, ours: string, theirs: string): Promise<string> {
  const [a, b] = await Promise.all([listFiles(git, ours), listFiles(git, theirs)])
  const byPath = new Map<string, TreeFile>(a.map((f) => [f.path, f]))
  const added = b.filter((f) => {
    const mine = byPath.get(f.path)
    if (mine && mine.sha !== f.sha) throw new FlowError('RECORDS_CONFLICT', `The records of both sides disagree on ${f.path}`)
    return !mine
  })
  return addFilesToTree(git, ours, added)
}

/** What pushing the records branch did. */
export interface PushOutcome {
  pushed: boolean
  remoteAfter: string | null
  attempts: number
  /** True when a rejected push made it fetch and merge again. */
  remerged: boolean
}

/** True when the remote already has the local tip (or a descendant of it). */
export async function remoteHasLocal(git: Git, remote: string): Promise<boolean> {
  const local = await readRef(git, RECORDS_REF)
  if (!local) return true
  const result = await git.exec(['ls-remote', remote, RECORDS_REF])
  if (result.exitCode !== 0) return false
  const remoteTip = result.stdout.split('\t')[0]?.trim()
  if (!remoteTip) return false
  if (remoteTip === local) return true
  return (await readRef(git, remoteTip)) !== null && (await isAncestor(git, local, remoteTip))
}

/** Pushes flow/records (fast-forward only); a rejection fetches and merges again, up to PUSH_ATTEMPTS times. */
export async function pushRecords(git: Git, clock: Clock, remote: string): Promise<PushOutcome> {
  let remerged = false
  for (let attempt = 1; attempt <= PUSH_ATTEMPTS; attempt++) {
    const local = await readRef(git, RECORDS_REF)
    if (!local) return {pushed: false, remoteAfter: await readRef(git, remoteRecordsRef(remote)), attempts: attempt, remerged}
    // --no-verify: the records branch is data, and a pre-push hook that runs the quality gates has nothing to check here.
    const result = await git.exec(['push', '--porcelain', '--no-verify', remote, `${local}:${RECORDS_REF}`])
    const line = result.stdout.split('\n').find((l) => l.includes(`:${RECORDS_REF}`)) ?? ''
    if (result.exitCode === 0) {
      await git.exec(['update-ref', remoteRecordsRef(remote), local])
      return {pushed: !line.startsWith('='), remoteAfter: local, attempts: attempt, remerged}
    }
    // The remote's own compare-and-swap lost to a push that landed at the same moment: the same as a rejection.
    const lostRace = /\[remote rejected\].*(failed to update ref|failed to lock|cannot lock ref|incorrect old value)/.test(line)
    if (/\[remote rejected\]/.test(line) && !lostRace) {
      throw new FlowError('GIT_FAILED', `${remote} refused flow/records: ${redact(line.split('\t')[2] ?? 'rejected')}`, {
        hint: 'The remote protects this branch (a hook or a branch rule); allow pushes to flow/records there.',
      })
    }
    if (!lostRace && !/\[rejected\]|non-fast-forward|fetch first/.test(`${line}\n${result.stderr}`)) throw remoteError(remote, 'push to', result.stderr)
    await fetchRecords(git, remote)
    await mergeRecords(git, clock, remote)
    remerged = true
  }
  throw new FlowError('RECORDS_CONFLICT', `The push of flow/records to ${remote} was rejected ${PUSH_ATTEMPTS} times`, {
    hint: 'Others are pushing records right now; run flow records sync again in a moment.',
  })
}

/** A one-line error for a remote that could not be reached or refused the credentials. */
export function remoteError(remote: string, action: string, stderr: string): FlowError {
  const lines = stderr.trim().split('\n').map((l) => l.trim()).filter(Boolean)
  const first = lines.find((l) => /^(fatal|error):/.test(l)) ?? lines.at(-1)
  const detail = redact(first?.replace(/^(fatal|error):\s*/, '') ?? 'no output from git')
  if (/authentication failed|could not read (username|password)|terminal prompts disabled|returned error: 40[13]|permission denied|access denied/i.test(stderr)) {
    return new FlowError('FORGE_AUTH', `Could not ${action} ${remote}: authentication failed (${detail})`, {
      hint: 'Give git credentials for this remote (a credential helper, or a token for the URL), then run flow records sync again.',
    })
  }
  if (/does not appear to be a git repository|no such remote/i.test(stderr)) {
    return new FlowError('REMOTE_MISSING', `Could not ${action} ${remote}: ${detail}`, {hint: 'Check the remote URL with git remote -v.'})
  }
  return new FlowError('REMOTE_UNREACHABLE', `Could not ${action} ${remote}: ${detail}`, {
    hint: 'Check the network and the remote URL (git remote -v), then run flow records sync again (or flow continue).',
  })
}

/** Counts event files: all of them at `after`, and those added since `before`. */
export async function countEvents(git: Git, before: string | null, after: string | null): Promise<{added: number; total: number}> {
  if (!after) return {added: 0, total: 0}
  const isEvent = (path: string) => /^[^/]+\/[^/]+\/events\/[^/]+\.json$/.test(path)
  const total = (await listFiles(git, after)).filter((f) => isEvent(f.path)).length
  if (!before) return {added: total, total}
  if (before === after) return {added: 0, total}
  const diff = await git.exec(['diff-tree', '-r', '-z', '--no-renames', '--diff-filter=A', '--name-only', before, after], {raw: true})
  if (diff.exitCode !== 0) throw gitFailure('diff-tree', diff.stderr)
  return {added: diff.stdout.split('\0').filter((p) => p && isEvent(p)).length, total}
}
