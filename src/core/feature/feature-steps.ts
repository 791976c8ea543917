import {existsSync} from 'node:fs'
import {rm} from 'node:fs/promises'
import {redact} from '../redact.js'
import {FlowError} from '../errors.js'
import type {Git} from '../ports.js'
import type {StepKind} from '../../engine/types.js'
import {switchCreateStep, type SwitchCreateInput} from '../../engine/steps/git-steps.js'

/** Input of `git.setConfig`: sets (or with null unsets) one key of the repository's git config. */
export interface SetConfigInput {
  key: string
  value: string | null
}

/** Input of `git.stash` and `git.unstash`: the stash entry is found again by its message. */
export interface StashInput {
  message: string
}

/** Input of `git.deleteRef`. */
export interface DeleteRefInput {
  ref: string
}

/** Input of `feature.rebase`: brings `branch` onto `onto` (with `upstream`: `rebase --onto onto upstream`), or merges. */
export interface RebaseInput {
  branch: string
  onto: string
  upstream?: string
  mode: 'rebase' | 'merge'
}

/** Input of `feature.openPullRequest`: opens the pull request of `head`, or updates the open one. */
export interface OpenPullRequestInput {
  head: string
  base: string
  title: string
  body: string
  draft: boolean
}

/** Input of `feature.requestReview`: reviewers, labels and assignees of the open pull request of `head`. */
export interface RequestReviewInput {
  head: string
  reviewers: string[]
  teamReviewers: string[]
  labels: string[]
  assignees: string[]
}

/** Input of `feature.mergePullRequest`: merges through the forge, only if its head is still `sha`. */
export interface MergePullRequestInput {
  number: number
  method: 'merge' | 'squash' | 'rebase'
  sha?: string
  title: string
  message: string
}

/** Input of `feature.landLocal`: merges `branch` into `base` without a checkout, writing the result to `target`. */
export interface LandLocalInput {
  branch: string
  base: string
  target: string
  method: 'merge' | 'squash' | 'rebase'
  message: string
  /** What to merge when it is not the branch itself (a back-merge of main into develop). */
  source?: string
}

/** Input of `feature.retarget`: points the pull request `number` at a new base. */
export interface RetargetInput {
  number: number
  base: string
  from: string
}

async function configValue(git: Git, key: string): Promise<string | null> {
  const result = await git.exec(['config', '--local', '--get', key])
  return result.exitCode === 0 ? result.stdout : null
}

async function setConfig(git: Git, key: string, value: string | null): Promise<void> {
  const args = value === null ? ['config', '--local', '--unset-all', key] : ['config', '--local', key, value]
  // Worktrees share one config file: another flow (or git) writing it at the same moment holds config.lock
  // briefly, so a locked file is waited for (up to about two seconds) instead of pausing the run.
  for (let attempt = 0; ; attempt++) {
    const result = await git.exec(args)
    if (result.exitCode === 0 || (value === null && result.exitCode === 5)) return
    if (/could not lock config file/i.test(result.stderr) && attempt < 40) {
      await new Promise((r) => setTimeout(r, 25 + Math.floor(Math.random() * 25)))
      continue
    }
    throw new FlowError('GIT_FAILED', `git config ${key} failed: ${redact(result.stderr.trim()) || `exit ${result.exitCode}`}`, {hint: 'Run the same git config command yourself to see why.'})
  }
}

/** `git.setConfig`: one git config key; undone by restoring the value it had. */
export const setConfigStep: StepKind<SetConfigInput> = {
  kind: 'git.setConfig',
  describe: (input) => (input.value === null ? `Unset git config ${input.key}` : `Set git config ${input.key} to ${input.value}`),
  async prepare(ctx, input) {
    return {previous: await configValue(ctx.git, input.key)}
  },
  async isDone(ctx, input) {
    return (await configValue(ctx.git, input.key)) === input.value
  },
  async run(ctx, input) {
    await setConfig(ctx.git, input.key, input.value)
  },
  async undo(ctx, input, entry) {
    await setConfig(ctx.git, input.key, (entry.prepared?.previous as string | null | undefined) ?? null)
  },
}

