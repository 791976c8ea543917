import type {FakeRepo, RouteContext, RouteResult} from './routes.js'

/** A commit status the fake remembers (`flow change check --status` posts `flow/change`). */
export interface FakeCommitStatus {id: number; sha: string; state: string; context: string; description: string | null; targetUrl: string | null; createdAt: string}

const remembered = new WeakMap<FakeRepo, FakeCommitStatus[]>()

/** The commit statuses posted to a repository of the fake, oldest first. */
export function commitStatuses(repo: FakeRepo): FakeCommitStatus[] {
  let list = remembered.get(repo)
  if (!list) remembered.set(repo, (list = []))
  return list
}

/** The fake's commit status routes, by GitHub operationId. */
export const changeRoutes: Record<string, (ctx: RouteContext) => RouteResult> = {
  'repos/create-commit-status'(ctx) {
    const state = String(ctx.body.state)
    if (!['error', 'failure', 'pending', 'success'].includes(state)) {
      return {status: 422, body: {message: 'Validation Failed', documentation_url: 'https://docs.github.com/rest', errors: [{resource: 'Status', field: 'state', code: 'invalid'}]}}
    }
    const status: FakeCommitStatus = {
      id: ctx.nextId(), sha: String(ctx.params.sha), state, context: typeof ctx.body.context === 'string' ? ctx.body.context : 'default',
      description: typeof ctx.body.description === 'string' ? ctx.body.description : null, targetUrl: typeof ctx.body.target_url === 'string' ? ctx.body.target_url : null, createdAt: ctx.now(),
    }
    commitStatuses(ctx.repo).push(status)
    const body = ctx.spec.example<Record<string, unknown>>('status')
    const url = `${ctx.apiBase}/repos/${ctx.repo.owner}/${ctx.repo.repo}/statuses/${status.sha}`
    Object.assign(body, {id: status.id, url, state: status.state, context: status.context, description: status.description, target_url: status.targetUrl, created_at: status.createdAt, updated_at: status.createdAt})
    return {status: 201, body, headers: {location: url}}
  },
}
