import type {Octokit} from '@octokit/rest'
import {FlowError, isFlowError} from '../core/errors.js'
import type {Deployment, DeploymentState, EnforcedBranchRules, Forge, ForgeEnvironment, ForgeIssue, ForgeSettings, PullRequest, PullRequestMeta, Release, Review} from '../core/ports.js'
import {redact, registerSecret} from '../core/redact.js'

/** What the GitHub forge is built from. */
export interface GitHubForgeOptions {
  /** Sent as the Authorization header; never put into a message. */
  token: string
  owner: string
  repo: string
  /** The GitHub host (github.com or the Enterprise host), for messages. */
  host: string
  /** REST API base, e.g. https://api.github.com. */
  baseUrl: string
  /** `flow/<version>`. */
  userAgent: string
  /** Replaces the global fetch (tests pass the fake GitHub's). */
  fetch?: typeof globalThis.fetch
  /** Milliseconds one HTTP request may take before it is abandoned (default 30 s). */
  timeoutMs?: number
  /** Retries of a 5xx, network error or rate limit (default 3). */
  retries?: number
  /** Milliseconds per unit of retry backoff and per second of `retry-after` (default 1000). */
  retryBaseMs?: number
  /** A rate limit whose reset is further away than this (seconds) fails at once (default 60). */
  maxRateLimitWaitSeconds?: number
  /** Minimum spacing of write requests in milliseconds (default 0: a CLI makes a handful; limits are handled by retry-after). */
  writeIntervalMs?: number
  /** Where warnings go (retries, deprecations); already redacted. */
  onWarn?: (message: string) => void
}

/** A Bottleneck-compatible group that only spaces jobs out, so writes are not held a full second each. */
function spacingGroup(intervalMs: number) {
  let next = 0
  const limiter = {
    async schedule(...args: unknown[]) {
      const fnIndex = typeof args[0] === 'function' ? 0 : 1
      const fn = args[fnIndex] as (...a: unknown[]) => unknown
      const now = Date.now()
      const wait = next - now
      next = Math.max(now, next) + intervalMs
      if (wait > 0) await new Promise((r) => setTimeout(r, wait))
      return fn(...args.slice(fnIndex + 1))
    },
  }
  return {key: () => limiter}
}

/** Raised by the timed fetch when a request outlives its timeout. */
class RequestTimeout extends Error {
  override name = 'TimeoutError'
}

function timedFetch(base: typeof globalThis.fetch, timeoutMs: number): typeof globalThis.fetch {
  return async (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs)
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout
    try {
      return await base(input, {...init, signal})
    } catch (error) {
      if (timeout.aborted) throw new RequestTimeout(`no answer within ${Math.round(timeoutMs / 1000)} s`)
      throw error
    }
  }
}

interface HttpFailure {
  status?: number
  message?: string
  response?: {headers?: Record<string, string | undefined>; data?: unknown}
  cause?: unknown
  name?: string
}

function githubMessage(data: unknown, fallback: string): string {
  if (data && typeof data === 'object' && 'message' in data && typeof data.message === 'string') {
    const errors = 'errors' in data && Array.isArray(data.errors) ? data.errors : []
    const details = errors
      .map((e: unknown) => (typeof e === 'string' ? e : e && typeof e === 'object' ? ('message' in e && typeof e.message === 'string' ? e.message : [('field' in e ? e.field : undefined), ('code' in e ? e.code : undefined)].filter(Boolean).join(' ')) : ''))
      .filter(Boolean)
    return details.length > 0 ? `${data.message}: ${details.join('; ')}` : data.message
  }
  if (typeof data === 'string' && data.trim() !== '' && data.length < 300) return data.trim()
  return fallback
}

