import {afterEach, beforeAll, beforeEach, describe, expect, test} from 'vitest'
import {FlowError} from '../../src/core/errors.js'
import {createGitHubForge, type GitHubForgeOptions} from '../../src/providers/octokit-forge.js'
import {fakeGitHub, type FakeGitHub} from '../helpers/fake-github/index.js'
import {githubSpec} from '../helpers/fake-github/spec.js'

const TOKEN = `ghp_${'T0k3n'.repeat(8)}`
let gh: FakeGitHub

beforeAll(async () => {
  await githubSpec()
})

beforeEach(() => {
  gh = fakeGitHub({token: TOKEN})
})

afterEach(() => {
  gh.assertNoViolations()
})

function forge(options: Partial<GitHubForgeOptions> = {}) {
  return createGitHubForge({
    token: TOKEN, owner: 'octo', repo: 'hello', host: 'github.com', baseUrl: 'https://api.github.com', userAgent: 'flow/0.1.0',
    fetch: gh.fetch, retryBaseMs: 5, ...options,
  })
}

async function failure(promise: Promise<unknown>): Promise<FlowError> {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  expect(error).toBeInstanceOf(FlowError)
  return error as FlowError
}

function expectNoToken(error: FlowError) {
  const text = `${error.message}\n${error.hint ?? ''}\n${JSON.stringify(error.details ?? null)}\n${String(error.stack)}`
  expect(text).not.toContain(TOKEN)
}

describe('pull requests', () => {
  test('create, find, get, update, merge: the state folds to merged and the token is sent on every request', async () => {
    const f = await forge()
    const created = await f.createPullRequest({head: 'feature/login', base: 'main', title: 'feat: login', body: 'Adds a login form', draft: true})
    expect(created).toMatchObject({number: 1, head: 'feature/login', base: 'main', state: 'open', draft: true, title: 'feat: login', url: 'https://github.com/octo/hello/pull/1'})
    expect(created.headSha).toMatch(/^[0-9a-f]{40}$/)

    expect(await f.findPullRequest({head: 'feature/login'})).toMatchObject({number: 1, state: 'open'})
    expect(await f.findPullRequest({head: 'feature/other'})).toBeUndefined()
    expect(await f.findPullRequest({head: 'feature/login', base: 'develop'})).toBeUndefined()

    const updated = await f.updatePullRequest(1, {title: 'feat: login form', body: 'v2'})
    expect(updated).toMatchObject({title: 'feat: login form', body: 'v2', state: 'open'})

    const merged = await f.mergePullRequest(1, {method: 'squash', sha: created.headSha, title: 'feat: login form (#1)'})
    expect(merged.merged).toBe(true)
    expect(merged.sha).toMatch(/^[0-9a-f]{40}$/)
    expect(gh.repo('octo', 'hello').pulls[0]).toMatchObject({merged: true, mergeMethod: 'squash'})

    const after = await f.getPullRequest(1)
    expect(after).toMatchObject({state: 'merged', mergeSha: merged.sha})
    expect(await f.findPullRequest({head: 'feature/login'})).toBeUndefined()
    expect(await f.findPullRequest({head: 'feature/login', state: 'all'})).toMatchObject({number: 1, state: 'merged'})

    expect(gh.requests.length).toBeGreaterThan(5)
    for (const request of gh.requests) {
      expect(request.headers.authorization).toBe(`token ${TOKEN}`)
      expect(request.headers['user-agent']).toMatch(/^flow\/0\.1\.0 /)
    }
    expect(gh.requests.find((r) => r.operationId === 'pulls/list')?.query).toMatchObject({head: 'octo:feature/login', state: 'open'})
  })

  test('a closed pull request reads as closed, and merging it is a conflict with GitHub\'s message', async () => {
    const f = await forge()
    await f.createPullRequest({head: 'fix', base: 'main', title: 'fix: it', body: ''})
    expect((await f.updatePullRequest(1, {state: 'closed'})).state).toBe('closed')
    const error = await failure(f.mergePullRequest(1, {method: 'merge'}))
    expect(error.code).toBe('FORGE_CONFLICT')
    expect(error.message).toContain('Pull Request is not mergeable')
  })

  test('merging with a stale head sha is a conflict', async () => {
    const f = await forge()
    await f.createPullRequest({head: 'fix', base: 'main', title: 'fix: it', body: ''})
    const error = await failure(f.mergePullRequest(1, {method: 'rebase', sha: 'f'.repeat(40)}))
    expect(error.code).toBe('FORGE_CONFLICT')
    expect(error.message).toContain('Head branch was modified')
  })

  test('reviews are created and listed across pages', async () => {
    gh = fakeGitHub({token: TOKEN, maxPerPage: 2})
    const f = await forge()
    await f.createPullRequest({head: 'feature/x', base: 'main', title: 'feat: x', body: ''})
    const approved = await f.createReview(1, {event: 'APPROVE'})
    expect(approved).toMatchObject({state: 'approved', author: 'flow-reviewer'})
    await f.createReview(1, {event: 'REQUEST_CHANGES', body: 'Please add tests'})
    for (let i = 0; i < 3; i++) await f.createReview(1, {event: 'COMMENT', body: `note ${i}`})
    const reviews = await f.listReviews(1)
    expect(reviews.map((r) => r.state)).toEqual(['approved', 'changes_requested', 'commented', 'commented', 'commented'])
    expect(reviews[1]).toMatchObject({body: 'Please add tests'})
    expect(gh.requests.filter((r) => r.operationId === 'pulls/list-reviews')).toHaveLength(3)
  })
})

