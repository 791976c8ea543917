import {FlowError} from '../../core/errors.js'
import type {Git} from '../../core/ports.js'
import {redact} from '../../core/redact.js'
import {headState, restoreRef, snapshotRefs, type HeadState} from '../refs.js'
import type {StepKind} from '../types.js'

/** Input of `git.updateRef`: set a ref to a revision, optionally only if it still has `from` (null: only if missing). */
export interface UpdateRefInput {
  ref: string
  to: string
  from?: string | null
}

/** Input of `git.createBranch`. */
export interface CreateBranchInput {
  branch: string
  from: string
}

/** Input of `git.switchCreate`. */
export interface SwitchCreateInput {
  branch: string
  from: string
}

/** Input of `git.checkout`. */
export interface CheckoutInput {
  branch: string
}

/** Input of `git.fetch`. */
export interface FetchInput {
  remote: string
  refspecs: string[]
}

/** Input of `git.push`: each `src` (a revision, or empty to delete) goes to `dst` on the remote. */
export interface PushInput {
  remote: string
  refspecs: Array<{src: string; dst: string}>
  forceWithLease?: boolean
}

async function resolveRev(git: Git, rev: string): Promise<string> {
  const result = await git.exec(['rev-parse', '--verify', '-q', rev])
  if (result.exitCode !== 0 || !result.stdout) {
    throw new FlowError('GIT_FAILED', `${rev} does not name a commit in this repository`, {hint: 'Check the name with git rev-parse.'})
  }
  return result.stdout
}

async function currentBranch(git: Git): Promise<string | null> {
  const result = await git.exec(['symbolic-ref', '-q', '--short', 'HEAD'])
  return result.exitCode === 0 && result.stdout ? result.stdout : null
}

function refusing(name: string): void {
  if (name.startsWith('-')) throw new FlowError('USAGE', `${name} is not a valid name here`, {hint: 'Names cannot start with a dash.'})
}

/** Checks that a remote given by name (not by URL or path) is configured, for a clear error instead of git's. */
async function ensureRemote(git: Git, remote: string): Promise<void> {
  refusing(remote)
  if (/[/:\\]/.test(remote)) return
  if ((await git.exec(['remote', 'get-url', remote])).exitCode !== 0) {
    throw new FlowError('REMOTE_MISSING', `There is no remote named ${remote} in this repository`, {
      hint: `Add it with git remote add ${remote} URL (git remote -v lists the remotes).`,
    })
  }
}

/**
 * `git.updateRef`: moves or creates one ref (compare-and-swap when `from` is given); undone from the ref snapshot.
 * Not for the checked-out branch: it moves the ref without the work tree.
 */
export const updateRefStep: StepKind<UpdateRefInput> = {
  kind: 'git.updateRef',
  describe: (input) => `Set ${input.ref} to ${input.to}`,
  refs: (input) => [input.ref],
  async isDone(ctx, input) {
    const [current, wanted] = await Promise.all([snapshotRefs(ctx.git, [input.ref]), ctx.git.exec(['rev-parse', '--verify', '-q', input.to])])
    return wanted.exitCode === 0 && current[input.ref] === wanted.stdout
  },
  async run(ctx, input) {
    const sha = await resolveRev(ctx.git, input.to)
    const args = ['update-ref', '-m', `flow: set ${input.ref}`, input.ref, sha]
    if (input.from !== undefined) args.push(input.from === null ? '' : await resolveRev(ctx.git, input.from))
    await ctx.git.run(args)
    return {ref: input.ref, sha}
  },
}

/**
 * `git.createBranch`: creates a branch at a revision, without tracking; undone by deleting it. The commit is
 * resolved once, before the effect (a retry creates the branch where the first attempt would have).
 */
