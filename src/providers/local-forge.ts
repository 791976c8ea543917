import {FlowError} from '../core/errors.js'
import {
  deploymentId,
  foldDeployment,
  foldIssue,
  foldRelease,
  foldReview,
  issueId,
  recordUrl,
  reviewId,
  type FoldedReview,
} from '../core/forge/local-records.js'
import type {Clock, Deployment, DeploymentState, Forge, ForgeIssue, Ids, PullRequest, PullRequestMeta, RecordEvent, RecordStore, Release, Review} from '../core/ports.js'
import {resolveNumbers, trailingNumber, type NumberedRecord, type Numbering} from '../core/records/numbering.js'

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

/** Collections whose records share one sequence of numbers, and the event that creates a record. */
interface NumberSpace {
  collections: Array<{collection: string; id: (n: number) => string}>
  isRoot: (event: RecordEvent) => boolean
}

const SHARED: NumberSpace = {collections: [{collection: 'reviews', id: reviewId}, {collection: 'issues', id: issueId}], isRoot: (e) => e.type === 'opened'}
const DEPLOYMENTS: NumberSpace = {collections: [{collection: 'deployments', id: deploymentId}], isRoot: (e) => e.type === 'created'}

const REVIEW_STATE = {APPROVE: 'approved', REQUEST_CHANGES: 'changes_requested', COMMENT: 'commented'} as const

