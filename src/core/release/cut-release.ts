import type {Deps} from '../deps.js'
import {FlowError} from '../errors.js'
import {runPlan, type RunResult} from '../../engine/runner.js'
import {planOrNothing, refuseIfBlocked, type NoRelease, type ReleasePlanInput, type ReleasePlanResult} from './plan-release.js'

/** Input of `flow release cut`. */
export interface CutReleaseInput extends ReleasePlanInput {
  dryRun?: boolean
}

/** The result of `flow release cut` (its --json document). */
export interface CutReleaseResult {
  /** The monorepo package released. */
  package?: string
  version: string
  tag: string
  prerelease: boolean
  /** The forge release's address once published. */
  url?: string
  /** Whether the plan runs the `release` gate stage first (false: flow.yml gives that stage no gates). */
  gates: boolean
  warnings: string[]
  runId: string | null
  status: RunResult['status']
  steps: RunResult['steps']
}

/**
 * Cuts a release: refuses a wrong branch or a dirty work tree up front, confirms (TTY) or needs --yes, then runs
 * the plan through the engine: files, commit, annotated tag, push, draft release, publish last. With no releasable
 * commit it does nothing and says why (`{release: null, reason}`). In a monorepo, one package per run (`package`).
 */
export async function cutRelease(deps: Deps, input: CutReleaseInput): Promise<(CutReleaseResult & {plan: ReleasePlanResult}) | NoRelease> {
  const plan = await planOrNothing(deps, input)
  if ('release' in plan) return plan
  const base = {...(plan.package ? {package: plan.package} : {}), version: plan.version, tag: plan.tag, prerelease: plan.prerelease, gates: plan.plan.steps.some((step) => step.kind === 'gates.run'), warnings: plan.warnings, plan}
  if (input.dryRun) {
    const result = await runPlan(deps, plan.plan, {dryRun: true})
    return {...base, runId: null, status: result.status, steps: result.steps}
  }
  refuseIfBlocked(plan)
  if (!deps.yes) {
    if (!deps.prompter.canPrompt) {
      throw new FlowError('PROMPT_NEEDED', `Cutting ${plan.tag} needs a confirmation and flow cannot prompt here`, {hint: 'Pass --yes to cut it (flow release plan shows what it does).'})
    }
    if (!(await deps.prompter.confirm(`Cut ${plan.tag} (${plan.reason}; ${plan.steps.length} steps)?`, true))) {
      throw new FlowError('CANCELLED', `Release ${plan.tag} not cut`)
    }
  }
  const result = await runPlan(deps, plan.plan)
  const published = [...result.outputs].reverse().find((o) => o && typeof o.url === 'string')
  return {...base, ...(published ? {url: String(published.url)} : {}), runId: result.runId, status: result.status, steps: result.steps}
}
