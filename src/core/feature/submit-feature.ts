import type {Deps} from '../deps.js'
import {FlowError} from '../errors.js'
import {gateStageSteps} from '../gates/gate-steps.js'
import {runPlan, type RunResult} from '../../engine/runner.js'
import type {Plan, StepSpec} from '../../engine/types.js'
import {ownersFor, parseCodeowners, readCodeowners} from '../codeowners.js'
import {branchCommits, changedFiles, featureBranch, newestBase, readPullRequestTemplate} from './branch-info.js'
import {hasRemote, isOffline} from './lineage.js'
import {previewTemplate, type PreviewSpec} from '../env/preview.js'
import type {PreviewLinkInput} from '../env/preview-steps.js'
import {previewOutcome, previewSteps} from '../env/previews.js'
import {isConventional, pullRequestBody, pullRequestTitle, splitReviewers} from './names.js'

/** The input of `flow feature submit`. */
export interface SubmitFeatureInput {
  draft?: boolean
  reviewers?: string[]
  labels?: string[]
  assignees?: string[]
  title?: string
  /** Create (or update) the branch's preview environment when flow.yml has one (default true; --no-preview). */
  preview?: boolean
  dryRun?: boolean
}

/** The result of `flow feature submit` (its --json output). */
export interface FeatureSubmitted {
  branch: string
  base: string
  title: string
  /** Null with --dry-run for a pull request not opened yet. */
  number: number | null
  url: string | null
  /** True when this run opened the pull request, false when it updated the open one. */
  created: boolean
  pushed: boolean
  forge: 'github' | 'local'
  reviewers: string[]
  labels: string[]
  assignees: string[]
  warnings: string[]
  /** Whether the `submit` gate stage ran first (`none`: flow.yml gives that stage no gates). */
  gates: 'passed' | 'planned' | 'none'
  /** The branch's preview environment, when flow.yml has one (a failure is a warning, recorded in previews). */
  preview?: {environment: string; url?: string; outcome?: string; deployment?: string; error?: string}
  dryRun?: true
  steps?: RunResult['steps']
}

const REMOTE = 'origin'

/** Resolves `codeowners` among the reviewers to the owners of the files the branch changes. */
async function resolveReviewers(deps: Pick<Deps, 'git' | 'repo'>, reviewers: string[], base: string, branch: string): Promise<string[]> {
  if (!reviewers.includes('codeowners')) return reviewers
  const {root} = await deps.repo()
  const text = await readCodeowners(root)
  const owners = text ? ownersFor(parseCodeowners(text), await changedFiles(deps.git, base, branch)) : []
  return [...new Set([...reviewers.filter((r) => r !== 'codeowners'), ...owners])]
}