export const createBranchStep: StepKind<CreateBranchInput> = {
  kind: 'git.createBranch',
  describe: (input) => `Create branch ${input.branch} from ${input.from}`,
  refs: (input) => [`refs/heads/${input.branch}`],
  async isDone(ctx, input) {
    const ref = `refs/heads/${input.branch}`
    const [current, wanted] = await Promise.all([snapshotRefs(ctx.git, [ref]), ctx.git.exec(['rev-parse', '--verify', '-q', `${input.from}^{commit}`])])
    return wanted.exitCode === 0 && current[ref] === wanted.stdout
  },
  async prepare(ctx, input) {
    return {sha: await resolveRev(ctx.git, `${input.from}^{commit}`)}
  },
  async run(ctx, input) {
    refusing(input.branch)
    const sha = (ctx.prepared?.sha as string | undefined) ?? (await resolveRev(ctx.git, `${input.from}^{commit}`))
    await ctx.git.run(['branch', '--no-track', input.branch, sha])
    return {branch: input.branch, sha}
  },
}

/**
 * What is checked out (as headState gives it) and the commit a revision names (undefined when it names none), in
 * one `git rev-parse` when HEAD is born and the revision resolves, else as headState and resolveRev ask them.
 */
async function headAndCommit(git: Git, rev: string): Promise<{head: HeadState; sha: string | undefined}> {
  // The revision first: --symbolic-full-name and --abbrev-ref apply to every name after them.
  const result = await git.exec(['rev-parse', `${rev}^{commit}`, 'HEAD', '--symbolic-full-name', 'HEAD', '--abbrev-ref=loose', 'HEAD'])
  const [sha, head, full, short, ...more] = result.stdout.split('\n')
  if (result.exitCode === 0 && head && full && short && sha && /^[0-9a-f]{40,64}$/.test(sha) && more.length === 0) {
    return {head: {head, branch: full === 'HEAD' ? null : short}, sha}
  }
  const [state, commit] = await Promise.all([headState(git), git.exec(['rev-parse', '--verify', '-q', `${rev}^{commit}`])])
  return {head: state, sha: commit.exitCode === 0 && commit.stdout ? commit.stdout : undefined}
}

/**
 * `git.switchCreate`: creates a branch at a revision, without tracking, and switches to it (`git switch --no-track
 * -c`); undone by switching back to the branch (or commit) checked out before and deleting the branch. The commit
 * and the checkout are read once, before the effect. When the commit is the one checked out, the branch is created
 * from HEAD with no start point: git then leaves the index and the work tree alone, which already hold that commit
 * (with a start point, or with `git checkout`, git checks every file of the work tree, as long as a git status in a
 * large repository). HEAD moved by another process in the few milliseconds between the read and the switch would give
 * a branch at the new HEAD; the engine's snapshot after the step records where it really is.
 */
export const switchCreateStep: StepKind<SwitchCreateInput> = {
  kind: 'git.switchCreate',
  describe: (input) => `Create branch ${input.branch} from ${input.from} and switch to it`,
  refs: (input) => [`refs/heads/${input.branch}`],
  async isDone(ctx, input) {
    return (await headAndCommit(ctx.git, input.from)).head.branch === input.branch
  },
  async prepare(ctx, input) {
    const {head, sha} = await headAndCommit(ctx.git, input.from)
    return {sha: sha ?? (await resolveRev(ctx.git, `${input.from}^{commit}`)), previous: head.branch, head: head.head}
  },
  async run(ctx, input) {
    refusing(input.branch)
    const sha = (ctx.prepared?.sha as string | undefined) ?? (await resolveRev(ctx.git, `${input.from}^{commit}`))
    const here = ctx.prepared !== undefined && ctx.prepared.head === sha
    const result = await ctx.git.exec(['switch', '-q', '--no-track', '-c', input.branch, ...(here ? [] : [sha])])
    if (result.exitCode !== 0) {
      // An attempt killed after git created the branch but before it moved HEAD: the branch is there, at the commit.
      const ref = `refs/heads/${input.branch}`
      if ((await snapshotRefs(ctx.git, [ref]))[ref] !== sha) {
        const detail = redact((result.stderr || result.stdout).trim().split('\n').filter(Boolean).slice(-3).join(' / '))
        throw new FlowError('GIT_FAILED', `git switch failed: ${detail || `exit ${result.exitCode}`}`, {hint: 'Run the same git command yourself to see the whole message, or add --debug.'})
      }
      await ctx.git.run(['checkout', '-q', input.branch, '--'])
    }
    return {branch: input.branch, sha, previous: (ctx.prepared?.previous as string | null | undefined) ?? null}
  },
  async undo(ctx, input, entry) {
    const previous = (entry.prepared?.previous as string | null | undefined) ?? null
    const head = (entry.prepared?.head as string | null | undefined) ?? null
    if ((await currentBranch(ctx.git)) === input.branch) {
      if (previous !== null) await ctx.git.run(['checkout', '-q', previous, '--'])
      else if (head !== null) await ctx.git.run(['checkout', '-q', '--detach', head, '--'])
    }
    const ref = `refs/heads/${input.branch}`
    const outcome = await restoreRef(ctx.git, ref, entry.refsBefore?.[ref] ?? null, entry.refsAfter ? entry.refsAfter[ref] : undefined)
    if (!outcome.ok) throw new FlowError('UNDO_IMPOSSIBLE', outcome.reason)
  },
}

