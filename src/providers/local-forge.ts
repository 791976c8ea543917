import {FlowError} from '../core/errors.js'
import {
  deploymentId,
  foldDeployment,
  foldIssue,
  foldRelease,
  foldReview,
  issueId,
  numberOf,
  recordUrl,
  reviewId,
  type FoldedReview,
} from '../core/forge/local-records.js'
import type {Clock, Deployment, DeploymentState, Forge, ForgeIssue, Ids, PullRequest, RecordStore, Release, Review} from '../core/ports.js'

/** What the local forge is built from. */
export interface LocalForgeOptions {
  records: RecordStore
  clock: Clock
  ids: Ids
  /** Who acts (git user.email); stored on every event. */
  actor?: string
  /** Turns a ref into a commit sha for deployments (git rev-parse); refs are kept as given without it. */
  resolveRef?: (ref: string) => Promise<string | undefined>
}

const REVIEW_STATE = {APPROVE: 'approved', REQUEST_CHANGES: 'changes_requested', COMMENT: 'commented'} as const

/**
 * The forge with no server and no token: pull requests are review-request records (`reviews/PR-n`),
 * releases, issues and deployments are records too, and every state is folded from the records' events.
 */
export class LocalForge implements Forge {
  readonly kind = 'local' as const
  readonly describe = 'local records (flow/records)'

  constructor(private readonly options: LocalForgeOptions) {}

  private get records(): RecordStore {
    return this.options.records
  }

  private event<D extends Record<string, unknown>>(type: string, data: D) {
    return {type, at: this.options.clock.now().toISOString(), ...(this.options.actor ? {actor: this.options.actor} : {}), data}
  }

  /** Pull requests and issues share one number space, as on GitHub, so a comment's target is never ambiguous. */
  private async nextSharedNumber(): Promise<number> {
    const [a, b] = await Promise.all([this.records.nextNumber('reviews'), this.records.nextNumber('issues')])
    return Math.max(a, b)
  }

  private async review(number: number): Promise<FoldedReview | undefined> {
    return foldReview(reviewId(number), await this.records.events('reviews', reviewId(number)))
  }

  private async requireReview(number: number): Promise<FoldedReview> {
    const folded = await this.review(number)
    if (!folded) throw new FlowError('FORGE_NOT_FOUND', `Review request ${reviewId(number)} does not exist in the local records`, {hint: 'List them with `flow feature list`.'})
    return folded
  }

  private async allReviews(): Promise<FoldedReview[]> {
    const all = await this.records.collection('reviews')
    const out: FoldedReview[] = []
    for (const [id, events] of all) {
      const folded = foldReview(id, events)
      if (folded) out.push(folded)
    }
    return out.sort((a, b) => b.pullRequest.number - a.pullRequest.number)
  }

  async findPullRequest(query: {head: string; base?: string; state?: 'open' | 'closed' | 'all'}): Promise<PullRequest | undefined> {
    const state = query.state ?? 'open'
    for (const {pullRequest: pr} of await this.allReviews()) {
      if (pr.head !== query.head || (query.base !== undefined && pr.base !== query.base)) continue
      if (state === 'open' && pr.state !== 'open') continue
      if (state === 'closed' && pr.state === 'open') continue
      return pr
    }
    return undefined
  }

  async getPullRequest(number: number): Promise<PullRequest> {
    return (await this.requireReview(number)).pullRequest
  }

  async createPullRequest(input: {head: string; base: string; title: string; body: string; draft?: boolean}): Promise<PullRequest> {
    if (input.head === input.base) throw new FlowError('FORGE_CONFLICT', `Cannot open a review request from ${input.head} into itself`, {hint: 'Start a feature branch first.'})
    const existing = await this.findPullRequest({head: input.head, base: input.base, state: 'open'})
    if (existing) {
      throw new FlowError('FORGE_CONFLICT', `A review request already exists for ${input.head} into ${input.base}: ${reviewId(existing.number)}`, {hint: 'Update it instead of opening another.'})
    }
    const number = await this.nextSharedNumber()
    const id = reviewId(number)
    const events = await this.records.append('reviews', id, this.event('opened', {number, title: input.title, body: input.body, head: input.head, base: input.base, draft: input.draft ?? false}))
    return foldReview(id, [events])!.pullRequest
  }

