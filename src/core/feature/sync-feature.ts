import type {Deps} from '../deps.js'
import {FlowError} from '../errors.js'
import type {Forge, Git} from '../ports.js'
import {runPlan, type RunResult} from '../../engine/runner.js'
import type {Plan, StepSpec} from '../../engine/types.js'
import {newestBase} from './branch-info.js'
import {allParents, branchExists, branchesInOtherWorktrees, configValue, currentBranch, hasRemote, integrationBranch, isDirty, isOffline, parentKey, parentTipKey, revParse, tryFetch} from './lineage.js'

/** The input of `flow feature sync`. */
export interface SyncFeatureInput {
  all?: boolean
  stack?: boolean
  prune?: boolean
  dryRun?: boolean
}

/** What sync does to one branch. */
export interface SyncedBranch {
  branch: string
  parent: string
  /** `onto`: the parent was squash-merged, so only the branch's own commits were moved onto the parent's base. */
  how: 'rebase' | 'merge' | 'onto'
  /** Set when the parent changed (its pull request merged). */
  newParent?: string
}

/** The result of `flow feature sync` (its --json output). */
export interface FeatureSynced {
  branches: SyncedBranch[]
  /** Branches whose pull request merged or whose remote branch is gone: deleted with --prune. */
  prunable: Array<{branch: string; reason: string}>
  pruned: string[]
  fetched: boolean
  dryRun?: true
  steps?: RunResult['steps']
}

const REMOTE = 'origin'

/** True when the parent's change is already in `base` (a squash merge): its combined patch-id is among base's new commits. */
async function squashedInto(git: Git, parent: string, base: string): Promise<boolean> {
  const fork = await git.exec(['merge-base', base, parent])
  if (fork.exitCode !== 0) return false
  const cherry = await git.exec(['cherry', base, parent, fork.stdout])
  if (cherry.exitCode === 0 && cherry.stdout && !cherry.stdout.split('\n').some((l) => l.startsWith('+'))) return true
  const patchId = async (args: string[]) => {
    const diff = await git.run(args, {raw: true})
    if (!diff.trim()) return undefined
    return (await git.run(['patch-id', '--stable'], {input: diff})).split(' ')[0]
  }
  const combined = await patchId(['diff', fork.stdout, parent])
  if (!combined) return false
  const commits = (await git.run(['rev-list', '--no-merges', '--max-count=200', `${fork.stdout}..${base}`])).split('\n').filter(Boolean)
  for (const commit of commits) if ((await patchId(['diff', `${commit}^`, commit])) === combined) return true
  return false
}

async function mergedOnForge(forge: Forge | undefined, branch: string): Promise<boolean> {
  if (!forge) return false
  const pr = await forge.findPullRequest({head: branch, state: 'closed'}).catch(() => undefined)
  return pr?.state === 'merged'
}

/** Parents first: each branch after the branch it is based on. */
function parentsFirst(branches: string[], parents: Map<string, string>): string[] {
  const depth = (b: string, seen = new Set<string>()): number => {
    const p = parents.get(b)
    if (!p || seen.has(b)) return 0
    seen.add(b)
    return 1 + depth(p, seen)
  }
  return [...branches].sort((a, b) => depth(a) - depth(b) || a.localeCompare(b))
}