/** `git.checkout`: switches to a branch; undone by switching back to the branch (or commit) checked out before. */
export const checkoutStep: StepKind<CheckoutInput> = {
  kind: 'git.checkout',
  describe: (input) => `Check out ${input.branch}`,
  refs: () => ['HEAD'],
  async prepare(ctx) {
    const [snapshot, previous] = await Promise.all([snapshotRefs(ctx.git, ['HEAD']), currentBranch(ctx.git)])
    return {previous, head: snapshot.HEAD ?? null}
  },
  async isDone(ctx, input) {
    return (await currentBranch(ctx.git)) === input.branch
  },
  async run(ctx, input) {
    refusing(input.branch)
    await ctx.git.run(['checkout', '-q', input.branch, '--'])
    return {branch: input.branch, previous: (ctx.prepared?.previous as string | null | undefined) ?? null}
  },
  async undo(ctx, input, entry) {
    const previous = (entry.prepared?.previous as string | null | undefined) ?? null
    const head = (entry.prepared?.head as string | null | undefined) ?? null
    const now = await currentBranch(ctx.git)
    if (previous !== null && now === previous) return
    if (now !== input.branch) {
      throw new FlowError('UNDO_IMPOSSIBLE', `HEAD is no longer on ${input.branch} (now ${now ?? 'detached'}), so ${previous ?? head ?? 'the previous checkout'} was not checked out again`)
    }
    if (previous !== null) await ctx.git.run(['checkout', '-q', previous, '--'])
    else if (head !== null) await ctx.git.run(['checkout', '-q', '--detach', head, '--'])
  },
}

function fetchDestinations(refspecs: string[]): string[] {
  return refspecs
    .map((spec) => spec.replace(/^\+/, '').split(':')[1] ?? '')
    .filter((dst) => dst.startsWith('refs/') && !dst.includes('*'))
}

/** `git.fetch`: fetches refspecs from a remote; undone by restoring the destination refs it moved. */
export const fetchStep: StepKind<FetchInput> = {
  kind: 'git.fetch',
  describe: (input) => `Fetch ${input.refspecs.join(' ')} from ${input.remote}`,
  refs: (input) => fetchDestinations(input.refspecs),
  async run(ctx, input) {
    await ensureRemote(ctx.git, input.remote)
    await ctx.git.run(['fetch', '-q', '--no-write-fetch-head', input.remote, ...input.refspecs])
    return {fetched: (await snapshotRefs(ctx.git, fetchDestinations(input.refspecs)))}
  },
}

async function fullDestination(git: Git, src: string, dst: string): Promise<string> {
  if (dst.startsWith('refs/')) return dst
  const tag = src && (await git.exec(['show-ref', '--verify', '-q', `refs/tags/${src}`])).exitCode === 0
  return tag ? `refs/tags/${dst}` : `refs/heads/${dst}`
}

/** The values of some refs on a remote, by full name (null when missing), in one `git ls-remote`. */
export async function remoteRefs(git: Git, remote: string, refs: string[]): Promise<Record<string, string | null>> {
  const out: Record<string, string | null> = {}
  for (const ref of refs) out[ref] = null
  const listed = await git.run(['ls-remote', '--refs', remote, ...refs])
  for (const line of listed.split('\n')) {
    const [sha, name] = line.split('\t')
    if (sha && name && name in out) out[name] = sha
  }
  return out
}