describe('releases', () => {
  test('find by tag (none yet), create, find, update; a second release for the tag is a conflict', async () => {
    const f = await forge()
    expect(await f.findReleaseByTag('v1.0.0')).toBeUndefined()
    const release = await f.createRelease({tag: 'v1.0.0', name: 'v1.0.0', body: '## Features', target: 'main'})
    expect(release).toMatchObject({tag: 'v1.0.0', name: 'v1.0.0', body: '## Features', draft: false, prerelease: false, url: 'https://github.com/octo/hello/releases/tag/v1.0.0'})
    expect(typeof release.id).toBe('number')
    expect(await f.findReleaseByTag('v1.0.0')).toMatchObject({id: release.id})
    expect(await f.updateRelease(release.id, {body: '## Features\n- login', prerelease: true})).toMatchObject({body: '## Features\n- login', prerelease: true})
    const error = await failure(f.createRelease({tag: 'v1.0.0', name: 'again', body: ''}))
    expect(error.code).toBe('FORGE_CONFLICT')
    expect(error.message).toMatch(/Validation Failed: tag_name already_exists/)
  })

  test('a draft is found by tag through the release list (GitHub hides drafts by tag); deleteRelease removes it', async () => {
    const f = await forge()
    const draft = await f.createRelease({tag: 'v2.0.0', name: 'v2.0.0', body: 'notes', draft: true})
    expect(await f.findReleaseByTag('v2.0.0')).toMatchObject({id: draft.id, draft: true})
    expect(gh.requests.map((r) => `${r.operationId} ${r.status}`)).toContain('repos/list-releases 200')
    await f.deleteRelease(draft.id)
    expect(await f.findReleaseByTag('v2.0.0')).toBeUndefined()
    expect(gh.repo('octo', 'hello').releases).toEqual([])
    expect((await failure(f.deleteRelease(draft.id))).code).toBe('FORGE_NOT_FOUND')
  })
})

