import type {Deps} from '../deps.js'
import {FlowError} from '../errors.js'
import type {Review} from '../ports.js'
import {gateStageSteps} from '../gates/gate-steps.js'
import {runPlan, type RunResult} from '../../engine/runner.js'
import type {Plan, StepSpec} from '../../engine/types.js'
import {branchCommits, featureBranch, newestBase} from './branch-info.js'
import {allParents, branchesInOtherWorktrees, hasRemote, isOffline, parentKey, parentTipKey, revParse, tryFetch} from './lineage.js'
import {mayExist} from '../env/preview.js'
import {destroyStep, previewOf} from '../env/previews.js'
import {changeSize, squashMessage, type ChangeSize} from './names.js'

/** The input of `flow feature finish`. */
export interface FinishFeatureInput {
  dryRun?: boolean
}

/** The result of `flow feature finish` (its --json output). */
export interface FeatureFinished {
  branch: string
  base: string
  number: number
  method: 'merge' | 'squash' | 'rebase'
  forge: 'github' | 'local'
  approvals: {required: number; approved: string[]}
  change: ChangeSize
  /** The commit the base points to after the merge (null with --dry-run, or when the forge did not say). */
  mergeSha: string | null
  deleted: {local: boolean; remote: boolean}
  /** Child branches now based on `base`. */
  retargeted: string[]
  /** git-flow: the base (main) was merged back into develop. */
  backMerged: string | null
  notes: string[]
  /** The branch's preview environment, destroyed after the merge (a failure is recorded for flow env prune; the finish completes). */
  preview?: {environment: string; destroyed: boolean; error?: string}
  dryRun?: true
  steps?: RunResult['steps']
}

const REMOTE = 'origin'

/** The reviewers whose latest approving or blocking review approves (GitHub semantics: comments do not count). */
export function approvers(reviews: Review[]): string[] {
  const latest = new Map<string, Review['state']>()
  for (const r of reviews) {
    if (r.state === 'commented' || r.state === 'pending') continue
    latest.set(r.author, r.state)
  }
  return [...latest].filter(([, state]) => state === 'approved').map(([author]) => author).sort()
}