  async updatePullRequest(number: number, patch: {title?: string; body?: string; base?: string; state?: 'open' | 'closed'}): Promise<PullRequest> {
    const {pullRequest: pr} = await this.requireReview(number)
    const id = reviewId(number)
    const fields: Record<string, unknown> = {}
    if (patch.title !== undefined) fields.title = patch.title
    if (patch.body !== undefined) fields.body = patch.body
    if (patch.base !== undefined) fields.base = patch.base
    if (Object.keys(fields).length > 0) await this.records.append('reviews', id, this.event('updated', fields))
    if (patch.state !== undefined && patch.state !== pr.state) {
      if (pr.state === 'merged') throw new FlowError('FORGE_CONFLICT', `${id} is merged; it cannot be ${patch.state === 'open' ? 'reopened' : 'closed'}`)
      await this.records.append('reviews', id, this.event(patch.state === 'closed' ? 'closed' : 'reopened', {}))
    }
    return this.getPullRequest(number)
  }

  /**
   * Records that a review request was merged. The git merge itself (and the push) is done by the feature
   * commands' steps; this only marks the record merged, and refuses one that is not open.
   */
  async mergePullRequest(number: number, input: {method: 'merge' | 'squash' | 'rebase'; sha?: string; title?: string; message?: string}): Promise<{merged: boolean; sha?: string}> {
    const {pullRequest: pr} = await this.requireReview(number)
    if (pr.state !== 'open') {
      throw new FlowError('FORGE_CONFLICT', `${reviewId(number)} is ${pr.state}, not open; it cannot be merged`, {hint: 'Open a new review request for further changes.'})
    }
    await this.records.append('reviews', reviewId(number), this.event('merged', {
      method: input.method,
      ...(input.sha ? {sha: input.sha} : {}),
      ...(input.title ? {title: input.title} : {}),
      ...(input.message ? {message: input.message} : {}),
    }))
    return {merged: true, ...(input.sha ? {sha: input.sha} : {})}
  }

  async listReviews(number: number): Promise<Review[]> {
    return (await this.requireReview(number)).reviews
  }

  async createReview(number: number, input: {event: 'APPROVE' | 'REQUEST_CHANGES' | 'COMMENT'; body?: string}): Promise<Review> {
    const {pullRequest: pr} = await this.requireReview(number)
    if (pr.state !== 'open') throw new FlowError('FORGE_CONFLICT', `${reviewId(number)} is ${pr.state}; only open review requests can be reviewed`)
    const id = this.options.ids.ulid()
    const event = await this.records.append('reviews', reviewId(number), this.event('reviewed', {reviewId: id, state: REVIEW_STATE[input.event], ...(input.body ? {body: input.body} : {})}))
    return {id, author: event.actor ?? 'local', state: REVIEW_STATE[input.event], ...(input.body ? {body: input.body} : {}), submittedAt: event.at}
  }

  async findReleaseByTag(tag: string): Promise<Release | undefined> {
    return foldRelease(tag, await this.records.events('releases', tag))
  }

  async createRelease(input: {tag: string; name: string; body: string; draft?: boolean; prerelease?: boolean; target?: string}): Promise<Release> {
    if (await this.findReleaseByTag(input.tag)) throw new FlowError('FORGE_CONFLICT', `A release for ${input.tag} already exists in the local records`, {hint: 'Update it, or cut a new version.'})
    const event = await this.records.append('releases', input.tag, this.event('created', {
      tag: input.tag, name: input.name, body: input.body, draft: input.draft ?? false, prerelease: input.prerelease ?? false,
      ...(input.target ? {target: input.target} : {}),
    }))
    return foldRelease(input.tag, [event])!
  }