/** Input of `feature.startBranch`: git.switchCreate's, and the parent recorded in `parentKey`. */
export interface StartBranchInput extends SwitchCreateInput {
  parentKey: string
  parent: string
}

/**
 * `feature.startBranch`: what `flow feature start` does to git in one step, `git.switchCreate` (create the branch,
 * switch to it) then `git.setConfig` of the parent key: one journal write and one check fewer than as two steps,
 * on the command run most often. Stopped between the two effects, the branch is there and checked out: a new
 * attempt finds it and only sets the key (switchCreate's run takes a branch already at the commit). Undone in
 * reverse: the branch as git.switchCreate undoes it, then the key back to the value it had.
 */
export const startBranchStep: StepKind<StartBranchInput> = {
  kind: 'feature.startBranch',
  describe: (input) => `Create branch ${input.branch} from ${input.from}, switch to it and record ${input.parent} as its parent`,
  refs: (input) => [`refs/heads/${input.branch}`],
  async isDone(ctx, input) {
    const [switched, parent] = await Promise.all([switchCreateStep.isDone!(ctx, input), configValue(ctx.git, input.parentKey)])
    return switched === true && parent === input.parent
  },
  async prepare(ctx, input) {
    const [switching, previousParent] = await Promise.all([switchCreateStep.prepare!(ctx, input), configValue(ctx.git, input.parentKey)])
    return {...switching, previousParent}
  },
  async run(ctx, input) {
    const output = await switchCreateStep.run(ctx, input)
    await setConfig(ctx.git, input.parentKey, input.parent)
    return output
  },
  async undo(ctx, input, entry) {
    // The branch first: when it cannot go (moved since), its parent key stays with it.
    if (switchCreateStep.undo) await switchCreateStep.undo(ctx, input, entry)
    await setConfig(ctx.git, input.parentKey, (entry.prepared?.previousParent as string | null | undefined) ?? null)
  },
}

async function stashIndex(git: Git, message: string): Promise<number> {
  const list = await git.run(['stash', 'list', '--format=%gs'])
  return list.split('\n').findIndex((line) => line.endsWith(`: ${message}`) || line === message)
}

async function stashPush(git: Git, message: string): Promise<void> {
  await git.run(['stash', 'push', '-q', '--include-untracked', '-m', message])
}

async function stashPop(git: Git, message: string): Promise<void> {
  const index = await stashIndex(git, message)
  if (index < 0) throw new FlowError('GIT_FAILED', `The stash entry "${message}" is gone`, {hint: 'git stash list shows what is left.'})
  const result = await git.exec(['stash', 'pop', '-q', `stash@{${index}}`])
  if (result.exitCode !== 0) {
    throw new FlowError('GIT_FAILED', `Restoring the stashed changes conflicted: ${result.stderr.trim() || result.stdout.trim()}`, {
      hint: `Resolve the files git status lists; the changes are kept in the stash as "${message}".`,
    })
  }
}

/** `git.stash`: stashes uncommitted changes (untracked files too) under a message; undone by popping them. */
export const stashStep: StepKind<StashInput> = {
  kind: 'git.stash',
  describe: (input) => `Stash uncommitted changes as "${input.message}"`,
  async isDone(ctx, input) {
    return (await stashIndex(ctx.git, input.message)) >= 0
  },
  async run(ctx, input) {
    await stashPush(ctx.git, input.message)
  },
  async undo(ctx, input) {
    if ((await stashIndex(ctx.git, input.message)) >= 0) await stashPop(ctx.git, input.message)
  },
}

