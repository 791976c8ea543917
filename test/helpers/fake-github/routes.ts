import {createHash} from 'node:crypto'
import type {GitHubSpec} from './spec.js'
import {settingsRoutes} from './routes-settings.js'
import {changeRoutes} from './routes-changes.js'
import {incidentRoutes} from './routes-incidents.js'

/** A pull request the fake remembers. */
export interface FakePull {
  number: number
  id: number
  title: string
  body: string
  head: string
  headSha: string
  base: string
  state: 'open' | 'closed'
  draft: boolean
  merged: boolean
  mergeSha: string | null
  mergeMethod?: string
  createdAt: string
  updatedAt: string
  closedAt: string | null
  mergedAt: string | null
  /** Users and team slugs asked to review, labels and assignees (pulls/request-reviewers, issues/add-*). */
  requestedReviewers?: string[]
  requestedTeams?: string[]
  labels?: string[]
  assignees?: string[]
}

/** A review the fake remembers. */
export interface FakeReview {id: number; pull: number; state: string; body: string; user: string; submittedAt: string}
/** A release the fake remembers. */
export interface FakeRelease {id: number; tag: string; name: string | null; body: string | null; draft: boolean; prerelease: boolean; target: string; createdAt: string}
/** An issue the fake remembers. */
export interface FakeIssue {number: number; id: number; title: string; body: string | null; state: 'open' | 'closed'; labels: string[]; createdAt: string; updatedAt: string; closedAt: string | null}
/** A comment the fake remembers. */
export interface FakeComment {id: number; issue: number; body: string; createdAt: string}
/** A deployment the fake remembers. */
export interface FakeDeployment {
  id: number; ref: string; sha: string; environment: string; description: string | null; payload: unknown
  productionEnvironment: boolean; transientEnvironment: boolean; createdAt: string
}
/** A deployment status the fake remembers. */
export interface FakeDeploymentStatus {id: number; deployment: number; state: string; description: string; environmentUrl: string; logUrl: string; createdAt: string}

/** Everything the fake remembers about one repository. */
export interface FakeRepo {
  owner: string
  repo: string
  pulls: FakePull[]
  reviews: FakeReview[]
  releases: FakeRelease[]
  issues: FakeIssue[]
  comments: FakeComment[]
  deployments: FakeDeployment[]
  statuses: FakeDeploymentStatus[]
  /** Issues and pull requests share one number space, as on GitHub. */
  lastNumber: number
}

/** A new, empty repository. */
export function emptyRepo(owner: string, repo: string): FakeRepo {
  return {owner, repo, pulls: [], reviews: [], releases: [], issues: [], comments: [], deployments: [], statuses: [], lastNumber: 0}
}

/** What a route handler gets. */
export interface RouteContext {
  repo: FakeRepo
  params: Record<string, string>
  query: Record<string, string>
  body: any
  /** `http://host[/api/v3]`, for url fields and Link headers. */
  apiBase: string
  /** The path of the request without its query, for Link headers. */
  path: string
  spec: GitHubSpec
  nextId(): number
  now(): string
  maxPerPage: number
  /** The real head sha of a branch (from a git remote), when the test gave one; else a fake sha is made up. */
  headSha?: (branch: string) => string | undefined
}

