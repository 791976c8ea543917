import type {Deps} from '../deps.js'
import {FlowError} from '../errors.js'
import type {Review} from '../ports.js'
import {currentBranch} from './lineage.js'

/** The result of `flow feature approve`. */
export interface FeatureApproved {
  number: number
  review: Review
}

/** Approves a pull request (by number, or the current branch's): a review record on the local forge, a review on GitHub. */
export async function approveFeature(deps: Pick<Deps, 'git' | 'forge'>, input: {number?: number; body?: string}): Promise<FeatureApproved> {
  const forge = await deps.forge()
  let number = input.number
  if (number === undefined) {
    const branch = await currentBranch(deps.git)
    const pr = branch ? await forge.findPullRequest({head: branch, state: 'open'}) : undefined
    if (!pr) throw new FlowError('USAGE', 'No pull request number given and the current branch has no open pull request', {hint: 'Pass the number: flow feature approve 12.'})
    number = pr.number
  }
  const review = await forge.createReview(number, {event: 'APPROVE', ...(input.body ? {body: input.body} : {})})
  return {number, review}
}