/** `git.unstash`: restores the changes `git.stash` put away; undone by stashing them again. */
export const unstashStep: StepKind<StashInput> = {
  kind: 'git.unstash',
  describe: (input) => `Restore the stashed changes "${input.message}"`,
  async isDone(ctx, input) {
    return (await stashIndex(ctx.git, input.message)) < 0
  },
  async run(ctx, input) {
    await stashPop(ctx.git, input.message)
  },
  async undo(ctx, input) {
    if ((await stashIndex(ctx.git, input.message)) < 0) await stashPush(ctx.git, input.message)
  },
}

/** `git.deleteRef`: deletes a ref (a branch not checked out, a scratch ref); undone from the ref snapshot. */
export const deleteRefStep: StepKind<DeleteRefInput> = {
  kind: 'git.deleteRef',
  describe: (input) => `Delete ${input.ref}`,
  refs: (input) => [input.ref],
  async isDone(ctx, input) {
    return (await ctx.git.exec(['rev-parse', '--verify', '-q', input.ref])).exitCode !== 0
  },
  async run(ctx, input) {
    await ctx.git.run(['update-ref', '-m', 'flow: delete', '-d', input.ref])
  },
}

/** The files with unresolved conflicts in the work tree. */
export async function conflictedFiles(git: Git): Promise<string[]> {
  const out = await git.exec(['diff', '--name-only', '--diff-filter=U'])
  return out.stdout.split('\n').filter(Boolean)
}

async function rebaseInProgress(git: Git): Promise<boolean> {
  for (const dir of ['rebase-merge', 'rebase-apply']) {
    const path = await git.run(['rev-parse', '--path-format=absolute', '--git-path', dir])
    if (existsSync(path)) return true
  }
  return false
}

async function mergeInProgress(git: Git): Promise<boolean> {
  return (await git.exec(['rev-parse', '--verify', '-q', 'MERGE_HEAD'])).exitCode === 0
}

function conflictError(branch: string, onto: string, files: string[], how: string): FlowError {
  return new FlowError('GIT_FAILED', `Bringing ${branch} onto ${onto} stopped on a conflict in ${files.length} file(s): ${files.join(', ')}`, {
    hint: `Resolve the conflicts and git add the files (${how} by hand is fine too)`,
    details: {files},
  })
}

const EDITOR_ENV = {GIT_EDITOR: 'true', GIT_SEQUENCE_EDITOR: 'true'}

/**
 * `feature.rebase`: rebases (or merges) a branch onto its parent. A conflict pauses the run with the files listed;
 * continue finishes the rebase (also one the user continued or committed by hand). Undone from the ref snapshot.
 */
