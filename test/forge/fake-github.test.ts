import {Octokit} from '@octokit/rest'
import {afterEach, beforeAll, describe, expect, test} from 'vitest'
import {createGitHubForge} from '../../src/providers/octokit-forge.js'
import {fakeGitHub, startFakeGitHubServer, type FakeGitHub, type FakeGitHubServer} from '../helpers/fake-github/index.js'
import {githubSpec} from '../helpers/fake-github/spec.js'

let gh: FakeGitHub | undefined
let server: FakeGitHubServer | undefined

beforeAll(async () => {
  await githubSpec()
})

afterEach(async () => {
  await server?.close()
  server = undefined
  gh = undefined
})

const octokit = (fetch: typeof globalThis.fetch, baseUrl = 'https://api.github.com') =>
  new Octokit({auth: 'ghp_0123456789abcdefghijklmnopqrstuvwxyz', baseUrl, request: {fetch}, log: {debug() {}, info() {}, warn() {}, error() {}}})

describe('the fake GitHub holds requests to GitHub\'s OpenAPI description', () => {
  test('pulls/create without base and with draft: "yes" is recorded as a violation, answered with an error, and fails assertNoViolations', async () => {
    gh = fakeGitHub()
    const client = octokit(gh.fetch)
    // Casts let the test send what TypeScript (and the spec) forbid.
    const error = await client.request('POST /repos/{owner}/{repo}/pulls', {owner: 'o', repo: 'r', head: 'feature/x', title: 'x', draft: 'yes'} as any).catch((e: any) => e)
    expect(error.status).toBe(400)
    expect(gh.violations.join('\n')).toMatch(/pulls\/create\) request: \/requestBody must have required property 'base'/)
    expect(gh.violations.join('\n')).toMatch(/\/requestBody\/draft must be boolean/)
    expect(() => gh!.assertNoViolations()).toThrow(/violation/)
    expect(gh.repo('o', 'r').pulls).toHaveLength(0)
  })

  test('a bad query parameter and an unknown route are violations too', async () => {
    gh = fakeGitHub()
    const client = octokit(gh.fetch)
    await client.request('GET /repos/{owner}/{repo}/pulls', {owner: 'o', repo: 'r', state: 'merged'} as any).catch(() => undefined)
    const unknown = await client.request('POST /repos/{owner}/{repo}/pullz', {owner: 'o', repo: 'r'}).catch((e: any) => e)
    expect(unknown.status).toBe(404)
    expect(gh.violations).toEqual([
      expect.stringMatching(/^GET \/repos\/o\/r\/pulls \(pulls\/list\) request: \/query\/state must be equal to one of the allowed values/),
      'POST /repos/o/r/pullz: no such route in GitHub\'s REST API',
    ])
    expect(() => gh!.assertNoViolations()).toThrow(/2 violation/)
  })

  test('a valid request passes, and its response (built from the spec\'s examples) validates', async () => {
    gh = fakeGitHub()
    const {data, status} = await octokit(gh.fetch).rest.pulls.create({owner: 'o', repo: 'r', head: 'feature/x', base: 'main', title: 'x'})
    expect(status).toBe(201)
    expect(data).toMatchObject({number: 1, head: {ref: 'feature/x', label: 'o:feature/x'}, base: {ref: 'main'}, html_url: 'https://github.com/o/r/pull/1'})
    expect(gh.violations).toEqual([])
    gh.assertNoViolations()
  })

  test('list endpoints paginate with Link headers that Octokit follows', async () => {
    gh = fakeGitHub({maxPerPage: 3})
    const client = octokit(gh.fetch)
    for (let i = 0; i < 7; i++) await client.rest.issues.create({owner: 'o', repo: 'r', title: `issue ${i}`})
    const first = await client.rest.issues.listForRepo({owner: 'o', repo: 'r', per_page: 100})
    expect(first.data).toHaveLength(3)
    expect(first.headers.link).toMatch(/<https:\/\/api\.github\.com\/repos\/o\/r\/issues\?per_page=3&page=2>; rel="next"/)
    const all = await client.paginate(client.rest.issues.listForRepo, {owner: 'o', repo: 'r', per_page: 100})
    expect(all.map((i) => i.number)).toEqual([7, 6, 5, 4, 3, 2, 1])
    gh.assertNoViolations()
  })

  test('fault hooks answer a given status a given number of times, by operationId or route', async () => {
    gh = fakeGitHub()
    gh.fail('GET /repos/{owner}/{repo}/releases/tags/{tag}', {status: 502, times: 2})
    const client = octokit(gh.fetch)
    const statuses: number[] = []
    for (let i = 0; i < 3; i++) statuses.push(await client.rest.repos.getReleaseByTag({owner: 'o', repo: 'r', tag: 'v1'}).then((r) => r.status, (e: any) => e.status))
    expect(statuses).toEqual([502, 502, 404])
    gh.assertNoViolations()
  })

  test('a token option makes requests without it answer 401 Bad credentials', async () => {
    gh = fakeGitHub({token: 'ghp_right_token_123456'})
    const error = await octokit(gh.fetch).rest.pulls.get({owner: 'o', repo: 'r', pull_number: 1}).catch((e: any) => e)
    expect(error.status).toBe(401)
    expect(error.response.data.message).toBe('Bad credentials')
    gh.assertNoViolations()
  })
})

describe('the fake GitHub on loopback', () => {
  test('serves the GitHub forge over real HTTP, under an Enterprise /api/v3 base too, with state and validation', async () => {
    server = await startFakeGitHubServer({token: 'ghp_loopback_token_1234567'})
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const forge = await createGitHubForge({
      token: 'ghp_loopback_token_1234567', owner: 'octo', repo: 'hello', host: 'ghe.example.com', baseUrl: `${server.url}/api/v3`, userAgent: 'flow/0.1.0', retryBaseMs: 5,
    })
    const pr = await forge.createPullRequest({head: 'feature/a', base: 'main', title: 'feat: a', body: ''})
    expect(await forge.getPullRequest(pr.number)).toMatchObject({head: 'feature/a', state: 'open'})
    const release = await forge.createRelease({tag: 'v2.0.0', name: 'v2.0.0', body: 'notes'})
    expect(await forge.findReleaseByTag('v2.0.0')).toMatchObject({id: release.id})
    expect(server.github.requests.map((r) => r.path)).toContain('/repos/octo/hello/pulls')
    expect(server.github.repo('octo', 'hello').releases).toHaveLength(1)

    const raw = await fetch(`${server.url}/repos/octo/hello/pulls`, {method: 'POST', headers: {'content-type': 'application/json', authorization: 'token ghp_loopback_token_1234567'}, body: JSON.stringify({head: 'x'})})
    expect(raw.status).toBe(400)
    expect(server.github.violations.some((v) => v.includes("required property 'base'"))).toBe(true)
  })
})