describe('issues and comments', () => {
  test('create, update, find by label and state across pages, without pull requests', async () => {
    gh = fakeGitHub({token: TOKEN, maxPerPage: 2})
    const f = await forge()
    const incident = await f.createIssue({title: 'Checkout 500s', body: 'sev1', labels: ['incident', 'sev1']})
    expect(incident).toMatchObject({number: 1, state: 'open', labels: ['incident', 'sev1'], url: 'https://github.com/octo/hello/issues/1'})
    for (let i = 0; i < 4; i++) await f.createIssue({title: `incident ${i}`, body: '', labels: ['incident']})
    await f.createIssue({title: 'unrelated', body: ''})
    await f.createPullRequest({head: 'feature/y', base: 'main', title: 'feat: y', body: ''})
    const closed = await f.updateIssue(1, {state: 'closed', labels: ['incident', 'sev1', 'resolved']})
    expect(closed).toMatchObject({state: 'closed', labels: ['incident', 'sev1', 'resolved']})

    const open = await f.findIssues({labels: ['incident']})
    expect(open.map((i) => i.number)).toEqual([5, 4, 3, 2])
    const all = await f.findIssues({state: 'all'})
    expect(all.map((i) => i.number)).toEqual([6, 5, 4, 3, 2, 1])
    expect(gh.requests.filter((r) => r.operationId === 'issues/list-for-repo').length).toBeGreaterThanOrEqual(5)
    expect(gh.requests.find((r) => r.operationId === 'issues/list-for-repo')?.query.labels).toBe('incident')
  })

  test('comments on issues and pull requests; a missing issue is FORGE_NOT_FOUND', async () => {
    const f = await forge()
    await f.createIssue({title: 'Checkout 500s', body: ''})
    await f.createPullRequest({head: 'fix', base: 'main', title: 'fix', body: ''})
    const comment = await f.addComment(1, 'Rolled back')
    expect(comment.url).toBe(`https://github.com/octo/hello/issues/1#issuecomment-${comment.id}`)
    await f.addComment(2, 'LGTM')
    expect(gh.repo('octo', 'hello').comments.map((c) => [c.issue, c.body])).toEqual([[1, 'Rolled back'], [2, 'LGTM']])
    const error = await failure(f.addComment(99, 'nobody home'))
    expect(error.code).toBe('FORGE_NOT_FOUND')
    expect(error.hint).toContain('octo/hello')
  })
})

describe('deployments', () => {
  test('create, statuses, and list with each deployment\'s latest state, filtered by environment and sha', async () => {
    gh = fakeGitHub({token: TOKEN, maxPerPage: 2})
    const f = await forge()
    const sha = 'a'.repeat(40)
    const staging = await f.createDeployment({ref: sha, environment: 'staging', description: 'flow env deploy', payload: {run: 'r1'}, productionEnvironment: false})
    expect(staging).toMatchObject({ref: sha, sha, environment: 'staging', description: 'flow env deploy'})
    await f.createDeploymentStatus(staging.id, {state: 'in_progress'})
    await f.createDeploymentStatus(staging.id, {state: 'success', environmentUrl: 'https://staging.example.com', logUrl: 'https://ci.example.com/1'})
    const prod = await f.createDeployment({ref: 'main', environment: 'production'})
    await f.createDeploymentStatus(prod.id, {state: 'failure', description: 'health check failed'})
    for (let i = 0; i < 2; i++) await f.createDeployment({ref: sha, environment: 'staging'})

    const all = await f.listDeployments({})
    expect(all.map((d) => [d.environment, d.state])).toEqual([['staging', undefined], ['staging', undefined], ['production', 'failure'], ['staging', 'success']])
    expect((await f.listDeployments({environment: 'production'})).map((d) => d.id)).toEqual([prod.id])
    expect(await f.listDeployments({environment: 'staging', sha})).toHaveLength(3)
    const created = gh.requests.find((r) => r.operationId === 'repos/create-deployment')
    expect(created?.body).toMatchObject({auto_merge: false, required_contexts: [], production_environment: false, payload: {run: 'r1'}})
  })
})