export const rebaseStep: StepKind<RebaseInput> = {
  kind: 'feature.rebase',
  describe: (input) => (input.mode === 'merge'
    ? `Merge ${input.onto} into ${input.branch}`
    : `Rebase ${input.branch} onto ${input.onto}${input.upstream ? ` (commits after ${input.upstream.slice(0, 12)})` : ''}`),
  refs: (input) => [`refs/heads/${input.branch}`],
  async isDone(ctx, input) {
    if ((await rebaseInProgress(ctx.git)) || (await mergeInProgress(ctx.git))) return false
    const contains = await ctx.git.exec(['merge-base', '--is-ancestor', input.onto, `refs/heads/${input.branch}`])
    if (contains.exitCode !== 0) return false
    // With --onto, the old parent tip must be gone from the branch too (else nothing was moved yet).
    if (!input.upstream) return true
    return (await ctx.git.exec(['merge-base', '--is-ancestor', input.upstream, `refs/heads/${input.branch}`])).exitCode !== 0
  },
  async run(ctx, input) {
    const git = ctx.git
    if (await rebaseInProgress(git)) {
      const left = await conflictedFiles(git)
      if (left.length > 0) throw conflictError(input.branch, input.onto, left, 'git rebase --continue')
      const result = await git.exec(['-c', 'core.editor=true', 'rebase', '--continue'], {env: EDITOR_ENV})
      if (result.exitCode !== 0) {
        const files = await conflictedFiles(git)
        if (files.length > 0) throw conflictError(input.branch, input.onto, files, 'git rebase --continue')
        throw new FlowError('GIT_FAILED', `git rebase --continue failed: ${result.stderr.trim() || result.stdout.trim()}`)
      }
      return
    }
    if (await mergeInProgress(git)) {
      const left = await conflictedFiles(git)
      if (left.length > 0) throw conflictError(input.branch, input.onto, left, 'git commit')
      await git.run(['commit', '-q', '--no-edit'], {env: EDITOR_ENV})
      return
    }
    await git.run(['checkout', '-q', input.branch, '--'])
    const args = input.mode === 'merge'
      ? ['merge', '-q', '--no-edit', input.onto]
      : ['rebase', '-q', ...(input.upstream ? ['--onto', input.onto, input.upstream] : [input.onto])]
    const result = await git.exec(args, {env: EDITOR_ENV})
    if (result.exitCode !== 0) {
      const files = await conflictedFiles(git)
      if (files.length > 0) throw conflictError(input.branch, input.onto, files, input.mode === 'merge' ? 'git commit' : 'git rebase --continue')
      throw new FlowError('GIT_FAILED', `git ${args.join(' ')} failed: ${result.stderr.trim() || result.stdout.trim()}`)
    }
  },
  async undo(ctx, input, entry) {
    if (await rebaseInProgress(ctx.git)) await ctx.git.run(['rebase', '--abort'])
    if (await mergeInProgress(ctx.git)) await ctx.git.run(['merge', '--abort'])
    const before = entry.refsBefore?.[`refs/heads/${input.branch}`]
    const head = await ctx.git.exec(['symbolic-ref', '-q', '--short', 'HEAD'])
    if (!before) return
    if (head.stdout === input.branch) await ctx.git.run(['reset', '-q', '--keep', before])
    else await ctx.git.run(['update-ref', `refs/heads/${input.branch}`, before])
  },
}

/** `feature.openPullRequest`: opens the pull request of a branch, or updates the open one (never a second). */
export const openPullRequestStep: StepKind<OpenPullRequestInput> = {
  kind: 'feature.openPullRequest',
  describe: (input) => `Open or update the pull request of ${input.head} into ${input.base}: ${JSON.stringify(input.title)}`,
  async prepare(ctx, input) {
    const existing = await (await ctx.forge()).findPullRequest({head: input.head, state: 'open'})
    return existing ? {existing: {number: existing.number, title: existing.title, body: existing.body, base: existing.base}} : {}
  },
  async isDone(ctx, input) {
    const pr = await (await ctx.forge()).findPullRequest({head: input.head, state: 'open'})
    if (!pr || pr.title !== input.title || pr.body !== input.body || pr.base !== input.base) return false
    return {number: pr.number, url: pr.url, created: false}
  },
  async run(ctx, input) {
    const forge = await ctx.forge()
    const pr = await forge.findPullRequest({head: input.head, state: 'open'})
    if (pr) {
      const updated = await forge.updatePullRequest(pr.number, {title: input.title, body: input.body, base: input.base})
      return {number: updated.number, url: updated.url, created: false}
    }
    const created = await forge.createPullRequest({head: input.head, base: input.base, title: input.title, body: input.body, draft: input.draft})
    return {number: created.number, url: created.url, created: true}
  },
  async undo(ctx, input, entry) {
    const forge = await ctx.forge()
    const existing = entry.prepared?.existing as {number: number; title: string; body: string; base: string} | undefined
    if (existing) {
      await forge.updatePullRequest(existing.number, {title: existing.title, body: existing.body, base: existing.base})
      return
    }
    const number = entry.output?.number as number | undefined
    if (number !== undefined) await forge.updatePullRequest(number, {state: 'closed'})
  },
}

