import type {Deps} from '../deps.js'
import {FlowError} from '../errors.js'
import {runPlan, type RunResult} from '../../engine/runner.js'
import type {Plan, StepSpec} from '../../engine/types.js'
import {actorOf} from './context.js'
import type {CloseCode} from './model.js'
import {loadChange} from './steps.js'

/** The input of `flow change close`. */
export interface CloseChangeInput {
  id: string
  code: CloseCode
  comment?: string
  dryRun?: boolean
}

/** The result of `flow change close` (its --json output). */
export interface ChangeClosed {
  id: string
  code: CloseCode
  by: string
  /** The review-after issue opened for an emergency or break-glass change. */
  followUp: {number: number; url: string} | null
  dryRun?: true
  steps?: RunResult['steps']
}

/** The label of review-after follow-ups. */
export const REVIEW_AFTER_LABEL = 'change-review'

/** Closes a change with its outcome; an emergency (or break-glass) change gets a review-after follow-up issue. */
export async function closeChange(deps: Parameters<typeof runPlan>[0] & Pick<Deps, 'config'>, input: CloseChangeInput): Promise<ChangeClosed> {
  const {change} = await loadChange(await deps.records(), input.id)
  if (change.status !== 'open') throw new FlowError('USAGE', `${change.id} is already ${change.status}`)
  const by = await actorOf(deps.git)
  const steps: StepSpec[] = [{kind: 'change.event', input: {changeId: change.id, op: deps.ids.ulid(), type: 'closed', actor: by, data: {code: input.code, by, ...(input.comment ? {comment: input.comment} : {})}}}]
  if (change.reviewAfter && !change.followUp) {
    const why = [
      change.type === 'emergency' ? `${change.id} was an emergency change.` : '',
      ...change.breakGlass.map((g) => `Break-glass by ${g.by} at ${g.at}: ${g.reason}`),
    ].filter(Boolean)
    steps.push({kind: 'change.followUp', input: {
      changeId: change.id, op: deps.ids.ulid(), actor: by, labels: [REVIEW_AFTER_LABEL],
      title: `Review after: ${change.id} ${change.title}`,
      body: [...why, '', `Closed ${input.code} by ${by}.`, '', `Review the change after the fact: flow change evidence ${change.id}`].join('\n'),
    }})
  }
  const plan: Plan = {command: 'change close', inputs: {...input}, steps}
  const result = await runPlan(deps, plan, {dryRun: input.dryRun})
  if (input.dryRun) return {id: change.id, code: input.code, by, followUp: null, dryRun: true, steps: result.steps}
  const follow = result.outputs[1] as {number?: number; url?: string} | undefined
  return {id: change.id, code: input.code, by, followUp: follow?.number !== undefined ? {number: follow.number, url: String(follow.url)} : null}
}