/** Turns an Octokit failure into a FlowError whose message and hint never contain the token. */
export function toForgeError(error: unknown, action: string, where: {host: string; owner: string; repo: string; baseUrl: string}): Error {
  if (isFlowError(error)) return error
  const failure = (error ?? {}) as HttpFailure
  const status = typeof failure.status === 'number' ? failure.status : undefined
  const isHttp = status !== undefined || (error instanceof Error && ['TimeoutError', 'AbortError', 'HttpError'].includes(error.name))
  if (!isHttp) return error instanceof Error ? error : new Error(String(error))
  const headers = failure.response?.headers ?? {}
  const data = failure.response?.data
  const text = redact(githubMessage(data, failure.message ?? 'no message'))
  const repo = `${where.owner}/${where.repo}`
  const details = {status, ...(headers['x-github-request-id'] ? {requestId: headers['x-github-request-id']} : {})}
  const rateLimited = status === 429 || (status === 403 && (headers['x-ratelimit-remaining'] === '0' || /rate limit/i.test(text)))
  if (status === 401) {
    return new FlowError('FORGE_AUTH', `GitHub (${where.host}) rejected the token while ${action}: ${text}`, {
      hint: 'Set GH_TOKEN (or GITHUB_TOKEN) to a valid token, or run `gh auth login`.', details,
    })
  }
  if (rateLimited) {
    const reset = Number(headers['x-ratelimit-reset'])
    const when = Number.isFinite(reset) && reset > 0 ? ` (the limit resets at ${new Date(reset * 1000).toISOString()})` : ''
    return new FlowError('FORGE_UNAVAILABLE', `GitHub's rate limit stopped ${action}${when}: ${text}`, {
      hint: 'Wait a while, then run the command again (or `flow continue` if the run paused).', details,
    })
  }
  if (status === 403) {
    return new FlowError('FORGE_PERMISSION', `GitHub refused ${action} on ${repo}: ${text}`, {
      hint: `The token needs write access to ${repo} (classic: the repo scope; fine-grained: contents, pull requests, issues, deployments).`, details,
    })
  }
  if (status === 404) {
    return new FlowError('FORGE_NOT_FOUND', `GitHub found nothing while ${action} on ${repo}: ${text}`, {
      hint: `Check that ${repo} exists on ${where.host} and that the token can see it (private repositories answer 404 without access).`, details,
    })
  }
  if (status !== undefined && status >= 400 && status < 500) {
    return new FlowError('FORGE_CONFLICT', `GitHub refused ${action} on ${repo}: ${text}`, {details})
  }
  const cause = failure.cause as {name?: string; message?: string} | undefined
  const reason = failure.name === 'TimeoutError' || cause?.name === 'TimeoutError'
    ? 'it did not answer in time'
    : status !== undefined && status >= 500 && failure.response ? `it answered ${status}: ${text}` : `the request failed: ${text}`
  return new FlowError('FORGE_UNAVAILABLE', `GitHub (${where.baseUrl}) was unavailable while ${action}: ${redact(reason)}`, {
    hint: 'Check the network (and https://www.githubstatus.com), then run the command again (or `flow continue` if the run paused).', details,
  })
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- GitHub objects of several operations' shapes, read defensively
type Json = Record<string, any>

const REVIEW_STATES: Record<string, Review['state']> = {
  APPROVED: 'approved', CHANGES_REQUESTED: 'changes_requested', COMMENTED: 'commented', DISMISSED: 'dismissed', PENDING: 'pending',
}

function toPullRequest(pr: Json): PullRequest {
  const merged = pr.merged === true || Boolean(pr.merged_at)
  return {
    number: pr.number,
    url: pr.html_url,
    title: pr.title ?? '',
    body: pr.body ?? '',
    head: pr.head?.ref ?? '',
    base: pr.base?.ref ?? '',
    state: merged ? 'merged' : pr.state === 'closed' ? 'closed' : 'open',
    draft: pr.draft === true,
    ...(pr.head?.sha ? {headSha: pr.head.sha} : {}),
    ...(merged && pr.merge_commit_sha ? {mergeSha: pr.merge_commit_sha} : {}),
  }
}

function toReview(review: Json): Review {
  return {
    id: review.id,
    author: review.user?.login ?? 'ghost',
    state: REVIEW_STATES[review.state] ?? 'commented',
    ...(review.body ? {body: review.body} : {}),
    ...(review.submitted_at ? {submittedAt: review.submitted_at} : {}),
  }
}

function toRelease(release: Json): Release {
  return {
    id: release.id,
    tag: release.tag_name,
    name: release.name ?? release.tag_name,
    body: release.body ?? '',
    draft: release.draft === true,
    prerelease: release.prerelease === true,
    url: release.html_url,
  }
}

function toIssue(issue: Json): ForgeIssue {
  return {
    number: issue.number,
    url: issue.html_url,
    title: issue.title ?? '',
    body: issue.body ?? '',
    state: issue.state === 'closed' ? 'closed' : 'open',
    labels: (issue.labels ?? []).map((l: string | {name?: string}) => (typeof l === 'string' ? l : l.name ?? '')).filter(Boolean),
    ...(issue.created_at ? {createdAt: issue.created_at} : {}),
    ...(issue.closed_at ? {closedAt: issue.closed_at} : {}),
  }
}

function toDeployment(d: Json, state?: DeploymentState): Deployment {
  return {
    id: d.id,
    ref: d.ref,
    sha: d.sha,
    environment: d.environment,
    ...(d.description ? {description: d.description} : {}),
    createdAt: d.created_at,
    ...(state ? {state} : {}),
  }
}

/** Classic branch protection as the rules it enforces (an absent allow_* means GitHub's default: blocked). */
function protectionRules(p: Json): EnforcedBranchRules {
  const reviews = p.required_pull_request_reviews
  const checks = p.required_status_checks
  const contexts = new Set<string>([...(checks?.contexts ?? []), ...((checks?.checks ?? []) as Json[]).map((c) => c.context)])
  return {
    source: 'branch protection',
    pullRequest: Boolean(reviews),
    approvals: reviews?.required_approving_review_count ?? 0,
    codeOwnerReview: reviews?.require_code_owner_reviews === true,
    dismissStaleReviews: reviews?.dismiss_stale_reviews === true,
    statusChecks: [...contexts].filter(Boolean).sort(),
    blocksForcePushes: p.allow_force_pushes?.enabled !== true,
    blocksDeletions: p.allow_deletions?.enabled !== true,
  }
}

/** The rules of every ruleset that applies to a branch, merged (the strictest wins), or undefined when there are none. */
function rulesetRules(rules: Json[]): EnforcedBranchRules | undefined {
  if (rules.length === 0) return undefined
  const ids = [...new Set(rules.map((r) => r.ruleset_id).filter((id) => id !== undefined))]
  const out: EnforcedBranchRules = {
    source: ids.length === 1 ? `ruleset ${ids[0]}` : `rulesets ${ids.join(', ')}`,
    pullRequest: false, approvals: 0, codeOwnerReview: false, dismissStaleReviews: false, statusChecks: [], blocksForcePushes: false, blocksDeletions: false,
  }
  for (const rule of rules) {
    const p = rule.parameters ?? {}
    if (rule.type === 'pull_request') {
      out.pullRequest = true
      out.approvals = Math.max(out.approvals, p.required_approving_review_count ?? 0)
      out.codeOwnerReview ||= p.require_code_owner_review === true
      out.dismissStaleReviews ||= p.dismiss_stale_reviews_on_push === true
    } else if (rule.type === 'required_status_checks') {
      out.statusChecks.push(...((p.required_status_checks ?? []) as Json[]).map((c) => c.context))
    } else if (rule.type === 'non_fast_forward') {
      out.blocksForcePushes = true
    } else if (rule.type === 'deletion') {
      out.blocksDeletions = true
    }
  }
  out.statusChecks = [...new Set(out.statusChecks)].filter(Boolean).sort()
  return out
}

function toEnvironment(e: Json): ForgeEnvironment {
  const rules = ((e.protection_rules ?? []) as Json[]).filter((r) => r.type === 'required_reviewers')
  const reviewers = rules.flatMap((r) => ((r.reviewers ?? []) as Json[]).map((x) => x.reviewer?.login ?? x.reviewer?.slug)).filter((x): x is string => typeof x === 'string')
  return {name: e.name, reviewers: [...new Set(reviewers)].sort(), requiresReview: rules.length > 0}
}

/** The forge on GitHub's REST API (github.com or Enterprise), through Octokit with retries and throttling. */
export class GitHubForge implements Forge, ForgeSettings {
  readonly kind = 'github' as const
  readonly describe: string

  constructor(private readonly octokit: Octokit, private readonly where: {host: string; owner: string; repo: string; baseUrl: string; retries?: number; retryBaseMs?: number}) {
    this.describe = `${where.host}/${where.owner}/${where.repo}`
  }

  private get repo() {
    return {owner: this.where.owner, repo: this.where.repo}
  }

  private async call<T>(action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (error) {
      throw toForgeError(error, action, this.where)
    }
  }

  /**
   * A create GitHub does not deduplicate (an issue, a comment, a deployment), made at most once: sent without the
   * retry plugin, and when the answer is lost (5xx, timeout, dropped connection: the create may have happened),
   * `find` looks for what it made before trying again. Refusals (4xx, rate limits) are handled as for any request.
   */
  private async createOnce<T>(create: (noRetry: {request: {retries: number}}) => Promise<T>, find: () => Promise<T | undefined>): Promise<T> {
    const retries = this.where.retries ?? 3
    for (let attempt = 0; ; attempt++) {
      try {
        return await create({request: {retries: 0}})
      } catch (error) {
        const status = (error as HttpFailure).status
        if ((status !== undefined && status < 500) || attempt >= retries) throw error
        const made = await find().catch(() => undefined)
        if (made !== undefined) return made
        await new Promise((resolve) => setTimeout(resolve, (attempt + 1) ** 2 * (this.where.retryBaseMs ?? 1000)))
      }
    }
  }

  findPullRequest(query: {head: string; base?: string; state?: 'open' | 'closed' | 'all'}): Promise<PullRequest | undefined> {
    return this.call(`looking for a pull request from ${query.head}`, async () => {
      const head = query.head.includes(':') ? query.head : `${this.where.owner}:${query.head}`
      const pages = this.octokit.paginate.iterator(this.octokit.rest.pulls.list, {
        ...this.repo, head, state: query.state ?? 'open', per_page: 100, ...(query.base ? {base: query.base} : {}),
      })
      for await (const page of pages) {
        const found = page.data.find((pr) => pr.head.ref === query.head.replace(/^[^:]*:/, '') && (!query.base || pr.base.ref === query.base))
        if (found) return toPullRequest(found)
      }
      return undefined
    })
  }

  getPullRequest(number: number): Promise<PullRequest> {
    return this.call(`reading pull request #${number}`, async () => toPullRequest((await this.octokit.rest.pulls.get({...this.repo, pull_number: number})).data))
  }

  createPullRequest(input: {head: string; base: string; title: string; body: string; draft?: boolean}): Promise<PullRequest> {
    return this.call(`opening a pull request from ${input.head} into ${input.base}`, async () => {
      const {data} = await this.octokit.rest.pulls.create({...this.repo, head: input.head, base: input.base, title: input.title, body: input.body, draft: input.draft ?? false})
      return toPullRequest(data)
    })
  }

  updatePullRequest(number: number, patch: {title?: string; body?: string; base?: string; state?: 'open' | 'closed'}): Promise<PullRequest> {
    return this.call(`updating pull request #${number}`, async () => {
      const {data} = await this.octokit.rest.pulls.update({...this.repo, pull_number: number, ...patch})
      return toPullRequest(data)
    })
  }

  async updatePullRequestMeta(number: number, meta: PullRequestMeta): Promise<void> {
    const reviewers = meta.reviewers ?? []
    const teams = meta.teamReviewers ?? []
    if (reviewers.length > 0 || teams.length > 0) {
      await this.call(`requesting reviews on pull request #${number}`, () =>
        this.octokit.rest.pulls.requestReviewers({...this.repo, pull_number: number, reviewers, team_reviewers: teams}))
    }
    if (meta.labels && meta.labels.length > 0) {
      await this.call(`labelling pull request #${number}`, () => this.octokit.rest.issues.addLabels({...this.repo, issue_number: number, labels: meta.labels!}))
    }
    if (meta.assignees && meta.assignees.length > 0) {
      await this.call(`assigning pull request #${number}`, () => this.octokit.rest.issues.addAssignees({...this.repo, issue_number: number, assignees: meta.assignees!}))
    }
  }

  mergePullRequest(number: number, input: {method: 'merge' | 'squash' | 'rebase'; sha?: string; title?: string; message?: string}): Promise<{merged: boolean; sha?: string}> {
    return this.call(`merging pull request #${number}`, async () => {
      const {data} = await this.octokit.rest.pulls.merge({
        ...this.repo, pull_number: number, merge_method: input.method,
        ...(input.sha ? {sha: input.sha} : {}), ...(input.title ? {commit_title: input.title} : {}), ...(input.message ? {commit_message: input.message} : {}),
      })
      return {merged: data.merged, ...(data.sha ? {sha: data.sha} : {})}
    })
  }

  listReviews(number: number): Promise<Review[]> {
    return this.call(`listing the reviews of pull request #${number}`, async () =>
      (await this.octokit.paginate(this.octokit.rest.pulls.listReviews, {...this.repo, pull_number: number, per_page: 100})).map((r) => toReview(r)))
  }

  createReview(number: number, input: {event: 'APPROVE' | 'REQUEST_CHANGES' | 'COMMENT'; body?: string}): Promise<Review> {
    return this.call(`reviewing pull request #${number}`, async () =>
      toReview((await this.octokit.rest.pulls.createReview({...this.repo, pull_number: number, event: input.event, ...(input.body ? {body: input.body} : {})})).data))
  }

  async findReleaseByTag(tag: string): Promise<Release | undefined> {
    try {
      return toRelease((await this.octokit.rest.repos.getReleaseByTag({...this.repo, tag})).data)
    } catch (error) {
      if ((error as HttpFailure)?.status !== 404) throw toForgeError(error, `looking for the release of ${tag}`, this.where)
    }
    // GitHub answers 404 by tag for drafts; they are only listed (newest first), so look at the recent ones.
    const listed = await this.call(`listing the releases to find a draft of ${tag}`, async () => (await this.octokit.rest.repos.listReleases({...this.repo, per_page: 100})).data)
    const draft = listed.find((r) => r.tag_name === tag)
    return draft ? toRelease(draft) : undefined
  }

  createRelease(input: {tag: string; name: string; body: string; draft?: boolean; prerelease?: boolean; target?: string}): Promise<Release> {
    return this.call(`creating the release ${input.tag}`, async () => toRelease((await this.octokit.rest.repos.createRelease({
      ...this.repo, tag_name: input.tag, name: input.name, body: input.body, draft: input.draft ?? false, prerelease: input.prerelease ?? false,
      ...(input.target ? {target_commitish: input.target} : {}),
    })).data))
  }

  updateRelease(id: number | string, patch: {name?: string; body?: string; draft?: boolean; prerelease?: boolean}): Promise<Release> {
    return this.call(`updating release ${id}`, async () => toRelease((await this.octokit.rest.repos.updateRelease({...this.repo, release_id: Number(id), ...patch})).data))
  }

  deleteRelease(id: number | string): Promise<void> {
    return this.call(`deleting release ${id}`, async () => {
      await this.octokit.rest.repos.deleteRelease({...this.repo, release_id: Number(id)})
    })
  }

  createIssue(input: {title: string; body: string; labels?: string[]}): Promise<ForgeIssue> {
    return this.call('opening an issue', () => this.createOnce(
      async (noRetry) => toIssue((await this.octokit.rest.issues.create({...this.repo, title: input.title, body: input.body, ...(input.labels ? {labels: input.labels} : {}), ...noRetry})).data),
      async () => (await this.findIssues({...(input.labels ? {labels: input.labels} : {}), state: 'all'})).find((i) => i.title === input.title && i.body === input.body),
    ))
  }

  updateIssue(number: number, patch: {title?: string; body?: string; state?: 'open' | 'closed'; labels?: string[]}): Promise<ForgeIssue> {
    return this.call(`updating issue #${number}`, async () => toIssue((await this.octokit.rest.issues.update({...this.repo, issue_number: number, ...patch})).data))
  }

  findIssues(query: {labels?: string[]; state?: 'open' | 'closed' | 'all'}): Promise<ForgeIssue[]> {
    return this.call('listing issues', async () => {
      const items = await this.octokit.paginate(this.octokit.rest.issues.listForRepo, {
        ...this.repo, state: query.state ?? 'open', per_page: 100, ...(query.labels?.length ? {labels: query.labels.join(',')} : {}),
      })
      // The issues API lists pull requests too; they carry a pull_request key.
      return items.filter((i) => !i.pull_request).map((i) => toIssue(i))
    })
  }

  addComment(issueNumber: number, body: string): Promise<{id: number | string; url: string}> {
    return this.call(`commenting on #${issueNumber}`, () => this.createOnce<{id: number | string; url: string}>(
      async (noRetry) => {
        const {data} = await this.octokit.rest.issues.createComment({...this.repo, issue_number: issueNumber, body, ...noRetry})
        return {id: data.id, url: data.html_url}
      },
      async () => (await this.listComments(issueNumber)).find((c) => c.body === body),
    ))
  }

  listComments(issueNumber: number): Promise<Array<{id: number | string; body: string; url: string}>> {
    return this.call(`reading the comments of #${issueNumber}`, async () =>
      (await this.octokit.paginate(this.octokit.rest.issues.listComments, {...this.repo, issue_number: issueNumber, per_page: 100})).map((c) => ({id: c.id, body: c.body ?? '', url: c.html_url})))
  }

  createDeployment(input: {ref: string; environment: string; description?: string; payload?: Record<string, unknown>; productionEnvironment?: boolean; transientEnvironment?: boolean}): Promise<Deployment> {
    return this.call(`recording a deployment of ${input.ref} to ${input.environment}`, () => this.createOnce(async (noRetry) => {
      const {data, status} = await this.octokit.rest.repos.createDeployment({
        ...noRetry,
        ...this.repo, ref: input.ref, environment: input.environment,
        // flow runs its own gates and merges nothing here: no status checks, no auto-merge of the default branch.
        auto_merge: false, required_contexts: [],
        ...(input.description ? {description: input.description} : {}),
        ...(input.payload ? {payload: input.payload} : {}),
        ...(input.productionEnvironment === undefined ? {} : {production_environment: input.productionEnvironment}),
        ...(input.transientEnvironment === undefined ? {} : {transient_environment: input.transientEnvironment}),
      })
      if (status !== 201 || !('id' in data)) throw new FlowError('FORGE_CONFLICT', `GitHub did not create the deployment: ${redact(String((data as Json).message ?? status))}`)
      return toDeployment(data)
    }, async () => input.description === undefined ? undefined : (await this.listDeployments({environment: input.environment})).find((d) => d.description === input.description)))
  }

  createDeploymentStatus(id: number | string, input: {state: DeploymentState; description?: string; environmentUrl?: string; logUrl?: string}): Promise<void> {
    return this.call(`setting the status of deployment ${id}`, async () => {
      await this.octokit.rest.repos.createDeploymentStatus({
        ...this.repo, deployment_id: Number(id), state: input.state,
        ...(input.description ? {description: input.description} : {}),
        ...(input.environmentUrl ? {environment_url: input.environmentUrl} : {}),
        ...(input.logUrl ? {log_url: input.logUrl} : {}),
      })
    })
  }

  createCommitStatus(sha: string, input: {state: 'error' | 'failure' | 'pending' | 'success'; context: string; description?: string; targetUrl?: string}): Promise<void> {
    return this.call(`setting the ${input.context} status of ${sha.slice(0, 7)}`, async () => {
      await this.octokit.rest.repos.createCommitStatus({
        ...this.repo, sha, state: input.state, context: input.context,
        ...(input.description ? {description: input.description.slice(0, 140)} : {}),
        ...(input.targetUrl ? {target_url: input.targetUrl} : {}),
      })
    })
  }

  listDeployments(query: {environment?: string; sha?: string}): Promise<Deployment[]> {
    return this.call('listing deployments', async () => {
      const deployments = await this.octokit.paginate(this.octokit.rest.repos.listDeployments, {
        ...this.repo, per_page: 100, ...(query.environment ? {environment: query.environment} : {}), ...(query.sha ? {sha: query.sha} : {}),
      })
      const out: Deployment[] = []
      for (const d of deployments) {
        // Statuses come newest first; the first one is the deployment's current state.
        const {data: statuses} = await this.octokit.rest.repos.listDeploymentStatuses({...this.repo, deployment_id: d.id, per_page: 1})
        out.push(toDeployment(d, statuses[0]?.state as DeploymentState | undefined))
      }
      return out
    })
  }

  async getBranchProtection(branch: string): Promise<EnforcedBranchRules | undefined> {
    try {
      const {data} = await this.octokit.rest.repos.getBranchProtection({...this.repo, branch})
      return protectionRules(data)
    } catch (error) {
      const failure = error as HttpFailure
      // 404 "Branch not protected" is an answer; any other 404 (no access) is not.
      if (failure?.status === 404 && /not protected/i.test(githubMessage(failure.response?.data, failure.message ?? ''))) return undefined
      throw toForgeError(error, `reading the branch protection of ${branch}`, this.where)
    }
  }

  getBranchRules(branch: string): Promise<EnforcedBranchRules | undefined> {
    return this.call(`reading the rules for branch ${branch}`, async () => {
      const rules = await this.octokit.paginate(this.octokit.rest.repos.getBranchRules, {...this.repo, branch, per_page: 100})
      return rulesetRules(rules as Json[])
    })
  }

  listEnvironments(): Promise<ForgeEnvironment[]> {
    return this.call('listing the deployment environments', async () => {
      const out: ForgeEnvironment[] = []
      for (let page = 1; ; page++) {
        const {data} = await this.octokit.rest.repos.getAllEnvironments({...this.repo, per_page: 100, page})
        const environments = (data.environments ?? []) as Json[]
        out.push(...environments.map(toEnvironment))
        if (environments.length === 0 || out.length >= (data.total_count ?? 0)) return out
      }
    })
  }
}

/** Builds the GitHub forge; Octokit and its plugins are imported here, on first use, never at startup. */
export async function createGitHubForge(options: GitHubForgeOptions): Promise<GitHubForge> {
  registerSecret(options.token)
  const [{Octokit}, {retry}, {throttling}] = await Promise.all([
    import('@octokit/rest'),
    import('@octokit/plugin-retry'),
    import('@octokit/plugin-throttling'),
  ])
  const retries = options.retries ?? 3
  const base = options.retryBaseMs ?? 1000
  const maxWait = options.maxRateLimitWaitSeconds ?? 60
  const warn = (m: string) => options.onWarn?.(redact(m))
  const spacing = spacingGroup(options.writeIntervalMs ?? 0)
  const limitHandler = (kind: string) => (retryAfter: number, request: {method?: string; url?: string}, _octokit: unknown, retryCount: number) => {
    if (retryCount >= retries || retryAfter > maxWait) return false
    warn(`GitHub ${kind} rate limit on ${request.method ?? ''} ${request.url ?? ''}; retrying in ${retryAfter} s`)
    return true
  }
  const FlowOctokit = Octokit.plugin(retry, throttling)
  const octokit = new FlowOctokit({
    auth: options.token,
    baseUrl: options.baseUrl,
    userAgent: options.userAgent,
    request: {fetch: timedFetch(options.fetch ?? globalThis.fetch, options.timeoutMs ?? 30_000)},
    log: {debug: () => {}, info: () => {}, warn: (m: string) => warn(m), error: (m: string) => warn(m)},
    // 403 and 429 rate limits belong to the throttling plugin; the retry plugin takes 5xx and network errors.
    retry: {retries, retryAfterBaseValue: base, doNotRetry: [400, 401, 403, 404, 405, 409, 410, 422, 429, 451]},
    throttle: {
      id: `flow-${options.owner}-${options.repo}`,
      retryAfterBaseValue: base,
      fallbackSecondaryRateRetryAfter: 60,
      onRateLimit: limitHandler('primary'),
      onSecondaryRateLimit: limitHandler('secondary'),
      write: spacing as never,
      notifications: spacing as never,
    },
  })
  // A 429 that says when to come back (retry-after) but not that it is a secondary limit is left alone by both plugins
  // (throttling only knows secondary-limit messages and exhausted quotas; retry never retries 429): wait and retry it here.
  octokit.hook.wrap('request', async (request, requestOptions) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(requestOptions)
      } catch (error) {
        const failure = error as HttpFailure
        const after = Number(failure.response?.headers?.['retry-after'])
        const handled = /\bsecondary rate\b/i.test(failure.message ?? '') || failure.response?.headers?.['x-ratelimit-remaining'] === '0'
        if (failure.status !== 429 || handled || attempt >= retries || !Number.isFinite(after) || after < 0 || after > maxWait) throw error
        warn(`GitHub rate limit (429) on ${requestOptions.method} ${requestOptions.url}; retrying in ${after} s`)
        await new Promise((resolve) => setTimeout(resolve, after * base))
      }
    }
  })
  return new GitHubForge(octokit as unknown as Octokit, {host: options.host, owner: options.owner, repo: options.repo, baseUrl: options.baseUrl, retries, retryBaseMs: base})
}
