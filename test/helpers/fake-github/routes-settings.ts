/** Repository settings in the fake GitHub: branch protection, rules for a branch, deployment environments. */
import type {FakeRepo, RouteContext, RouteResult} from './routes.js'

/** Classic branch protection of one branch, as a test seeds it. */
export interface FakeProtection {
  /** Required approving reviews; unset: pull request reviews are not required. */
  approvals?: number
  codeOwnerReviews?: boolean
  dismissStale?: boolean
  /** Required status check contexts; unset: no required status checks. */
  checks?: string[]
  allowForcePushes?: boolean
  allowDeletions?: boolean
}

/** One rule of a ruleset that applies to a branch (`pull_request`, `required_status_checks`, `non_fast_forward`, `deletion`, ...). */
export interface FakeRule {
  type: string
  parameters?: Record<string, unknown>
  rulesetId?: number
}

/** A deployment environment and its required reviewers. */
export interface FakeEnvironment {
  name: string
  /** Users (login) and teams (slug); unset or empty: no required-reviewers rule. */
  reviewers?: Array<{type: 'User' | 'Team'; name: string}>
}

/** The settings of one fake repository; tests assign to them. */
export interface FakeSettings {
  protection: Record<string, FakeProtection>
  rules: Record<string, FakeRule[]>
  environments: FakeEnvironment[]
}

const settings = new WeakMap<FakeRepo, FakeSettings>()

/** The settings of a fake repository (empty at first: nothing protected, no rules, no environments). */
export function settingsOf(repo: FakeRepo): FakeSettings {
  let found = settings.get(repo)
  if (!found) settings.set(repo, (found = {protection: {}, rules: {}, environments: []}))
  return found
}

const DOCS = 'https://docs.github.com/rest'

function protectionBody(ctx: RouteContext, branch: string, p: FakeProtection): any {
  const body = ctx.spec.example('branch-protection')
  const url = `${ctx.apiBase}/repos/${ctx.repo.owner}/${ctx.repo.repo}/branches/${encodeURIComponent(branch)}/protection`
  body.url = url
  if (p.checks) {
    body.required_status_checks = {url: `${url}/required_status_checks`, contexts: p.checks, contexts_url: `${url}/required_status_checks/contexts`, enforcement_level: 'non_admins', strict: true, checks: p.checks.map((context) => ({context, app_id: null}))}
  } else {
    delete body.required_status_checks
  }
  if (p.approvals !== undefined) {
    body.required_pull_request_reviews = {
      url: `${url}/required_pull_request_reviews`,
      dismiss_stale_reviews: p.dismissStale ?? false,
      require_code_owner_reviews: p.codeOwnerReviews ?? false,
      required_approving_review_count: p.approvals,
      require_last_push_approval: false,
    }
  } else {
    delete body.required_pull_request_reviews
  }
  body.allow_force_pushes = {enabled: p.allowForcePushes ?? false}
  body.allow_deletions = {enabled: p.allowDeletions ?? false}
  delete body.restrictions
  return body
}

function environmentBody(ctx: RouteContext, env: FakeEnvironment, id: number): any {
  const base = `${ctx.repo.owner}/${ctx.repo.repo}`
  const reviewers = env.reviewers ?? []
  const user = ctx.spec.example('environment').protection_rules[1].reviewers[0].reviewer
  const team = ctx.spec.example('environment').protection_rules[1].reviewers[1].reviewer
  return {
    id, node_id: `EN_${id}`, name: env.name,
    url: `${ctx.apiBase}/repos/${base}/environments/${encodeURIComponent(env.name)}`,
    html_url: `https://github.com/${base}/deployments/activity_log?environments_filter=${encodeURIComponent(env.name)}`,
    created_at: ctx.now(), updated_at: ctx.now(),
    protection_rules: reviewers.length === 0 ? [] : [{
      id: id + 1, node_id: `GA_${id + 1}`, prevent_self_review: false, type: 'required_reviewers',
      reviewers: reviewers.map((r) => (r.type === 'User' ? {type: 'User', reviewer: {...user, login: r.name}} : {type: 'Team', reviewer: {...team, slug: r.name, name: r.name}})),
    }],
    deployment_branch_policy: null,
  }
}

/** The settings routes, by operation id. */
export const settingsRoutes: Record<string, (ctx: RouteContext) => RouteResult> = {
  'repos/get-branch-protection'(ctx) {
    const p = settingsOf(ctx.repo).protection[ctx.params.branch ?? '']
    if (!p) return {status: 404, body: {message: 'Branch not protected', documentation_url: `${DOCS}/branches/branch-protection#get-branch-protection`, status: '404'}}
    return {status: 200, body: protectionBody(ctx, ctx.params.branch ?? '', p)}
  },
  'repos/get-branch-rules'(ctx) {
    const rules = settingsOf(ctx.repo).rules[ctx.params.branch ?? ''] ?? []
    return {status: 200, body: rules.map((r) => ({
      type: r.type, ...(r.parameters ? {parameters: r.parameters} : {}),
      ruleset_source_type: 'Repository', ruleset_source: `${ctx.repo.owner}/${ctx.repo.repo}`, ruleset_id: r.rulesetId ?? 42,
    }))}
  },
  'repos/get-all-environments'(ctx) {
    const all = settingsOf(ctx.repo).environments
    const perPage = Math.min(Number(ctx.query.per_page ?? 30) || 30, 100)
    const page = Math.max(Number(ctx.query.page ?? 1) || 1, 1)
    const items = all.slice((page - 1) * perPage, page * perPage)
    return {status: 200, body: {total_count: all.length, environments: items.map((e) => environmentBody(ctx, e, 5000 + all.indexOf(e) * 10))}}
  },
  'repos/get-environment'(ctx) {
    const all = settingsOf(ctx.repo).environments
    const env = all.find((e) => e.name === ctx.params.environment_name)
    if (!env) return {status: 404, body: {message: 'Not Found', documentation_url: DOCS}}
    return {status: 200, body: environmentBody(ctx, env, 5000 + all.indexOf(env) * 10)}
  },
}