/**
 * The forge with no server and no token: pull requests are review-request records (`reviews/PR-n`),
 * releases, issues and deployments are records too, and every state is folded from the records' events.
 *
 * Numbers are resolved on every read (core/records/numbering.ts), so two clones that both created `PR-1` offline
 * show the same two numbers after a sync; every event after a record's first names that first event in `data.root`.
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

  /** Appends an event to an existing record, naming the record's first event. */
  private async appendTo(record: NumberedRecord, type: string, data: Record<string, unknown>) {
    return this.records.append(record.collection, record.recordId, this.event(type, {...data, root: record.rootId}))
  }

  /** Every record of a number space, numbers resolved. */
  private async numbering(space: NumberSpace): Promise<Numbering> {
    const collections = await Promise.all(space.collections.map(async ({collection}) => ({collection, records: await this.records.collection(collection)})))
    return resolveNumbers(collections, space.isRoot)
  }

  /** Pull requests and issues share one number space, as on GitHub, so a comment's target is never ambiguous. */
  private shared(): Promise<Numbering> {
    return this.numbering(SHARED)
  }

  private deployments(): Promise<Numbering> {
    return this.numbering(DEPLOYMENTS)
  }

  /**
   * The record shown as `number`. When exactly one record claims the number (the usual case), it is that record's,
   * read from its own directories; otherwise (a collision, or a number given to a collided record) every record of
   * the space is resolved.
   */
  private async byNumber(space: NumberSpace, number: number): Promise<NumberedRecord | undefined> {
    const own = await Promise.all(space.collections.map(async ({collection, id}) => ({collection, records: new Map([[id(number), await this.records.events(collection, id(number))]])})))
    const claims = resolveNumbers(own, space.isRoot).records
    if (claims.length === 1) return claims[0]
    return (await this.numbering(space)).records.find((r) => r.number === number)
  }

  /** The record a creating event just written to number `claimed` became (its number may differ when another clone claimed it too). */
  private async created(space: NumberSpace, claimed: number, rootId: string): Promise<NumberedRecord> {
    const mine = await this.byNumber(space, claimed)
    const record = mine?.rootId === rootId ? mine : (await this.numbering(space)).records.find((r) => r.rootId === rootId)
    if (!record) throw new FlowError('RECORDS_INVALID', `The record just written (${rootId}) cannot be read back from flow/records`)
    return record
  }

  private async reviewRecord(number: number): Promise<NumberedRecord | undefined> {
    const record = await this.byNumber(SHARED, number)
    return record?.collection === 'reviews' ? record : undefined
  }

  private async requireReview(number: number): Promise<{record: NumberedRecord; folded: FoldedReview}> {
    const record = await this.reviewRecord(number)
    const folded = record && foldReview(reviewId(number), record.events)
    if (!record || !folded) throw new FlowError('FORGE_NOT_FOUND', `Review request ${reviewId(number)} does not exist in the local records`, {hint: 'List them with `flow feature list`.'})
    return {record, folded}
  }

  private allReviews(numbering: Numbering): FoldedReview[] {
    const out: FoldedReview[] = []
    for (const record of numbering.records) {
      if (record.collection !== 'reviews') continue
      const folded = foldReview(reviewId(record.number), record.events)
      if (folded) out.push(folded)
    }
    return out.sort((a, b) => b.pullRequest.number - a.pullRequest.number)
  }

  async findPullRequest(query: {head: string; base?: string; state?: 'open' | 'closed' | 'all'}): Promise<PullRequest | undefined> {
    return this.matchPullRequest(query, await this.shared())
  }

  private matchPullRequest(query: {head: string; base?: string; state?: 'open' | 'closed' | 'all'}, numbering: Numbering): PullRequest | undefined {
    const state = query.state ?? 'open'
    for (const {pullRequest: pr} of this.allReviews(numbering)) {
      if (pr.head !== query.head || (query.base !== undefined && pr.base !== query.base)) continue
      if (state === 'open' && pr.state !== 'open') continue
      if (state === 'closed' && pr.state === 'open') continue
      return pr
    }
    return undefined
  }

  async getPullRequest(number: number): Promise<PullRequest> {
    return (await this.requireReview(number)).folded.pullRequest
  }

  async createPullRequest(input: {head: string; base: string; title: string; body: string; draft?: boolean}): Promise<PullRequest> {
    if (input.head === input.base) throw new FlowError('FORGE_CONFLICT', `Cannot open a review request from ${input.head} into itself`, {hint: 'Start a feature branch first.'})
    const numbering = await this.shared()
    const existing = this.matchPullRequest({head: input.head, base: input.base, state: 'open'}, numbering)
    if (existing) {
      throw new FlowError('FORGE_CONFLICT', `A review request already exists for ${input.head} into ${input.base}: ${reviewId(existing.number)}`, {hint: 'Update it instead of opening another.'})
    }
    const number = numbering.next
    const opened = await this.records.append('reviews', reviewId(number), this.event('opened', {number, title: input.title, body: input.body, head: input.head, base: input.base, draft: input.draft ?? false}))
    const record = await this.created(SHARED, number, opened.id)
    return foldReview(reviewId(record.number), record.events)!.pullRequest
  }

  async updatePullRequest(number: number, patch: {title?: string; body?: string; base?: string; state?: 'open' | 'closed'}): Promise<PullRequest> {
    const {record, folded: {pullRequest: pr}} = await this.requireReview(number)
    const fields: Record<string, unknown> = {}
    if (patch.title !== undefined) fields.title = patch.title
    if (patch.body !== undefined) fields.body = patch.body
    if (patch.base !== undefined) fields.base = patch.base
    if (Object.keys(fields).length > 0) await this.appendTo(record, 'updated', fields)
    if (patch.state !== undefined && patch.state !== pr.state) {
      if (pr.state === 'merged') throw new FlowError('FORGE_CONFLICT', `${reviewId(number)} is merged; it cannot be ${patch.state === 'open' ? 'reopened' : 'closed'}`)
      await this.appendTo(record, patch.state === 'closed' ? 'closed' : 'reopened', {})
    }
    return this.getPullRequest(number)
  }

  /** Records a review request event naming reviewers, labels and assignees (the local forge notifies no one). */
  async updatePullRequestMeta(number: number, meta: PullRequestMeta): Promise<void> {
    const {record} = await this.requireReview(number)
    const data: Record<string, unknown> = {}
    for (const key of ['reviewers', 'teamReviewers', 'labels', 'assignees'] as const) if (meta[key] && meta[key].length > 0) data[key] = meta[key]
    if (Object.keys(data).length > 0) await this.appendTo(record, 'review-requested', data)
  }

  /**
   * Records that a review request was merged. The git merge itself (and the push) is done by the feature
   * commands' steps; this only marks the record merged, and refuses one that is not open.
   */
  async mergePullRequest(number: number, input: {method: 'merge' | 'squash' | 'rebase'; sha?: string; title?: string; message?: string}): Promise<{merged: boolean; sha?: string}> {
    const {record, folded: {pullRequest: pr}} = await this.requireReview(number)
    if (pr.state !== 'open') {
      throw new FlowError('FORGE_CONFLICT', `${reviewId(number)} is ${pr.state}, not open; it cannot be merged`, {hint: 'Open a new review request for further changes.'})
    }
    await this.appendTo(record, 'merged', {
      method: input.method,
      ...(input.sha ? {sha: input.sha} : {}),
      ...(input.title ? {title: input.title} : {}),
      ...(input.message ? {message: input.message} : {}),
    })
    return {merged: true, ...(input.sha ? {sha: input.sha} : {})}
  }

  async listReviews(number: number): Promise<Review[]> {
    return (await this.requireReview(number)).folded.reviews
  }

  async createReview(number: number, input: {event: 'APPROVE' | 'REQUEST_CHANGES' | 'COMMENT'; body?: string}): Promise<Review> {
    const {record, folded: {pullRequest: pr}} = await this.requireReview(number)
    if (pr.state !== 'open') throw new FlowError('FORGE_CONFLICT', `${reviewId(number)} is ${pr.state}; only open review requests can be reviewed`)
    const id = this.options.ids.ulid()
    const event = await this.appendTo(record, 'reviewed', {reviewId: id, state: REVIEW_STATE[input.event], ...(input.body ? {body: input.body} : {})})
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

  async deleteRelease(id: number | string): Promise<void> {
    const tag = String(id)
    if (!(await this.findReleaseByTag(tag))) throw new FlowError('FORGE_NOT_FOUND', `No release ${tag} in the local records`)
    await this.records.append('releases', tag, this.event('deleted', {}))
  }

  private async requireIssue(number: number): Promise<{record: NumberedRecord; issue: ForgeIssue & {comments: number}}> {
    const found = await this.byNumber(SHARED, number)
    const record = found?.collection === 'issues' ? found : undefined
    const issue = record && foldIssue(issueId(number), record.events)
    if (!record || !issue) throw new FlowError('FORGE_NOT_FOUND', `Issue ${issueId(number)} does not exist in the local records`)
    return {record, issue}
  }

  private plainIssue(issue: ForgeIssue & {comments?: number}): ForgeIssue {
    const {comments: _comments, ...rest} = issue
    return rest
  }

  async createIssue(input: {title: string; body: string; labels?: string[]}): Promise<ForgeIssue> {
    const number = (await this.shared()).next
    const opened = await this.records.append('issues', issueId(number), this.event('opened', {number, title: input.title, body: input.body, labels: input.labels ?? []}))
    const record = await this.created(SHARED, number, opened.id)
    return this.plainIssue(foldIssue(issueId(record.number), record.events)!)
  }

  async updateIssue(number: number, patch: {title?: string; body?: string; state?: 'open' | 'closed'; labels?: string[]}): Promise<ForgeIssue> {
    const {record, issue} = await this.requireIssue(number)
    const fields: Record<string, unknown> = {}
    if (patch.title !== undefined) fields.title = patch.title
    if (patch.body !== undefined) fields.body = patch.body
    if (patch.labels !== undefined) fields.labels = patch.labels
    if (Object.keys(fields).length > 0) await this.appendTo(record, 'updated', fields)
    if (patch.state !== undefined && patch.state !== issue.state) await this.appendTo(record, patch.state === 'closed' ? 'closed' : 'reopened', {})
    return this.plainIssue((await this.requireIssue(number)).issue)
  }

  async findIssues(query: {labels?: string[]; state?: 'open' | 'closed' | 'all'}): Promise<ForgeIssue[]> {
    const state = query.state ?? 'open'
    const out: ForgeIssue[] = []
    for (const record of (await this.shared()).records) {
      if (record.collection !== 'issues') continue
      const issue = foldIssue(issueId(record.number), record.events)
      if (!issue) continue
      if (state !== 'all' && issue.state !== state) continue
      if (query.labels && !query.labels.every((l) => issue.labels.includes(l))) continue
      out.push(this.plainIssue(issue))
    }
    return out.sort((a, b) => b.number - a.number)
  }

  async addComment(issueNumber: number, body: string): Promise<{id: number | string; url: string}> {
    const id = this.options.ids.ulid()
    const record = await this.byNumber(SHARED, issueNumber)
    if (!record) throw new FlowError('FORGE_NOT_FOUND', `Issue ${issueId(issueNumber)} does not exist in the local records`)
    await this.appendTo(record, 'commented', {commentId: id, body})
    const shown = record.collection === 'reviews' ? reviewId(issueNumber) : issueId(issueNumber)
    return {id, url: recordUrl(record.collection, shown, `comment-${id}`)}
  }

  async createDeployment(input: {ref: string; environment: string; description?: string; payload?: Record<string, unknown>; productionEnvironment?: boolean; transientEnvironment?: boolean}): Promise<Deployment> {
    let sha = /^[0-9a-f]{40}$/i.test(input.ref) ? input.ref : ''
    if (!sha && this.options.resolveRef) {
      sha = (await this.options.resolveRef(input.ref)) ?? ''
      if (!sha) throw new FlowError('FORGE_CONFLICT', `No commit found for ref ${input.ref}`, {hint: 'Deploy a branch, tag or sha that exists locally (git fetch first).'})
    }
    const number = (await this.deployments()).next
    const created = await this.records.append('deployments', deploymentId(number), this.event('created', {
      ref: input.ref, sha, environment: input.environment,
      ...(input.description ? {description: input.description} : {}),
      ...(input.payload ? {payload: input.payload} : {}),
      ...(input.productionEnvironment === undefined ? {} : {productionEnvironment: input.productionEnvironment}),
      ...(input.transientEnvironment === undefined ? {} : {transientEnvironment: input.transientEnvironment}),
    }))
    const record = await this.created(DEPLOYMENTS, number, created.id)
    return foldDeployment(deploymentId(record.number), record.events)!
  }

  async createDeploymentStatus(id: number | string, input: {state: DeploymentState; description?: string; environmentUrl?: string; logUrl?: string}): Promise<void> {
    const number = typeof id === 'number' ? id : trailingNumber(id)
    const record = number === undefined ? undefined : await this.byNumber(DEPLOYMENTS, number)
    if (!record || (typeof id === 'string' && id !== deploymentId(record.number))) {
      throw new FlowError('FORGE_NOT_FOUND', `Deployment ${typeof id === 'number' ? deploymentId(id) : id} does not exist in the local records`)
    }
    await this.appendTo(record, 'status', {
      state: input.state,
      ...(input.description ? {description: input.description} : {}),
      ...(input.environmentUrl ? {environmentUrl: input.environmentUrl} : {}),
      ...(input.logUrl ? {logUrl: input.logUrl} : {}),
    })
  }

  async listDeployments(query: {environment?: string; sha?: string}): Promise<Deployment[]> {
    const out: Deployment[] = []
    for (const record of (await this.deployments()).records) {
      const deployment = foldDeployment(deploymentId(record.number), record.events)
      if (!deployment) continue
      if (query.environment !== undefined && deployment.environment !== query.environment) continue
      if (query.sha !== undefined && deployment.sha !== query.sha) continue
      out.push(deployment)
    }
    return out.sort((a, b) => (trailingNumber(String(b.id)) ?? 0) - (trailingNumber(String(a.id)) ?? 0))
  }
}