/** Brings flow branches up to date with their parents (rebase or merge); squash-merged parents are skipped over with --onto. */
export async function syncFeature(deps: Parameters<typeof runPlan>[0] & Pick<Deps, 'config' | 'env'>, input: SyncFeatureInput): Promise<FeatureSynced> {
  const git = deps.git
  const {config} = await deps.config()
  const here = await currentBranch(git)
  if (!here) throw new FlowError('USAGE', 'HEAD is detached: check out a flow branch first', {hint: 'git switch BRANCH'})
  if (await isDirty(git)) throw new FlowError('DIRTY_WORKTREE', 'The work tree has uncommitted changes', {hint: 'Commit or stash them, then sync again.'})
  const parents = await allParents(git)
  const children = (b: string) => [...parents].filter(([, p]) => p === b).map(([c]) => c)
  let selected: string[]
  if (input.all) selected = [...parents.keys()]
  else {
    if (!parents.has(here)) throw new FlowError('USAGE', `${here} has no recorded parent, so flow does not know what to sync it with`, {hint: `Record one with git config branch.${here}.flow-parent ${integrationBranch(config)}, or start branches with flow feature start.`})
    selected = [here]
    if (input.stack) {
      for (let p = parents.get(here); p && parents.has(p); p = parents.get(p)) selected.unshift(p)
      const queue = [here]
      while (queue.length > 0) {
        for (const c of children(queue.shift()!)) {
          if (selected.includes(c)) continue
          selected.push(c)
          queue.push(c)
        }
      }
    }
  }
  selected = parentsFirst(selected.filter((b) => parents.has(b)), parents)
  const busy = await branchesInOtherWorktrees(git)

  const remote = !isOffline(deps.env) && (await hasRemote(git, REMOTE))
  const fetched = remote && (await tryFetch(git, REMOTE, ['--prune', `+refs/heads/*:refs/remotes/${REMOTE}/*`]))
  if (remote && !fetched) deps.reporter.progress(`${REMOTE} is not reachable; syncing with the local branches`)
  const forge = await deps.forge().catch(() => undefined)

  const steps: StepSpec[] = []
  const branches: SyncedBranch[] = []
  const prunable: FeatureSynced['prunable'] = []
  const effectiveParent = new Map(parents)
  for (const branch of selected) {
    if (busy.has(branch)) {
      deps.reporter.warn(`${branch} is checked out in another worktree: not synced here`)
      continue
    }
    if (await mergedOnForge(forge, branch)) {
      prunable.push({branch, reason: 'its pull request was merged'})
      continue
    }
    if (fetched && (await git.exec(['config', '--get', `branch.${branch}.merge`])).exitCode === 0 && !(await revParse(git, `refs/remotes/${REMOTE}/${branch}`))) {
      prunable.push({branch, reason: `its branch on ${REMOTE} is gone`})
      continue
    }
    const parent = effectiveParent.get(branch)!
    const forkTip = await configValue(git, parentTipKey(branch))
    if (forkTip && (await revParse(git, forkTip))) {
      // The parent was merged by flow feature finish: only this branch's own commits (after the old parent tip) move.
      const onto = parents.has(parent) ? `refs/heads/${parent}` : await newestBase(git, parent, REMOTE)
      steps.push({kind: 'feature.rebase', input: {branch, onto, upstream: forkTip, mode: 'rebase'}})
      steps.push({kind: 'git.setConfig', input: {key: parentTipKey(branch), value: null}})
      branches.push({branch, parent, how: 'onto'})
      continue
    }
    const grand = parents.get(parent)
    const parentIsFeature = grand !== undefined || (await mergedOnForge(forge, parent))
    if (parentIsFeature && (await branchExists(git, parent))) {
      const grandBase = grand ?? integrationBranch(config)
      const grandRef = await newestBase(git, grandBase, REMOTE)
      if ((await mergedOnForge(forge, parent)) || (await squashedInto(git, `refs/heads/${parent}`, grandRef))) {
        const oldTip = (await revParse(git, `refs/heads/${parent}`))!
        steps.push({kind: 'feature.rebase', input: {branch, onto: grandRef, upstream: oldTip, mode: 'rebase'}})
        steps.push({kind: 'git.setConfig', input: {key: parentKey(branch), value: grandBase}})
        branches.push({branch, parent, how: 'onto', newParent: grandBase})
        effectiveParent.set(branch, grandBase)
        continue
      }
    }
    const onto = parents.has(parent) ? `refs/heads/${parent}` : await newestBase(git, parent, REMOTE)
    if ((await git.exec(['merge-base', '--is-ancestor', onto, `refs/heads/${branch}`])).exitCode === 0) continue
    if (await squashedInto(git, `refs/heads/${branch}`, onto)) {
      prunable.push({branch, reason: `its change is already in ${parent} (squash-merged)`})
      continue
    }
    steps.push({kind: 'feature.rebase', input: {branch, onto, mode: config.review.sync}})
    branches.push({branch, parent, how: config.review.sync})
  }
  const pruned: string[] = []
  let end = here
  if (input.prune) {
    for (const {branch} of prunable) {
      if (branch === here) end = parents.get(branch) ?? integrationBranch(config)
      pruned.push(branch)
    }
  }
  if (steps.length > 0 || end !== here) steps.push({kind: 'git.checkout', input: {branch: end}})
  for (const branch of pruned) {
    steps.push({kind: 'git.deleteRef', input: {ref: `refs/heads/${branch}`}}, {kind: 'git.setConfig', input: {key: parentKey(branch), value: null}})
  }
  const plan: Plan = {command: 'feature sync', inputs: {...input}, steps}
  const result = steps.length > 0 ? await runPlan(deps, plan, {dryRun: input.dryRun}) : undefined
  const out: FeatureSynced = {branches, prunable, pruned: input.dryRun ? [] : pruned, fetched}
  return input.dryRun ? {...out, dryRun: true, steps: result?.steps ?? []} : out
}