describe('errors', () => {
  test('401: FORGE_AUTH, exit 4, a hint about GH_TOKEN and gh auth login, and no token anywhere', async () => {
    const wrong = `ghp_${'Wr0ng'.repeat(8)}`
    const f = await forge({token: wrong})
    const error = await failure(f.getPullRequest(1))
    expect(error.code).toBe('FORGE_AUTH')
    expect(error.exit).toBe(4)
    expect(error.message).toContain('Bad credentials')
    expect(error.hint).toMatch(/GH_TOKEN/)
    expect(error.hint).toMatch(/gh auth login/)
    expect(gh.requests[0]?.headers.authorization).toBe(`token ${wrong}`)
    expect(`${error.message} ${error.hint} ${error.stack}`).not.toContain(wrong)
  })

  test('403 without a rate limit: FORGE_PERMISSION, exit 4', async () => {
    gh.fail('pulls/create', {status: 403, body: {message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest'}})
    const f = await forge()
    const error = await failure(f.createPullRequest({head: 'a', base: 'main', title: 't', body: ''}))
    expect(error.code).toBe('FORGE_PERMISSION')
    expect(error.exit).toBe(4)
    expect(error.message).toContain('Resource not accessible by integration')
    expect(gh.requests).toHaveLength(1)
  })

  test('404: FORGE_NOT_FOUND', async () => {
    const f = await forge()
    const error = await failure(f.getPullRequest(42))
    expect(error.code).toBe('FORGE_NOT_FOUND')
    expect(error.exit).toBe(1)
  })

  test('422: FORGE_CONFLICT carrying GitHub\'s validation message', async () => {
    const f = await forge()
    await f.createPullRequest({head: 'feature/x', base: 'main', title: 'x', body: ''})
    const error = await failure(f.createPullRequest({head: 'feature/x', base: 'main', title: 'x', body: ''}))
    expect(error.code).toBe('FORGE_CONFLICT')
    expect(error.message).toContain('A pull request already exists for octo:feature/x.')
  })

  test('a 500 is retried and the second answer wins', async () => {
    gh.fail('pulls/get', {status: 500})
    const f = await forge()
    await f.createPullRequest({head: 'x', base: 'main', title: 'x', body: ''})
    expect((await f.getPullRequest(1)).number).toBe(1)
    expect(gh.requests.filter((r) => r.operationId === 'pulls/get').map((r) => r.status)).toEqual([500, 200])
  })

  test('a 502 that persists becomes FORGE_UNAVAILABLE with a hint, after the retries', async () => {
    gh.fail('repos/get-release-by-tag', {status: 502, times: Infinity, body: {message: 'Server Error'}})
    const f = await forge({retries: 2})
    const error = await failure(f.findReleaseByTag('v1.0.0'))
    expect(error.code).toBe('FORGE_UNAVAILABLE')
    expect(error.message).toContain('502')
    expect(error.hint).toMatch(/network/)
    expect(gh.requests).toHaveLength(3)
  })

  test('a dropped connection and a request that outlives the timeout are FORGE_UNAVAILABLE', async () => {
    gh.fail('pulls/get', {network: true, times: Infinity})
    const f = await forge({retries: 1})
    expect((await failure(f.getPullRequest(1))).code).toBe('FORGE_UNAVAILABLE')

    gh.fail('issues/create', {delayMs: 300, status: 201, times: Infinity})
    const slow = await forge({retries: 0, timeoutMs: 100})
    const error = await failure(slow.createIssue({title: 't', body: ''}))
    expect(error.code).toBe('FORGE_UNAVAILABLE')
    expect(error.message).toContain('did not answer in time')
  })

  test('a secondary rate limit (403, retry-after: 1) is retried after the wait it asks for', async () => {
    gh.fail('pulls/create', {status: 403, headers: {'retry-after': '1'}, body: {message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest'}})
    const warnings: string[] = []
    const f = await forge({retryBaseMs: 1000, onWarn: (m) => warnings.push(m)})
    const started = Date.now()
    const pr = await f.createPullRequest({head: 'x', base: 'main', title: 'x', body: ''})
    expect(pr.number).toBe(1)
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
    expect(gh.requests.map((r) => r.status)).toEqual([403, 201])
    expect(warnings.join('\n')).toMatch(/secondary rate limit.*retrying in 1 s/)
  })

  test('a secondary rate limit that persists fails as FORGE_UNAVAILABLE after a few retries', async () => {
    gh.fail('issues/create', {status: 403, times: Infinity, headers: {'retry-after': '1'}, body: {message: 'You have exceeded a secondary rate limit.'}})
    const f = await forge({retries: 2})
    const error = await failure(f.createIssue({title: 't', body: ''}))
    expect(error.code).toBe('FORGE_UNAVAILABLE')
    expect(error.message).toContain('secondary rate limit')
    expect(gh.requests).toHaveLength(3)
  })

  test('429 is retried; a primary limit that resets in an hour fails at once as FORGE_UNAVAILABLE', async () => {
    gh.fail('issues/create', {status: 429, headers: {'retry-after': '1'}, body: {message: 'You have exceeded a secondary rate limit'}})
    const f = await forge()
    expect((await f.createIssue({title: 't', body: ''})).number).toBe(1)

    const reset = Math.floor(Date.now() / 1000) + 3600
    gh.fail('issues/update', {status: 403, headers: {'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset)}, body: {message: 'API rate limit exceeded for user ID 1.'}})
    const before = gh.requests.length
    const error = await failure(f.updateIssue(1, {state: 'closed'}))
    expect(error.code).toBe('FORGE_UNAVAILABLE')
    expect(error.message).toContain(new Date(reset * 1000).toISOString())
    expect(gh.requests.length - before).toBe(1)
  })

  test('a plain 429 Too Many Requests with retry-after (no secondary-limit wording) is retried after the wait it asks for', async () => {
    gh.fail('pulls/create', {status: 429, headers: {'retry-after': '2'}, body: {message: 'Too Many Requests', documentation_url: 'https://docs.github.com/rest'}})
    const warnings: string[] = []
    const f = await forge({retryBaseMs: 100, onWarn: (m) => warnings.push(m)})
    const started = Date.now()
    expect((await f.createPullRequest({head: 'x', base: 'main', title: 'x', body: ''})).number).toBe(1)
    expect(Date.now() - started).toBeGreaterThanOrEqual(190)
    expect(gh.requests.map((r) => r.status)).toEqual([429, 201])
    expect(warnings.join('\n')).toMatch(/rate limit \(429\).*retrying in 2 s/)

    gh.fail('issues/create', {status: 429, times: Infinity, headers: {'retry-after': '1'}, body: {message: 'Too Many Requests'}})
    const error = await failure((await forge({retries: 2})).createIssue({title: 't', body: ''}))
    expect(error.code).toBe('FORGE_UNAVAILABLE')
    expect(gh.requests.filter((r) => r.operationId === 'issues/create')).toHaveLength(3)
  })

  test('a token echoed back in an error body is redacted from the message', async () => {
    gh.fail('pulls/get', {status: 403, body: {message: `token ${TOKEN} lacks the repo scope`}})
    gh.fail('issues/create', {status: 422, body: {message: 'Validation Failed', errors: [{resource: 'Issue', code: 'custom', message: `bad ${TOKEN}`}]}})
    gh.fail('repos/get-release-by-tag', {status: 500, times: Infinity, body: {message: `upstream said ${TOKEN}`}})
    const f = await forge({retries: 0})
    for (const promise of [f.getPullRequest(1), f.createIssue({title: 't', body: ''}), f.findReleaseByTag('v1')]) {
      const error = await failure(promise)
      expectNoToken(error)
      expect(error.message).toContain('***')
    }
  })
})

describe('creates GitHub does not deduplicate (issues, comments, deployments)', () => {
  test('an answer lost after the effect (502, dropped connection) is found again, never created twice; a lost request is retried', async () => {
    const f = await forge()
    gh.fail('issues/create', {status: 502, body: {message: 'Server Error'}, after: true})
    const issue = await f.createIssue({title: 'INC-1: x', body: 'body <!-- m -->', labels: ['incident']})
    expect(gh.repo('octo', 'hello').issues.map((i) => i.number)).toEqual([issue.number])
    gh.fail('issues/create-comment', {network: true, after: true})
    await f.addComment(issue.number, 'Note: one')
    expect(gh.repo('octo', 'hello').comments).toHaveLength(1)
    gh.fail('repos/create-deployment', {status: 502, body: {message: 'Server Error'}, after: true})
    const made = await f.createDeployment({ref: 'main', environment: 'staging', description: 'DEP-1: deploy abc'})
    expect(gh.repo('octo', 'hello').deployments.map((d) => d.id)).toEqual([made.id])
    gh.fail('issues/create', {status: 500})
    await f.createIssue({title: 'INC-2: y', body: 'other'})
    expect(gh.repo('octo', 'hello').issues).toHaveLength(2)
  })
})