/** `feature.requestReview`: asks reviewers and adds labels and assignees; GitHub keeps no undo for a request. */
export const requestReviewStep: StepKind<RequestReviewInput> = {
  kind: 'feature.requestReview',
  describe: (input) => {
    const parts = [
      input.reviewers.length + input.teamReviewers.length > 0 ? `request reviews from ${[...input.reviewers, ...input.teamReviewers.map((t) => `team ${t}`)].join(', ')}` : '',
      input.labels.length > 0 ? `label ${input.labels.join(', ')}` : '',
      input.assignees.length > 0 ? `assign ${input.assignees.join(', ')}` : '',
    ].filter(Boolean)
    return `Pull request of ${input.head}: ${parts.join('; ')}`
  },
  async run(ctx, input) {
    const forge = await ctx.forge()
    const pr = await forge.findPullRequest({head: input.head, state: 'open'})
    if (!pr) throw new FlowError('FORGE_NOT_FOUND', `No open pull request for ${input.head}`, {hint: 'Run flow feature submit again.'})
    await forge.updatePullRequestMeta(pr.number, {reviewers: input.reviewers, teamReviewers: input.teamReviewers, labels: input.labels, assignees: input.assignees})
    return {number: pr.number}
  },
  undo: false,
  cannotUndo: 'review requests, labels and assignees stay on the pull request (remove them on the forge)',
}

/** `feature.mergePullRequest`: merges a pull request through the forge with a head-sha guard; cannot be undone. */
export const mergePullRequestStep: StepKind<MergePullRequestInput> = {
  kind: 'feature.mergePullRequest',
  describe: (input) => `Merge pull request #${input.number} (${input.method}${input.sha ? `, only at ${input.sha.slice(0, 7)}` : ''})`,
  async isDone(ctx, input) {
    const pr = await (await ctx.forge()).getPullRequest(input.number)
    return pr.state === 'merged' ? {merged: true, ...(pr.mergeSha ? {sha: pr.mergeSha} : {})} : false
  },
  async run(ctx, input) {
    const result = await (await ctx.forge()).mergePullRequest(input.number, {method: input.method, ...(input.sha ? {sha: input.sha} : {}), title: input.title, message: input.message})
    if (!result.merged) throw new FlowError('FORGE_CONFLICT', `Pull request #${input.number} was not merged`, {hint: 'Look at it on the forge.'})
    return {merged: true, ...(result.sha ? {sha: result.sha} : {})}
  },
  undo: false,
  cannotUndo: 'a merged pull request stays merged (revert its commit to take the change back)',
}

/**
 * `feature.landLocal`: merges a branch into its base in plumbing (no checkout, so a base checked out in another
 * worktree is never touched): squash or merge commit via `merge-tree`, or a rebase onto a detached HEAD.
 * The result goes to `target`; undone from the ref snapshot.
 */