/** Pushes the current branch with upstream and opens (or updates) its one pull request against the recorded parent. */
export async function submitFeature(deps: Parameters<typeof runPlan>[0] & Pick<Deps, 'config' | 'env'>, input: SubmitFeatureInput): Promise<FeatureSubmitted> {
  const git = deps.git
  const {config} = await deps.config()
  const {branch, parent} = await featureBranch(deps)
  const warnings: string[] = []
  for (const value of [...(input.reviewers ?? []), ...(input.labels ?? []), ...(input.assignees ?? [])]) {
    // eslint-disable-next-line no-control-regex -- names go to the forge as data, but never with control characters
    if (/[\u0000-\u001f]/.test(value) || value.startsWith('-')) throw new FlowError('USAGE', `${JSON.stringify(value)} is not a valid reviewer, label or assignee`)
  }
  const remote = !isOffline(deps.env) && (await hasRemote(git, REMOTE))
  const baseRef = await newestBase(git, parent, REMOTE)
  const commits = await branchCommits(git, baseRef, `refs/heads/${branch}`)
  if (commits.length === 0) throw new FlowError('USAGE', `${branch} has no commits that ${parent} does not have`, {hint: 'Commit your change first.'})
  const title = pullRequestTitle({title: input.title, commits, branch})
  if (config.commits.convention === 'conventional' && !isConventional(title, config.commits.types)) {
    warnings.push(`The title ${JSON.stringify(title)} does not follow Conventional Commits (${config.commits.types.join(', ')}); a squash merge uses it as the commit subject. Pass --title to change it.`)
  }
  const forge = await deps.forge()
  const existing = await forge.findPullRequest({head: branch, state: 'open'})
  const {root} = await deps.repo()
  const template = existing ? undefined : await readPullRequestTemplate(root, config.review.template)
  const body = pullRequestBody({template, commits, previous: existing?.body})
  const configured = config.review.reviewers === 'codeowners' ? ['codeowners'] : config.review.reviewers
  const reviewers = await resolveReviewers(deps, input.reviewers && input.reviewers.length > 0 ? input.reviewers : configured, baseRef, `refs/heads/${branch}`)
  const split = splitReviewers(reviewers)
  const labels = input.labels ?? []
  const assignees = input.assignees ?? []

  const steps: StepSpec[] = [...gateStageSteps(config, 'submit')]
  if (remote) {
    steps.push(
      {kind: 'git.push', input: {remote: REMOTE, refspecs: [{src: `refs/heads/${branch}`, dst: `refs/heads/${branch}`}], forceWithLease: true}},
      {kind: 'git.setConfig', input: {key: `branch.${branch}.remote`, value: REMOTE}},
      {kind: 'git.setConfig', input: {key: `branch.${branch}.merge`, value: `refs/heads/${branch}`}},
    )
  } else {
    deps.reporter.progress(isOffline(deps.env) ? 'Offline: not pushing' : `No ${REMOTE} remote: not pushing`)
  }
  steps.push({kind: 'feature.openPullRequest', input: {head: branch, base: parent, title, body, draft: input.draft ?? config.review.draft}})
  if (reviewers.length + labels.length + assignees.length > 0) {
    steps.push({kind: 'feature.requestReview', input: {head: branch, reviewers: split.users, teamReviewers: split.teams, labels, assignees}})
  }
  const previewFrom = input.preview === false ? undefined : previewTemplate(config)
  let preview: PreviewSpec | undefined
  if (previewFrom) {
    const head = (await git.exec(['rev-parse', `refs/heads/${branch}`])).stdout.trim()
    const planned = await previewSteps(deps, config, {branch, sha: head, ...(existing ? {number: existing.number} : {}), from: previewFrom.name})
    preview = planned.preview
    steps.push(...planned.steps, {kind: 'preview.link', input: {head: branch} satisfies PreviewLinkInput})
  }
  for (const w of warnings) deps.reporter.warn(w)
  const plan: Plan = {command: 'feature submit', inputs: {...input}, steps}
  const result = await runPlan(deps, plan, {dryRun: input.dryRun})
  const summary = {branch, base: parent, title, pushed: remote, forge: forge.kind, reviewers, labels, assignees, warnings, gates: steps.some((step) => step.kind === 'gates.run') ? (input.dryRun ? 'planned' as const : 'passed' as const) : 'none' as const}
  if (input.dryRun) {
    return {...summary, number: existing?.number ?? null, url: existing?.url ?? null, created: !existing, pushed: false, dryRun: true, steps: result.steps}
  }
  const index = plan.steps.findIndex((s) => s.kind === 'feature.openPullRequest')
  const opened = result.outputs[index] as {number?: number; url?: string; created?: boolean} | undefined
  const pr = opened?.number !== undefined ? opened : await forge.findPullRequest({head: branch, state: 'open'})
  let previewResult: FeatureSubmitted['preview']
  if (preview) {
    const {created, ready} = previewOutcome(result)
    const url = typeof ready?.url === 'string' ? ready.url : preview.url
    const error = created?.ok === false ? `not created: ${String(created.reason)}` : ready?.outcome !== 'success' ? `its deployment ${String(ready?.outcome ?? 'failed')}` : undefined
    previewResult = {environment: preview.environment, ...(url ? {url} : {}), outcome: String(ready?.outcome ?? 'failed'), ...(ready?.deployment ? {deployment: String(ready.deployment)} : {}), ...(error ? {error} : {})}
    if (error) {
      const warning = `The preview of ${branch} failed (${error}); the pull request is open anyway. flow env create --preview retries it.`
      summary.warnings.push(warning)
      deps.reporter.warn(warning)
    }
  }
  return {...summary, number: pr?.number ?? null, url: pr?.url ?? null, created: Boolean(opened?.created), ...(previewResult ? {preview: previewResult} : {})}
}
