import {commentBody, listPage, type RouteContext, type RouteResult} from './routes.js'

/** Routes incidents need beyond the shared ones: reading an issue's comments (to never post one twice). */
export const incidentRoutes: Record<string, (ctx: RouteContext) => RouteResult> = {
  'issues/list-comments'(ctx) {
    const number = Number(ctx.params.issue_number)
    if (!ctx.repo.issues.some((i) => i.number === number) && !ctx.repo.pulls.some((p) => p.number === number)) return {status: 404, body: {message: 'Not Found', documentation_url: 'https://docs.github.com/rest'}}
    const {items, headers} = listPage(ctx, ctx.repo.comments.filter((c) => c.issue === number))
    return {status: 200, body: items.map((c) => commentBody(ctx, c)), headers}
  },
}