/** What a route handler answers. */
export interface RouteResult {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

/** A fake commit sha, stable for a name. */
export const fakeSha = (seed: string): string => createHash('sha1').update(seed).digest('hex')

const DOCS = 'https://docs.github.com/rest'
const error = (status: number, message: string, extra: Record<string, unknown> = {}): RouteResult => ({status, body: {message, documentation_url: DOCS, ...extra}})
const notFound = () => error(404, 'Not Found')
const invalid = (errors: Array<Record<string, unknown>>) => error(422, 'Validation Failed', {errors})

function page<T>(ctx: RouteContext, items: T[]): {items: T[]; headers: Record<string, string>} {
  const perPage = Math.min(Number(ctx.query.per_page ?? 30) || 30, 100, ctx.maxPerPage)
  const current = Math.max(Number(ctx.query.page ?? 1) || 1, 1)
  const last = Math.max(Math.ceil(items.length / perPage), 1)
  const link = (n: number, rel: string) => {
    const query = new URLSearchParams({...ctx.query, per_page: String(perPage), page: String(n)})
    return `<${ctx.apiBase}${ctx.path}?${query}>; rel="${rel}"`
  }
  const links: string[] = []
  if (current < last) links.push(link(current + 1, 'next'), link(last, 'last'))
  if (current > 1) links.push(link(1, 'first'), link(current - 1, 'prev'))
  return {items: items.slice((current - 1) * perPage, current * perPage), headers: links.length ? {link: links.join(', ')} : {}}
}

function repoUrls(ctx: RouteContext) {
  const full = `${ctx.repo.owner}/${ctx.repo.repo}`
  return {full, api: `${ctx.apiBase}/repos/${full}`, html: `https://github.com/${full}`}
}

function patchRepoObject(target: any, ctx: RouteContext): void {
  if (!target) return
  const {full, api, html} = repoUrls(ctx)
  target.name = ctx.repo.repo
  target.full_name = full
  target.url = api
  target.html_url = html
  if (target.owner) target.owner.login = ctx.repo.owner
}

/** A full pull request (pulls/get, create, update) from the spec's example with our fields. */
export function pullBody(ctx: RouteContext, p: FakePull, example = 'pull-request'): any {
  const isSimple = example !== 'pull-request'
  const base = isSimple ? ctx.spec.example<any[]>(example)[0] : ctx.spec.example(example)
  const {api, html} = repoUrls(ctx)
  Object.assign(base, {
    id: p.id, number: p.number, title: p.title, body: p.body, state: p.state, draft: p.draft, locked: false,
    url: `${api}/pulls/${p.number}`, html_url: `${html}/pull/${p.number}`,
    diff_url: `${html}/pull/${p.number}.diff`, patch_url: `${html}/pull/${p.number}.patch`,
    issue_url: `${api}/issues/${p.number}`, commits_url: `${api}/pulls/${p.number}/commits`,
    review_comments_url: `${api}/pulls/${p.number}/comments`, comments_url: `${api}/issues/${p.number}/comments`,
    statuses_url: `${api}/statuses/${p.headSha}`,
    created_at: p.createdAt, updated_at: p.updatedAt, closed_at: p.closedAt, merged_at: p.mergedAt,
    merge_commit_sha: p.mergeSha, requested_reviewers: [], requested_teams: [], labels: [], milestone: null, assignee: null, assignees: [], auto_merge: null,
  })
  if (!isSimple) Object.assign(base, {merged: p.merged, mergeable: p.state === 'open' ? true : null, mergeable_state: p.state === 'open' ? 'clean' : 'unknown', merged_by: null, rebaseable: p.state === 'open'})
  for (const [side, ref, sha] of [['head', p.head, p.headSha], ['base', p.base, fakeSha(`base:${p.base}`)]] as const) {
    Object.assign(base[side], {ref, sha, label: `${ctx.repo.owner}:${ref}`})
    if (base[side].user) base[side].user.login = ctx.repo.owner
    patchRepoObject(base[side].repo, ctx)
  }
  return base
}

function reviewBody(ctx: RouteContext, r: FakeReview): any {
  const body = ctx.spec.example('pull-request-review')
  const {api, html} = repoUrls(ctx)
  Object.assign(body, {id: r.id, state: r.state, body: r.body, submitted_at: r.submittedAt, html_url: `${html}/pull/${r.pull}#pullrequestreview-${r.id}`, pull_request_url: `${api}/pulls/${r.pull}`})
  body.user.login = r.user
  return body
}

function releaseBody(ctx: RouteContext, r: FakeRelease): any {
  const body = ctx.spec.example('release')
  const {api, html} = repoUrls(ctx)
  Object.assign(body, {
    id: r.id, tag_name: r.tag, name: r.name, body: r.body, draft: r.draft, prerelease: r.prerelease, target_commitish: r.target,
    url: `${api}/releases/${r.id}`, html_url: `${html}/releases/tag/${r.tag}`, assets_url: `${api}/releases/${r.id}/assets`,
    upload_url: `https://uploads.github.com/repos/${ctx.repo.owner}/${ctx.repo.repo}/releases/${r.id}/assets{?name,label}`,
    tarball_url: `${api}/tarball/${r.tag}`, zipball_url: `${api}/zipball/${r.tag}`,
    created_at: r.createdAt, published_at: r.draft ? null : r.createdAt, assets: [],
  })
  delete body.discussion_url
  return body
}

function labelBody(ctx: RouteContext, name: string, template: any): any {
  return {...template, id: Number.parseInt(fakeSha(name).slice(0, 8), 16), name, url: `${repoUrls(ctx).api}/labels/${encodeURIComponent(name)}`}
}

function issueBody(ctx: RouteContext, i: FakeIssue, pull?: FakePull): any {
  const body = ctx.spec.example('issue')
  const labelTemplate = body.labels[0]
  const {api, html} = repoUrls(ctx)
  Object.assign(body, {
    id: i.id, number: i.number, title: i.title, body: i.body, state: i.state, state_reason: i.state === 'closed' ? 'completed' : null,
    labels: i.labels.map((l) => labelBody(ctx, l, labelTemplate)), url: `${api}/issues/${i.number}`, html_url: `${html}/issues/${i.number}`,
    repository_url: api, comments_url: `${api}/issues/${i.number}/comments`, events_url: `${api}/issues/${i.number}/events`,
    labels_url: `${api}/issues/${i.number}/labels{/name}`,
    comments: ctx.repo.comments.filter((c) => c.issue === i.number).length, created_at: i.createdAt, updated_at: i.updatedAt, closed_at: i.closedAt,
    closed_by: null, milestone: null, assignee: null, assignees: [],
  })
  if (pull) {
    body.html_url = `${html}/pull/${i.number}`
    Object.assign(body.pull_request, {url: `${api}/pulls/${i.number}`, html_url: `${html}/pull/${i.number}`, diff_url: `${html}/pull/${i.number}.diff`, patch_url: `${html}/pull/${i.number}.patch`})
  } else {
    delete body.pull_request
  }
  return body
}

export function commentBody(ctx: RouteContext, c: FakeComment): any {
  const body = ctx.spec.example('issue-comment')
  const {api, html} = repoUrls(ctx)
  Object.assign(body, {id: c.id, body: c.body, url: `${api}/issues/comments/${c.id}`, html_url: `${html}/issues/${c.issue}#issuecomment-${c.id}`, issue_url: `${api}/issues/${c.issue}`, created_at: c.createdAt, updated_at: c.createdAt})
  return body
}

function deploymentBody(ctx: RouteContext, d: FakeDeployment): any {
  const body = ctx.spec.example('deployment-simple-example')
  const {api} = repoUrls(ctx)
  Object.assign(body, {
    id: d.id, ref: d.ref, sha: d.sha, environment: d.environment, original_environment: d.environment, description: d.description,
    payload: d.payload ?? {}, production_environment: d.productionEnvironment, transient_environment: d.transientEnvironment,
    url: `${api}/deployments/${d.id}`, statuses_url: `${api}/deployments/${d.id}/statuses`, repository_url: api, created_at: d.createdAt, updated_at: d.createdAt,
  })
  return body
}

function statusBody(ctx: RouteContext, s: FakeDeploymentStatus): any {
  const body = ctx.spec.example('deployment-status')
  const {api} = repoUrls(ctx)
  Object.assign(body, {
    id: s.id, state: s.state, description: s.description,
    // GitHub answers "" for an unset URL, which the spec's `format: uri` rejects; keep the example's then.
    ...(s.environmentUrl ? {environment_url: s.environmentUrl} : {}), ...(s.logUrl ? {log_url: s.logUrl, target_url: s.logUrl} : {}),
    url: `${api}/deployments/${s.deployment}/statuses/${s.id}`, deployment_url: `${api}/deployments/${s.deployment}`, repository_url: api,
    environment: ctx.repo.deployments.find((d) => d.id === s.deployment)?.environment ?? '', created_at: s.createdAt, updated_at: s.createdAt,
  })
  return body
}

const findPull = (ctx: RouteContext) => ctx.repo.pulls.find((p) => p.number === Number(ctx.params.pull_number))
const newest = <T extends {id: number}>(items: T[]) => [...items].sort((a, b) => b.id - a.id)
const branchOf = (head: string) => head.replace(/^[^:]*:/, '')
/** One page of a list, with its Link header (for routes in other files). */
export const listPage = <T>(ctx: RouteContext, items: T[]) => page(ctx, items)

/** The fake's behaviour, by GitHub operationId. */
export const routes: Record<string, (ctx: RouteContext) => RouteResult> = {
  ...changeRoutes,
  ...incidentRoutes,
  'pulls/list'(ctx) {
    const state = ctx.query.state ?? 'open'
    for (const p of ctx.repo.pulls) if (p.state === 'open') p.headSha = ctx.headSha?.(p.head) ?? p.headSha
    const pulls = newest(ctx.repo.pulls).filter((p) =>
      (state === 'all' || p.state === state) &&
      (ctx.query.head === undefined || (ctx.query.head.includes(':') ? `${ctx.repo.owner}:${p.head}` === ctx.query.head : p.head === ctx.query.head)) &&
      (ctx.query.base === undefined || p.base === ctx.query.base))
    const {items, headers} = page(ctx, pulls)
    return {status: 200, body: items.map((p) => pullBody(ctx, p, 'pull-request-simple-items')), headers}
  },
  'pulls/get'(ctx) {
    const pull = findPull(ctx)
    if (pull && pull.state === 'open') pull.headSha = ctx.headSha?.(pull.head) ?? pull.headSha
    return pull ? {status: 200, body: pullBody(ctx, pull)} : notFound()
  },
  'pulls/create'(ctx) {
    const head = branchOf(ctx.body.head)
    if (head === ctx.body.base) return invalid([{resource: 'PullRequest', code: 'custom', message: `No commits between ${ctx.body.base} and ${head}`}])
    if (ctx.repo.pulls.some((p) => p.state === 'open' && p.head === head && p.base === ctx.body.base)) {
      return invalid([{resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${ctx.repo.owner}:${head}.`}])
    }
    const now = ctx.now()
    const pull: FakePull = {
      number: ++ctx.repo.lastNumber, id: ctx.nextId(), title: ctx.body.title ?? '', body: ctx.body.body ?? '', head, headSha: ctx.headSha?.(head) ?? fakeSha(`head:${head}:${ctx.repo.lastNumber}`),
      base: ctx.body.base, state: 'open', draft: ctx.body.draft === true, merged: false, mergeSha: null, createdAt: now, updatedAt: now, closedAt: null, mergedAt: null,
    }
    ctx.repo.pulls.push(pull)
    return {status: 201, body: pullBody(ctx, pull), headers: {location: `${repoUrls(ctx).api}/pulls/${pull.number}`}}
  },
  'pulls/update'(ctx) {
    const pull = findPull(ctx)
    if (!pull) return notFound()
    if (ctx.body.state === 'open' && pull.merged) return invalid([{resource: 'PullRequest', code: 'custom', field: 'state', message: 'state cannot be changed. The pull request has been merged.'}])
    for (const key of ['title', 'body', 'base'] as const) if (typeof ctx.body[key] === 'string') pull[key] = ctx.body[key]
    if (ctx.body.state === 'closed' && pull.state === 'open') Object.assign(pull, {state: 'closed', closedAt: ctx.now()})
    if (ctx.body.state === 'open' && pull.state === 'closed') Object.assign(pull, {state: 'open', closedAt: null})
    pull.updatedAt = ctx.now()
    return {status: 200, body: pullBody(ctx, pull)}
  },
  'pulls/merge'(ctx) {
    const pull = findPull(ctx)
    if (!pull) return notFound()
    pull.headSha = ctx.headSha?.(pull.head) ?? pull.headSha
    if (pull.state !== 'open') return error(405, 'Pull Request is not mergeable')
    if (ctx.body?.sha && ctx.body.sha !== pull.headSha) return error(409, 'Head branch was modified. Review and try the merge again.')
    const now = ctx.now()
    Object.assign(pull, {state: 'closed', merged: true, mergedAt: now, closedAt: now, updatedAt: now, mergeSha: fakeSha(`merge:${pull.number}`), mergeMethod: ctx.body?.merge_method ?? 'merge'})
    return {status: 200, body: {sha: pull.mergeSha, merged: true, message: 'Pull Request successfully merged'}}
  },
  'pulls/request-reviewers'(ctx) {
    const pull = findPull(ctx)
    if (!pull) return notFound()
    const add = (list: string[] | undefined, more: unknown) => [...new Set([...(list ?? []), ...(Array.isArray(more) ? more.map(String) : [])])]
    pull.requestedReviewers = add(pull.requestedReviewers, ctx.body.reviewers)
    pull.requestedTeams = add(pull.requestedTeams, ctx.body.team_reviewers)
    return {status: 201, body: pullBody(ctx, pull, 'pull-request-simple-items')}
  },
  'issues/add-labels'(ctx) {
    const pull = ctx.repo.pulls.find((p) => p.number === Number(ctx.params.issue_number))
    const issue = ctx.repo.issues.find((i) => i.number === Number(ctx.params.issue_number))
    if (!pull && !issue) return notFound()
    const names = (Array.isArray(ctx.body) ? ctx.body : ctx.body.labels ?? []).map((l: string | {name: string}) => (typeof l === 'string' ? l : l.name))
    const target = (pull ?? issue)!
    target.labels = [...new Set([...(target.labels ?? []), ...names])]
    const template = ctx.spec.example('issue').labels[0]
    return {status: 200, body: target.labels.map((l) => labelBody(ctx, l, template))}
  },
  'issues/add-assignees'(ctx) {
    const pull = ctx.repo.pulls.find((p) => p.number === Number(ctx.params.issue_number))
    const issue = ctx.repo.issues.find((i) => i.number === Number(ctx.params.issue_number))
    if (!pull && !issue) return notFound()
    const names: string[] = Array.isArray(ctx.body.assignees) ? ctx.body.assignees.map(String) : []
    if (pull) {
      pull.assignees = [...new Set([...(pull.assignees ?? []), ...names])]
      const asIssue: FakeIssue = {number: pull.number, id: pull.id, title: pull.title, body: pull.body, state: pull.state, labels: pull.labels ?? [], createdAt: pull.createdAt, updatedAt: pull.updatedAt, closedAt: pull.closedAt}
      return {status: 201, body: issueBody(ctx, asIssue, pull)}
    }
    return {status: 201, body: issueBody(ctx, issue!)}
  },
  'pulls/list-reviews'(ctx) {
    if (!findPull(ctx)) return notFound()
    const {items, headers} = page(ctx, ctx.repo.reviews.filter((r) => r.pull === Number(ctx.params.pull_number)))
    return {status: 200, body: items.map((r) => reviewBody(ctx, r)), headers}
  },
  'pulls/create-review'(ctx) {
    const pull = findPull(ctx)
    if (!pull) return notFound()
    const state = {APPROVE: 'APPROVED', REQUEST_CHANGES: 'CHANGES_REQUESTED', COMMENT: 'COMMENTED'}[ctx.body.event as string] ?? 'PENDING'
    if ((state === 'CHANGES_REQUESTED' || state === 'COMMENTED') && !ctx.body.body) return error(422, 'Unprocessable Entity', {errors: [`Review body is required for ${ctx.body.event}`]})
    const review: FakeReview = {id: ctx.nextId(), pull: pull.number, state, body: ctx.body.body ?? '', user: 'flow-reviewer', submittedAt: ctx.now()}
    ctx.repo.reviews.push(review)
    return {status: 200, body: reviewBody(ctx, review)}
  },
  'repos/get-release-by-tag'(ctx) {
    const release = ctx.repo.releases.find((r) => r.tag === ctx.params.tag && !r.draft)
    return release ? {status: 200, body: releaseBody(ctx, release)} : notFound()
  },
  'repos/create-release'(ctx) {
    if (ctx.repo.releases.some((r) => r.tag === ctx.body.tag_name)) return invalid([{resource: 'Release', code: 'already_exists', field: 'tag_name'}])
    const release: FakeRelease = {
      id: ctx.nextId(), tag: ctx.body.tag_name, name: ctx.body.name ?? ctx.body.tag_name, body: ctx.body.body ?? null,
      draft: ctx.body.draft === true, prerelease: ctx.body.prerelease === true, target: ctx.body.target_commitish ?? 'main', createdAt: ctx.now(),
    }
    ctx.repo.releases.push(release)
    return {status: 201, body: releaseBody(ctx, release)}
  },
  'repos/update-release'(ctx) {
    const release = ctx.repo.releases.find((r) => r.id === Number(ctx.params.release_id))
    if (!release) return error(404, 'Not Found')
    for (const key of ['name', 'body'] as const) if (typeof ctx.body[key] === 'string') release[key] = ctx.body[key]
    for (const key of ['draft', 'prerelease'] as const) if (typeof ctx.body[key] === 'boolean') release[key] = ctx.body[key]
    return {status: 200, body: releaseBody(ctx, release)}
  },
  'repos/list-releases'(ctx) {
    const perPage = Math.min(Number(ctx.query.per_page ?? 30), ctx.maxPerPage)
    const page = Math.max(1, Number(ctx.query.page ?? 1))
    const newest = [...ctx.repo.releases].reverse()
    return {status: 200, body: newest.slice((page - 1) * perPage, page * perPage).map((r) => releaseBody(ctx, r))}
  },
  'repos/delete-release'(ctx) {
    const index = ctx.repo.releases.findIndex((r) => r.id === Number(ctx.params.release_id))
    if (index === -1) return error(404, 'Not Found')
    ctx.repo.releases.splice(index, 1)
    return {status: 204}
  },
  'issues/create'(ctx) {
    const now = ctx.now()
    const labels = (ctx.body.labels ?? []).map((l: string | {name: string}) => (typeof l === 'string' ? l : l.name))
    const issue: FakeIssue = {number: ++ctx.repo.lastNumber, id: ctx.nextId(), title: String(ctx.body.title), body: ctx.body.body ?? null, state: 'open', labels, createdAt: now, updatedAt: now, closedAt: null}
    ctx.repo.issues.push(issue)
    return {status: 201, body: issueBody(ctx, issue)}
  },
  'issues/update'(ctx) {
    const issue = ctx.repo.issues.find((i) => i.number === Number(ctx.params.issue_number))
    if (!issue) return notFound()
    if (typeof ctx.body.title === 'string') issue.title = ctx.body.title
    if (typeof ctx.body.body === 'string') issue.body = ctx.body.body
    if (Array.isArray(ctx.body.labels)) issue.labels = ctx.body.labels.map((l: string | {name: string}) => (typeof l === 'string' ? l : l.name))
    if (ctx.body.state === 'closed' && issue.state === 'open') Object.assign(issue, {state: 'closed', closedAt: ctx.now()})
    if (ctx.body.state === 'open' && issue.state === 'closed') Object.assign(issue, {state: 'open', closedAt: null})
    issue.updatedAt = ctx.now()
    return {status: 200, body: issueBody(ctx, issue)}
  },
  'issues/list-for-repo'(ctx) {
    const state = ctx.query.state ?? 'open'
    const wanted = ctx.query.labels ? ctx.query.labels.split(',').map((l) => l.trim()).filter(Boolean) : []
    // GitHub lists pull requests among issues; they carry a pull_request key.
    const all = [
      ...ctx.repo.issues.map((i) => ({issue: i, pull: undefined as FakePull | undefined})),
      ...ctx.repo.pulls.map((p) => ({issue: {number: p.number, id: p.id, title: p.title, body: p.body, state: p.state, labels: [], createdAt: p.createdAt, updatedAt: p.updatedAt, closedAt: p.closedAt} as FakeIssue, pull: p})),
    ]
      .filter(({issue}) => (state === 'all' || issue.state === state) && wanted.every((l) => issue.labels.includes(l)))
      .sort((a, b) => b.issue.number - a.issue.number)
    const {items, headers} = page(ctx, all)
    return {status: 200, body: items.map(({issue, pull}) => issueBody(ctx, issue, pull)), headers}
  },
  'issues/create-comment'(ctx) {
    const number = Number(ctx.params.issue_number)
    if (!ctx.repo.issues.some((i) => i.number === number) && !ctx.repo.pulls.some((p) => p.number === number)) return notFound()
    const comment: FakeComment = {id: ctx.nextId(), issue: number, body: String(ctx.body.body), createdAt: ctx.now()}
    ctx.repo.comments.push(comment)
    return {status: 201, body: commentBody(ctx, comment), headers: {location: `${repoUrls(ctx).api}/issues/comments/${comment.id}`}}
  },
  'repos/create-deployment'(ctx) {
    const ref = String(ctx.body.ref)
    const environment = ctx.body.environment ?? 'production'
    const deployment: FakeDeployment = {
      id: ctx.nextId(), ref, sha: /^[0-9a-f]{40}$/.test(ref) ? ref : fakeSha(`ref:${ref}`), environment, description: ctx.body.description ?? null,
      payload: ctx.body.payload ?? {}, productionEnvironment: ctx.body.production_environment ?? environment === 'production',
      transientEnvironment: ctx.body.transient_environment ?? false, createdAt: ctx.now(),
    }
    ctx.repo.deployments.push(deployment)
    return {status: 201, body: deploymentBody(ctx, deployment)}
  },
  'repos/list-deployments'(ctx) {
    const matching = newest(ctx.repo.deployments).filter((d) =>
      (ctx.query.environment === undefined || d.environment === ctx.query.environment) &&
      (ctx.query.sha === undefined || d.sha === ctx.query.sha) && (ctx.query.ref === undefined || d.ref === ctx.query.ref))
    const {items, headers} = page(ctx, matching)
    return {status: 200, body: items.map((d) => deploymentBody(ctx, d)), headers}
  },
  'repos/create-deployment-status'(ctx) {
    const id = Number(ctx.params.deployment_id)
    if (!ctx.repo.deployments.some((d) => d.id === id)) return notFound()
    const status: FakeDeploymentStatus = {
      id: ctx.nextId(), deployment: id, state: ctx.body.state, description: ctx.body.description ?? '',
      environmentUrl: ctx.body.environment_url ?? '', logUrl: ctx.body.log_url ?? '', createdAt: ctx.now(),
    }
    ctx.repo.statuses.push(status)
    return {status: 201, body: statusBody(ctx, status)}
  },
  'repos/list-deployment-statuses'(ctx) {
    const id = Number(ctx.params.deployment_id)
    if (!ctx.repo.deployments.some((d) => d.id === id)) return notFound()
    const {items, headers} = page(ctx, newest(ctx.repo.statuses.filter((s) => s.deployment === id)))
    return {status: 200, body: items.map((s) => statusBody(ctx, s)), headers}
  },
}

Object.assign(routes, settingsRoutes)