interface PushTarget {
  dst: string
  sha: string | null
}

async function pushTargets(git: Git, input: PushInput): Promise<PushTarget[]> {
  return Promise.all(input.refspecs.map(async ({src, dst}) => ({
    dst: await fullDestination(git, src, dst),
    sha: src ? await resolveRev(git, src) : null,
  })))
}

const short = (sha: string | null | undefined) => (sha ? sha.slice(0, 7) : 'missing')

/**
 * `git.push`: pushes revisions to a remote (with `--force-with-lease` against the values seen before when
 * asked); done when the remote already has them; undone by pushing the old values back, with a lease on
 * what was pushed so that a push by someone else since is never clobbered.
 */
export const pushStep: StepKind<PushInput> = {
  kind: 'git.push',
  describe: (input) => `Push ${input.refspecs.map((r) => (r.src ? `${r.src}:${r.dst}` : `:${r.dst} (delete)`)).join(', ')} to ${input.remote}${input.forceWithLease ? ' (force with lease)' : ''}`,
  refs: (input) => input.refspecs
    .filter((r) => r.dst.startsWith('refs/heads/') || !r.dst.startsWith('refs/'))
    .map((r) => `refs/remotes/${input.remote}/${r.dst.replace(/^refs\/heads\//, '')}`),
  async prepare(ctx, input) {
    await ensureRemote(ctx.git, input.remote)
    const targets = await pushTargets(ctx.git, input)
    return {old: await remoteRefs(ctx.git, input.remote, targets.map((t) => t.dst))}
  },
  async isDone(ctx, input) {
    await ensureRemote(ctx.git, input.remote)
    const targets = await pushTargets(ctx.git, input)
    const remote = await remoteRefs(ctx.git, input.remote, targets.map((t) => t.dst))
    if (!targets.every((t) => remote[t.dst] === t.sha)) return false
    return {pushed: targets}
  },
  async run(ctx, input) {
    await ensureRemote(ctx.git, input.remote)
    const targets = await pushTargets(ctx.git, input)
    const old = (ctx.prepared?.old ?? {}) as Record<string, string | null>
    const args = ['push', '--porcelain', '--no-verify']
    if (input.forceWithLease) for (const t of targets) args.push(`--force-with-lease=${t.dst}:${old[t.dst] ?? ''}`)
    args.push(input.remote, ...targets.map((t) => `${t.sha ?? ''}:${t.dst}`))
    await ctx.git.run(args)
    return {pushed: targets}
  },
  async undo(ctx, input, entry) {
    const old = (entry.prepared?.old ?? {}) as Record<string, string | null>
    const pushed = ((entry.output?.pushed as PushTarget[] | undefined) ?? (await pushTargets(ctx.git, input)))
    const remote = await remoteRefs(ctx.git, input.remote, pushed.map((t) => t.dst))
    const refused: string[] = []
    const args = ['push', '--porcelain', '--no-verify']
    const specs: string[] = []
    for (const t of pushed) {
      const before = old[t.dst] ?? null
      const now = remote[t.dst] ?? null
      if (now === before) continue
      if (now !== t.sha) {
        refused.push(`${t.dst} on ${input.remote} moved since flow pushed it (now ${short(now)}, flow pushed ${short(t.sha)}); left as it is`)
        continue
      }
      args.push(`--force-with-lease=${t.dst}:${t.sha ?? ''}`)
      specs.push(`${before ?? ''}:${t.dst}`)
    }
    if (specs.length > 0) await ctx.git.run([...args, input.remote, ...specs])
    if (refused.length > 0) throw new FlowError('UNDO_IMPOSSIBLE', refused.join('; '))
  },
}

/** Every generic git step kind. */
export const gitStepKinds: StepKind[] = [updateRefStep, createBranchStep, switchCreateStep, checkoutStep, fetchStep, pushStep]