/** Checks approvals, merges the pull request (GitHub API with a head guard, or locally), deletes the branch, updates the base. */
export async function finishFeature(deps: Parameters<typeof runPlan>[0] & Pick<Deps, 'config' | 'env'>, input: FinishFeatureInput): Promise<FeatureFinished> {
  const git = deps.git
  const {config} = await deps.config()
  const {branch} = await featureBranch(deps)
  const forge = await deps.forge()
  const pr = await forge.findPullRequest({head: branch, state: 'open'})
  if (!pr) throw new FlowError('FORGE_NOT_FOUND', `${branch} has no open pull request on ${forge.describe}`, {hint: 'Open one with flow feature submit.'})
  const base = pr.base
  const approved = approvers(await forge.listReviews(pr.number))
  const required = config.review.approvals
  if (approved.length < required) {
    throw new FlowError('POLICY_BLOCKED', `Pull request #${pr.number} has ${approved.length} of the ${required} approval(s) review.approvals asks for`, {
      hint: forge.kind === 'local' ? `A reviewer approves with flow feature approve ${pr.number}.` : 'Ask a reviewer to approve it on GitHub, then finish again.',
      details: {approved, required},
    })
  }
  const remote = !isOffline(deps.env) && (await hasRemote(git, REMOTE))
  const fetched = remote && (await tryFetch(git, REMOTE, [`+refs/heads/${base}:refs/remotes/${REMOTE}/${base}`]))
  if (remote && !fetched) deps.reporter.progress(`${REMOTE} is not reachable; merging into the local ${base}`)
  const head = await revParse(git, `refs/heads/${branch}`)
  if (!head) throw new FlowError('GIT_FAILED', `The branch ${branch} cannot be read`)
  if (forge.kind === 'github' && pr.headSha && pr.headSha !== head) {
    throw new FlowError('POLICY_BLOCKED', `${branch} (${head.slice(0, 7)}) is not what pull request #${pr.number} shows (${pr.headSha.slice(0, 7)})`, {
      hint: 'Push it with flow feature submit and let the checks run, then finish again.',
    })
  }
  const local = await revParse(git, `refs/heads/${base}`)
  const tracking = fetched ? await revParse(git, `refs/remotes/${REMOTE}/${base}`) : undefined
  const commits = await branchCommits(git, tracking ?? local ?? base, head)
  const message = squashMessage({title: pr.title, number: pr.number, commits})
  const [subject, ...rest] = message.split('\n')
  const method = config.review.merge
  const elsewhere = await branchesInOtherWorktrees(git)
  const baseBusy = elsewhere.has(base)
  const notes: string[] = []
  const steps: StepSpec[] = [...gateStageSteps(config, 'submit')]
  const baseRef = `refs/heads/${base}`

  if (forge.kind === 'github') {
    steps.push({kind: 'feature.mergePullRequest', input: {number: pr.number, method, sha: pr.headSha ?? head, title: `${subject} (#${pr.number})`, message: rest.join('\n').trim()}})
    if (fetched) steps.push({kind: 'git.fetch', input: {remote: REMOTE, refspecs: [`+refs/heads/${base}:refs/remotes/${REMOTE}/${base}`]}})
    if (fetched && local && !baseBusy) steps.push({kind: 'git.updateRef', input: {ref: baseRef, to: `refs/remotes/${REMOTE}/${base}`, from: local}})
  } else {
    // The local forge: merge here (no checkout), push the base, mark the review record merged.
    const onto = tracking && (!local || (await git.exec(['merge-base', '--is-ancestor', local, tracking])).exitCode === 0) ? tracking : local
    if (!onto) throw new FlowError('GIT_FAILED', `There is no ${base} to merge into`)
    const target = baseBusy ? `refs/flow/land/${branch}` : baseRef
    if (baseBusy) notes.push(`${base} is checked out in another worktree: it was left alone; the merge went to ${REMOTE} only`)
    steps.push({kind: 'feature.landLocal', input: {branch, base: onto, target, method, message}})
    if (fetched) steps.push({kind: 'git.push', input: {remote: REMOTE, refspecs: [{src: target, dst: baseRef}]}})
    steps.push({kind: 'feature.mergePullRequest', input: {number: pr.number, method, title: subject, message: rest.join('\n').trim()}})
    if (fetched) steps.push({kind: 'git.fetch', input: {remote: REMOTE, refspecs: [`+refs/heads/${base}:refs/remotes/${REMOTE}/${base}`]}})
    if (baseBusy) steps.push({kind: 'git.deleteRef', input: {ref: target}})
  }
  const backMerge = config.branches.strategy === 'git-flow' && base === config.branches.main
  if (backMerge) {
    // git-flow: what lands on main (a hotfix) goes back into develop too.
    const develop = config.branches.develop
    const mainUpdated = forge.kind === 'local' || (fetched && local)
    const developRef = await revParse(git, `refs/heads/${develop}`)
    if (!baseBusy && mainUpdated && developRef && !elsewhere.has(develop)) {
      const onto = tracking && fetched ? await newestBase(git, develop, REMOTE) : `refs/heads/${develop}`
      const ontoSha = (await revParse(git, onto))!
      steps.push({kind: 'feature.landLocal', input: {branch, base: ontoSha, target: `refs/heads/${develop}`, method: 'merge', source: baseRef, message: `Merge ${base} into ${develop} (#${pr.number}: ${pr.title})\n`}})
      if (fetched) steps.push({kind: 'git.push', input: {remote: REMOTE, refspecs: [{src: `refs/heads/${develop}`, dst: `refs/heads/${develop}`}]}})
    } else {
      notes.push(`Merge ${base} into ${develop} yourself: ${developRef ? `${develop} or ${base} could not be updated here` : `there is no local ${develop}`}`)
    }
  }
  let deletedLocal = false
  if (!baseBusy) {
    steps.push({kind: 'git.checkout', input: {branch: base}})
    if (config.review.delete_branch) {
      steps.push({kind: 'git.deleteRef', input: {ref: `refs/heads/${branch}`}})
      deletedLocal = true
    }
  } else {
    notes.push(`${branch} stays checked out here because ${base} is checked out in another worktree`)
  }
  steps.push({kind: 'git.setConfig', input: {key: parentKey(branch), value: null}})
  const remoteBranch = fetched && config.review.delete_branch && (await git.exec(['ls-remote', '--exit-code', '--heads', REMOTE, `refs/heads/${branch}`])).exitCode === 0
  if (remoteBranch) steps.push({kind: 'git.push', input: {remote: REMOTE, refspecs: [{src: '', dst: `refs/heads/${branch}`}]}})
  const retargeted: string[] = []
  for (const [child, parent] of await allParents(git)) {
    if (parent !== branch) continue
    retargeted.push(child)
    steps.push({kind: 'git.setConfig', input: {key: parentKey(child), value: base}}, {kind: 'git.setConfig', input: {key: parentTipKey(child), value: head}})
    const childPr = await forge.findPullRequest({head: child, state: 'open'})
    if (childPr) steps.push({kind: 'feature.retarget', input: {number: childPr.number, base, from: branch}})
  }
  const preview = await previewOf(await deps.records(), branch)
  if (preview && mayExist(preview)) steps.push(destroyStep(config, preview, deps.ids.ulid()))
  const plan: Plan = {command: 'feature finish', inputs: {...input}, steps}
  const result = await runPlan(deps, plan, {dryRun: input.dryRun})
  const summary = {
    branch, base, number: pr.number, method, forge: forge.kind, approvals: {required, approved}, change: changeSize(commits),
    deleted: {local: deletedLocal, remote: Boolean(remoteBranch)}, retargeted, notes,
    backMerged: backMerge && steps.some((s) => s.kind === 'feature.landLocal' && (s.input as {source?: string}).source) ? config.branches.develop : null,
  }
  if (input.dryRun) return {...summary, mergeSha: null, dryRun: true, steps: result.steps}
  for (const note of notes) deps.reporter.warn(note)
  const merged = result.outputs[plan.steps.findIndex((s) => s.kind === 'feature.mergePullRequest')] as {sha?: string} | undefined
  const landed = result.outputs[plan.steps.findIndex((s) => s.kind === 'feature.landLocal')] as {sha?: string} | undefined
  const destroyed = result.outputs.find((o) => o?.step === 'preview.destroy') as {ok?: boolean; reason?: string} | undefined
  const previewResult = preview && destroyed ? {environment: preview.environment, destroyed: destroyed.ok === true, ...(destroyed.ok ? {} : {error: String(destroyed.reason)})} : undefined
  if (previewResult?.error) summary.notes.push(`The preview of ${branch} was not destroyed (${previewResult.error}); flow env prune retries it`)
  return {...summary, mergeSha: landed?.sha ?? merged?.sha ?? null, ...(previewResult ? {preview: previewResult} : {})}
}
