import type {Deployment, DeploymentState, ForgeIssue, PullRequest, RecordEvent, Release, Review} from '../ports.js'

/** The record id of a local review request (`PR-3`). */
export const reviewId = (n: number): string => `PR-${n}`
/** The record id of a local issue (`ISSUE-4`). */
export const issueId = (n: number): string => `ISSUE-${n}`
/** The record id of a local deployment (`DEP-2`). */
export const deploymentId = (n: number): string => `DEP-${n}`
/** The `flow://` address of a local record, used as its `url`. */
export const recordUrl = (collection: string, id: string, fragment?: string): string =>
  `flow://${collection}/${encodeURIComponent(id)}${fragment ? `#${fragment}` : ''}`

type Data = Record<string, unknown>
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined)

/** A local review request folded from its events, with its reviews and comments. */
export interface FoldedReview {
  pullRequest: PullRequest
  reviews: Review[]
  comments: Array<{id: string; body: string; author?: string; at: string}>
}

/**
 * Folds the events of one review request shown as `id` (`PR-n`: its number after collisions are resolved, see
 * core/records/numbering.ts); undefined when it was never opened.
 */
export function foldReview(id: string, events: RecordEvent[]): FoldedReview | undefined {
  const opened = events.find((e) => e.type === 'opened')
  if (!opened) return undefined
  const d = opened.data as Data
  const number = numberOf(id) ?? (typeof d.number === 'number' ? d.number : 0)
  const pr: PullRequest = {
    number,
    url: recordUrl('reviews', id),
    title: str(d.title) ?? '',
    body: str(d.body) ?? '',
    head: str(d.head) ?? '',
    base: str(d.base) ?? '',
    state: 'open',
    draft: bool(d.draft) ?? false,
    ...(str(d.headSha) ? {headSha: str(d.headSha)} : {}),
  }
  const reviews: Review[] = []
  const comments: FoldedReview['comments'] = []
  for (const event of events) {
    const e = event.data as Data
    switch (event.type) {
      case 'updated':
        if (str(e.title) !== undefined) pr.title = str(e.title)!
        if (str(e.body) !== undefined) pr.body = str(e.body)!
        if (str(e.base) !== undefined) pr.base = str(e.base)!
        if (bool(e.draft) !== undefined) pr.draft = bool(e.draft)!
        if (str(e.headSha) !== undefined) pr.headSha = str(e.headSha)
        break
      case 'closed':
        if (pr.state === 'open') pr.state = 'closed'
        break
      case 'reopened':
        if (pr.state === 'closed') pr.state = 'open'
        break
      case 'merged':
        pr.state = 'merged'
        if (str(e.sha)) pr.mergeSha = str(e.sha)
        break
      case 'reviewed':
        reviews.push({
          id: str(e.reviewId) ?? event.id,
          author: event.actor ?? 'local',
          state: (str(e.state) as Review['state']) ?? 'commented',
          ...(str(e.body) ? {body: str(e.body)} : {}),
          submittedAt: event.at,
        })
        break
      case 'commented':
        comments.push({id: str(e.commentId) ?? event.id, body: str(e.body) ?? '', author: event.actor, at: event.at})
        break
    }
  }
  return {pullRequest: pr, reviews, comments}
}

/** Folds the events of one `releases/<tag>` record; undefined when it was never created. */
export function foldRelease(id: string, events: RecordEvent[]): Release | undefined {
  let release: Release | undefined
  for (const event of events) {
    const e = event.data as Data
    if (event.type === 'created') {
      release = {
        id,
        tag: str(e.tag) ?? id,
        name: str(e.name) ?? id,
        body: str(e.body) ?? '',
        draft: bool(e.draft) ?? false,
        prerelease: bool(e.prerelease) ?? false,
        url: recordUrl('releases', id),
      }
    } else if (event.type === 'deleted') {
      release = undefined
    } else if (event.type === 'updated' && release) {
      if (str(e.name) !== undefined) release.name = str(e.name)!
      if (str(e.body) !== undefined) release.body = str(e.body)!
      if (bool(e.draft) !== undefined) release.draft = bool(e.draft)!
      if (bool(e.prerelease) !== undefined) release.prerelease = bool(e.prerelease)!
    }
  }
  return release
}

/** Folds the events of one issue shown as `id` (`ISSUE-n`, its resolved number); undefined when it was never opened. */
export function foldIssue(id: string, events: RecordEvent[]): (ForgeIssue & {comments: number}) | undefined {
  const opened = events.find((e) => e.type === 'opened')
  if (!opened) return undefined
  const d = opened.data as Data
  const issue: ForgeIssue & {comments: number} = {
    number: numberOf(id) ?? (typeof d.number === 'number' ? d.number : 0),
    url: recordUrl('issues', id),
    title: str(d.title) ?? '',
    body: str(d.body) ?? '',
    state: 'open',
    labels: Array.isArray(d.labels) ? d.labels.filter((l): l is string => typeof l === 'string') : [],
    comments: 0,
  }
  for (const event of events) {
    const e = event.data as Data
    if (event.type === 'updated') {
      if (str(e.title) !== undefined) issue.title = str(e.title)!
      if (str(e.body) !== undefined) issue.body = str(e.body)!
      if (Array.isArray(e.labels)) issue.labels = e.labels.filter((l): l is string => typeof l === 'string')
    } else if (event.type === 'closed') {
      issue.state = 'closed'
    } else if (event.type === 'reopened') {
      issue.state = 'open'
    } else if (event.type === 'commented') {
      issue.comments++
    }
  }
  return issue
}

/** Folds the events of one deployment shown as `id` (`DEP-n`, its resolved number): its latest status is the last `status` event. */
export function foldDeployment(id: string, events: RecordEvent[]): Deployment | undefined {
  const created = events.find((e) => e.type === 'created')
  if (!created) return undefined
  const d = created.data as Data
  const deployment: Deployment = {
    id,
    ref: str(d.ref) ?? '',
    sha: str(d.sha) ?? '',
    environment: str(d.environment) ?? '',
    ...(str(d.description) ? {description: str(d.description)} : {}),
    createdAt: created.at,
  }
  for (const event of events) {
    if (event.type === 'status') deployment.state = str((event.data as Data).state) as DeploymentState
  }
  return deployment
}

/** The number in a record id such as `PR-12`, or undefined. */
export function numberOf(id: string): number | undefined {
  const match = /-(\d+)$/.exec(id)
  return match ? Number(match[1]) : undefined
}