  async updateRelease(id: number | string, patch: {name?: string; body?: string; draft?: boolean; prerelease?: boolean}): Promise<Release> {
    const tag = String(id)
    if (!(await this.findReleaseByTag(tag))) throw new FlowError('FORGE_NOT_FOUND', `No release ${tag} in the local records`)
    const fields = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined))
    if (Object.keys(fields).length > 0) await this.records.append('releases', tag, this.event('updated', fields))
    return (await this.findReleaseByTag(tag))!
  }

  private async requireIssue(number: number): Promise<ForgeIssue & {comments: number}> {
    const issue = foldIssue(issueId(number), await this.records.events('issues', issueId(number)))
    if (!issue) throw new FlowError('FORGE_NOT_FOUND', `Issue ${issueId(number)} does not exist in the local records`)
    return issue
  }

  private plainIssue(issue: ForgeIssue & {comments?: number}): ForgeIssue {
    const {comments: _comments, ...rest} = issue
    return rest
  }

  async createIssue(input: {title: string; body: string; labels?: string[]}): Promise<ForgeIssue> {
    const number = await this.nextSharedNumber()
    const event = await this.records.append('issues', issueId(number), this.event('opened', {number, title: input.title, body: input.body, labels: input.labels ?? []}))
    return this.plainIssue(foldIssue(issueId(number), [event])!)
  }

  async updateIssue(number: number, patch: {title?: string; body?: string; state?: 'open' | 'closed'; labels?: string[]}): Promise<ForgeIssue> {
    const issue = await this.requireIssue(number)
    const fields: Record<string, unknown> = {}
    if (patch.title !== undefined) fields.title = patch.title
    if (patch.body !== undefined) fields.body = patch.body
    if (patch.labels !== undefined) fields.labels = patch.labels
    if (Object.keys(fields).length > 0) await this.records.append('issues', issueId(number), this.event('updated', fields))
    if (patch.state !== undefined && patch.state !== issue.state) await this.records.append('issues', issueId(number), this.event(patch.state === 'closed' ? 'closed' : 'reopened', {}))
    return this.plainIssue(await this.requireIssue(number))
  }

  async findIssues(query: {labels?: string[]; state?: 'open' | 'closed' | 'all'}): Promise<ForgeIssue[]> {
    const state = query.state ?? 'open'
    const out: ForgeIssue[] = []
    for (const [id, events] of await this.records.collection('issues')) {
      const issue = foldIssue(id, events)
      if (!issue) continue
      if (state !== 'all' && issue.state !== state) continue
      if (query.labels && !query.labels.every((l) => issue.labels.includes(l))) continue
      out.push(this.plainIssue(issue))
    }
    return out.sort((a, b) => b.number - a.number)
  }

  async addComment(issueNumber: number, body: string): Promise<{id: number | string; url: string}> {
    const id = this.options.ids.ulid()
    if (await this.review(issueNumber)) {
      await this.records.append('reviews', reviewId(issueNumber), this.event('commented', {commentId: id, body}))
      return {id, url: recordUrl('reviews', reviewId(issueNumber), `comment-${id}`)}
    }
    await this.requireIssue(issueNumber)
    await this.records.append('issues', issueId(issueNumber), this.event('commented', {commentId: id, body}))
    return {id, url: recordUrl('issues', issueId(issueNumber), `comment-${id}`)}
  }

  async createDeployment(input: {ref: string; environment: string; description?: string; payload?: Record<string, unknown>; productionEnvironment?: boolean; transientEnvironment?: boolean}): Promise<Deployment> {
    let sha = /^[0-9a-f]{40}$/i.test(input.ref) ? input.ref : ''
    if (!sha && this.options.resolveRef) {
      sha = (await this.options.resolveRef(input.ref)) ?? ''
      if (!sha) throw new FlowError('FORGE_CONFLICT', `No commit found for ref ${input.ref}`, {hint: 'Deploy a branch, tag or sha that exists locally (git fetch first).'})
    }
    const id = deploymentId(await this.records.nextNumber('deployments'))
    const event = await this.records.append('deployments', id, this.event('created', {
      ref: input.ref, sha, environment: input.environment,
      ...(input.description ? {description: input.description} : {}),
      ...(input.payload ? {payload: input.payload} : {}),
      ...(input.productionEnvironment === undefined ? {} : {productionEnvironment: input.productionEnvironment}),
      ...(input.transientEnvironment === undefined ? {} : {transientEnvironment: input.transientEnvironment}),
    }))
    return foldDeployment(id, [event])!
  }

  async createDeploymentStatus(id: number | string, input: {state: DeploymentState; description?: string; environmentUrl?: string; logUrl?: string}): Promise<void> {
    const recordId = typeof id === 'number' ? deploymentId(id) : id
    if (!foldDeployment(recordId, await this.records.events('deployments', recordId))) throw new FlowError('FORGE_NOT_FOUND', `Deployment ${recordId} does not exist in the local records`)
    await this.records.append('deployments', recordId, this.event('status', {
      state: input.state,
      ...(input.description ? {description: input.description} : {}),
      ...(input.environmentUrl ? {environmentUrl: input.environmentUrl} : {}),
      ...(input.logUrl ? {logUrl: input.logUrl} : {}),
    }))
  }

  async listDeployments(query: {environment?: string; sha?: string}): Promise<Deployment[]> {
    const out: Deployment[] = []
    for (const [id, events] of await this.records.collection('deployments')) {
      const deployment = foldDeployment(id, events)
      if (!deployment) continue
      if (query.environment !== undefined && deployment.environment !== query.environment) continue
      if (query.sha !== undefined && deployment.sha !== query.sha) continue
      out.push(deployment)
    }
    return out.sort((a, b) => (numberOf(String(b.id)) ?? 0) - (numberOf(String(a.id)) ?? 0))
  }
}