export const landLocalStep: StepKind<LandLocalInput> = {
  kind: 'feature.landLocal',
  describe: (input) => `${input.method === 'squash' ? 'Squash' : input.method === 'rebase' ? 'Rebase' : 'Merge'} ${input.branch} into ${input.base} (into ${input.target})`,
  refs: (input) => [input.target],
  async isDone(ctx, input) {
    const git = ctx.git
    const target = await git.exec(['rev-parse', '--verify', '-q', input.target])
    const base = await git.exec(['rev-parse', '--verify', '-q', `${input.base}^{commit}`])
    if (target.exitCode !== 0 || base.exitCode !== 0 || target.stdout === base.stdout) return false
    if ((await git.exec(['merge-base', '--is-ancestor', base.stdout, target.stdout])).exitCode !== 0) return false
    if (input.method === 'rebase') {
      const cherry = await git.exec(['cherry', target.stdout, input.source ?? `refs/heads/${input.branch}`])
      return cherry.exitCode === 0 && !cherry.stdout.split('\n').some((l) => l.startsWith('+'))
    }
    const subject = input.message.split('\n')[0]!
    const found = await git.exec(['log', '--format=%H', '--fixed-strings', `--grep=${subject}`, `${base.stdout}..${target.stdout}`])
    return found.stdout.trim() !== ''
  },
  async run(ctx, input) {
    const git = ctx.git
    const base = await git.run(['rev-parse', '--verify', `${input.base}^{commit}`])
    const head = await git.run(['rev-parse', '--verify', `${input.source ?? `refs/heads/${input.branch}`}^{commit}`])
    let sha: string
    if (input.method === 'rebase') {
      const commits = (await git.run(['rev-list', '--reverse', `${base}..${head}`])).split('\n').filter(Boolean)
      sha = base
      const index = await git.run(['rev-parse', '--path-format=absolute', '--git-path', `flow-land-${process.pid}.index`])
      const env = {GIT_INDEX_FILE: index}
      try {
        for (const commit of commits) {
          const parent = await git.run(['rev-parse', `${commit}^`])
          await git.run(['read-tree', sha], {env})
          const patch = await git.run(['diff', '--binary', '--full-index', parent, commit], {raw: true})
          const applied = patch ? await git.exec(['apply', '--cached', '--binary'], {env, input: patch}) : {exitCode: 0, stderr: ''}
          if (applied.exitCode !== 0) {
            throw new FlowError('POLICY_BLOCKED', `${input.branch} does not rebase cleanly onto ${input.base}: ${applied.stderr.trim().split('\n')[0]}`, {
              hint: 'Run flow feature sync, resolve the conflicts, push, then finish again.',
            })
          }
          const tree = await git.run(['write-tree'], {env})
          const message = await git.run(['log', '-1', '--format=%B', commit], {raw: true})
          const author = await git.run(['log', '-1', '--format=%an%x00%ae%x00%aI', commit])
          const [name, email, date] = author.split('\u0000')
          sha = await git.run(['commit-tree', tree, '-p', sha], {input: message, env: {GIT_AUTHOR_NAME: name!, GIT_AUTHOR_EMAIL: email!, GIT_AUTHOR_DATE: date!}})
        }
      } finally {
        await rm(index, {force: true})
      }
    } else {
      const tree = await mergeTree(git, base, head, input)
      const parents = input.method === 'merge' ? ['-p', base, '-p', head] : ['-p', base]
      sha = await git.run(['commit-tree', tree, ...parents], {input: input.message})
    }
    await git.run(['update-ref', '-m', `flow: land ${input.branch}`, input.target, sha])
    return {sha}
  },
}

async function mergeTree(git: Git, ours: string, theirs: string, input: LandLocalInput): Promise<string> {
  const args = ['merge-tree', '--write-tree', '--name-only', ours, theirs]
  const result = await git.exec(args)
  if (result.exitCode === 1) {
    const files = result.stdout.split('\n').slice(1).filter((l) => l && !l.includes(' '))
    throw new FlowError('POLICY_BLOCKED', `${input.branch} does not merge cleanly into ${input.base} (conflicts in ${files.join(', ') || 'some files'})`, {
      hint: 'Run flow feature sync, resolve the conflicts, push, then finish again.',
      details: {files},
    })
  }
  if (result.exitCode !== 0) throw new FlowError('GIT_FAILED', `git merge-tree failed: ${result.stderr.trim()}`)
  return result.stdout.split('\n')[0]!
}

/** `feature.retarget`: points a child's pull request at a new base; undone by pointing it back. */
export const retargetStep: StepKind<RetargetInput> = {
  kind: 'feature.retarget',
  describe: (input) => `Retarget pull request #${input.number} from ${input.from} to ${input.base}`,
  async isDone(ctx, input) {
    return (await (await ctx.forge()).getPullRequest(input.number)).base === input.base
  },
  async run(ctx, input) {
    await (await ctx.forge()).updatePullRequest(input.number, {base: input.base})
  },
  async undo(ctx, input) {
    await (await ctx.forge()).updatePullRequest(input.number, {base: input.from})
  },
}

/** Every step kind of the feature commands. */
export const featureStepKinds: StepKind[] = [
  setConfigStep, startBranchStep, stashStep, unstashStep, deleteRefStep, rebaseStep, openPullRequestStep, requestReviewStep, mergePullRequestStep, landLocalStep, retargetStep,
]
