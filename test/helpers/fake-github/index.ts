import {createServer, type IncomingMessage} from 'node:http'
import type {AddressInfo} from 'node:net'
import {emptyRepo, routes, type FakeRepo} from './routes.js'
import {githubSpec, type SpecRequest} from './spec.js'

export {fakeSha} from './routes.js'
export type {FakeRepo, FakePull, FakeRelease, FakeIssue, FakeDeployment, FakeDeploymentStatus, FakeReview, FakeComment} from './routes.js'

/** One request the fake received. */
export interface FakeRequestLog {
  method: string
  /** Path without the query and without an Enterprise `/api/v3` prefix. */
  path: string
  query: Record<string, string>
  headers: Record<string, string>
  body: unknown
  operationId?: string
  status: number
  /** Set when an injected fault answered (or followed) this request. */
  fault?: true
}

/** A failure to answer instead of the real behaviour, for the next `times` matching requests. */
export interface FaultSpec {
  status?: number
  headers?: Record<string, string>
  body?: unknown
  /** How many matching requests fail (default 1; Infinity for all). */
  times?: number
  /** Fail like a dropped connection instead of answering. */
  network?: boolean
  /** Wait this long before answering (to trip client timeouts). */
  delayMs?: number
  /** Let this many matching requests through before the fault applies (to hit the 2nd call of an operation). */
  skip?: number
  /** Do the real work first, then answer with the fault: the effect happened but the client never hears of it. */
  after?: boolean
}

/** Options of fakeGitHub. */
export interface FakeGitHubOptions {
  /** When set, requests without `Authorization: token|bearer <token>` get 401 Bad credentials. */
  token?: string
  /** Caps `per_page` (GitHub's cap is 100), so tests see pagination with few items. */
  maxPerPage?: number
  /** The time every record is stamped with (default a fixed 2026-01-01T00:00:00Z). */
  now?: () => string
  /** The real head sha of a branch (read from the test's bare origin), so merges with a `sha` guard can match. */
  headSha?: (owner: string, repo: string, branch: string) => string | undefined
}

/** The in-memory GitHub. */
export interface FakeGitHub {
  /** A fetch for Octokit's `request.fetch`: every request and response is checked against GitHub's OpenAPI. */
  fetch: typeof globalThis.fetch
  /** Every request, in order. */
  readonly requests: FakeRequestLog[]
  /** Spec violations and unknown routes, each `METHOD /path: problem`. */
  readonly violations: string[]
  /** Throws when any violation was recorded. */
  assertNoViolations(): void
  /** Makes the next requests of an operation (`pulls/create`), a route template (`POST /repos/{owner}/{repo}/pulls`) or a path fail. */
  fail(target: string, fault: FaultSpec): void
  /** Forgets every fault not yet used up. */
  clearFaults(): void
  /** A repository's remembered state (created empty on first use). */
  repo(owner: string, repo: string): FakeRepo
  /** Answers one raw request (what both fetch and the HTTP server use). */
  handle(raw: RawRequest): Promise<RawResponse>
}

/** A request as it came over the wire. */
export interface RawRequest {
  method: string
  /** Absolute URL. */
  url: string
  headers: Record<string, string>
  body?: string
}

/** An answer to send back; `network` means drop the connection. */
export interface RawResponse {
  status: number
  headers: Record<string, string>
  body: string
  network?: boolean
}

const RATE_HEADERS = {'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '4999', 'x-ratelimit-used': '1', 'x-ratelimit-resource': 'core'}

/** Creates an in-memory GitHub whose every request and response is validated against `api.github.com.json`. */
export function fakeGitHub(options: FakeGitHubOptions = {}): FakeGitHub {
  const repos = new Map<string, FakeRepo>()
  const requests: FakeRequestLog[] = []
  const violations: string[] = []
  const faults: Array<{target: string; fault: FaultSpec; left: number; skip: number}> = []
  let lastId = 1000
  const now = options.now ?? (() => '2026-01-01T00:00:00Z')

  const repo = (owner: string, name: string) => {
    const key = `${owner}/${name}`.toLowerCase()
    let found = repos.get(key)
    if (!found) repos.set(key, (found = emptyRepo(owner, name)))
    return found
  }

  const json = (status: number, body: unknown, headers: Record<string, string> = {}): RawResponse => ({
    status,
    headers: {'content-type': 'application/json; charset=utf-8', ...RATE_HEADERS, 'x-github-request-id': `FAKE:${requests.length}`, ...headers},
    body: body === undefined ? '' : JSON.stringify(body),
  })

  const takeFault = (candidates: string[]): FaultSpec | undefined => {
    const found = faults.find((f) => f.left > 0 && candidates.includes(f.target))
    if (!found) return undefined
    if (found.skip > 0) {
      found.skip--
      return undefined
    }
    found.left--
    return found.fault
  }

  async function handle(raw: RawRequest): Promise<RawResponse> {
    const url = new URL(raw.url)
    const prefix = url.pathname.startsWith('/api/v3/') ? '/api/v3' : ''
    const path = url.pathname.slice(prefix.length)
    const apiBase = `${url.origin}${prefix}`
    const query: Record<string, string> = Object.fromEntries(url.searchParams)
    const headers = Object.fromEntries(Object.entries(raw.headers).map(([k, v]) => [k.toLowerCase(), v]))
    let body: unknown
    if (raw.body !== undefined && raw.body !== '') {
      try {
        body = JSON.parse(raw.body)
      } catch {
        body = raw.body
      }
    }
    const method = raw.method.toUpperCase()
    const log: FakeRequestLog = {method, path, query, headers, body, status: 0}
    requests.push(log)
    const label = `${method} ${path}`
    const answer = (response: RawResponse) => {
      log.status = response.status
      return response
    }

    const spec = await githubSpec()
    const req: SpecRequest = {method, path, query, headers, body}
    const operation = spec.match(req)
    if (!operation) {
      violations.push(`${label}: no such route in GitHub's REST API`)
      const fault = takeFault([path, label])
      if (fault) log.fault = true
      if (fault) return answer(await faultAnswer(fault))
      return answer(json(404, {message: `Not Found (fake GitHub: ${label} is not a GitHub route)`, documentation_url: 'https://docs.github.com/rest'}))
    }
    log.operationId = operation.operationId
    const requestProblems = spec.checkRequest(req, operation)
    if (requestProblems.length > 0) {
      violations.push(...requestProblems.map((p) => `${label} (${operation.operationId}) request: ${p}`))
      return answer(json(400, {message: `fake GitHub: the request violates GitHub's OpenAPI description: ${requestProblems.join('; ')}`, documentation_url: 'https://docs.github.com/rest'}))
    }
    if (options.token !== undefined) {
      const auth = headers.authorization ?? ''
      if (auth !== `token ${options.token}` && auth !== `bearer ${options.token}` && auth !== `Bearer ${options.token}`) {
        return answer(json(401, {message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401'}))
      }
    }
    const fault = takeFault([operation.operationId ?? '', `${method} ${operation.path}`, path, label])
    if (fault) log.fault = true
    if (fault && !fault.after) return answer(await faultAnswer(fault))

    const route = operation.operationId ? routes[operation.operationId] : undefined
    if (!route) {
      violations.push(`${label} (${operation.operationId}): the fake does not implement this operation`)
      return answer(json(501, {message: `fake GitHub does not implement ${operation.operationId}`}))
    }
    const params = spec.params(req, operation)
    const result = route({
      repo: repo(params.owner ?? '', params.repo ?? ''), params, query, body: body ?? {}, apiBase, path, spec,
      nextId: () => ++lastId, now, maxPerPage: options.maxPerPage ?? 100,
      ...(options.headSha ? {headSha: (branch: string) => options.headSha!(params.owner ?? '', params.repo ?? '', branch)} : {}),
    })
    const documented = Object.keys(operation.responses ?? {})
    if (result.status < 300 && !documented.includes(String(result.status))) {
      violations.push(`${label} (${operation.operationId}) response: status ${result.status} is not documented`)
    }
    const responseProblems = result.body === undefined ? [] : spec.checkResponse(result.body, operation, result.status)
    if (responseProblems.length > 0) {
      violations.push(...responseProblems.map((p) => `${label} (${operation.operationId}) response ${result.status}: ${p}`))
      return answer(json(400, {message: `fake GitHub: its own response violates GitHub's OpenAPI description: ${responseProblems.slice(0, 3).join('; ')}`}))
    }
    if (fault?.after) return answer(await faultAnswer(fault))
    return answer(json(result.status, result.body, result.headers))
  }

  async function faultAnswer(fault: FaultSpec): Promise<RawResponse> {
    if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs))
    if (fault.network) return {status: 0, headers: {}, body: '', network: true}
    const status = fault.status ?? 500
    return json(status, fault.body ?? {message: `fake fault ${status}`, documentation_url: 'https://docs.github.com/rest'}, fault.headers)
  }

  const fetchImpl: typeof globalThis.fetch = async (input, init) => {
    const request = input instanceof Request ? input : undefined
    const url = request ? request.url : String(input)
    const headers: Record<string, string> = {}
    new Headers(init?.headers ?? request?.headers).forEach((v, k) => (headers[k] = v))
    const body = init?.body === undefined || init.body === null ? (request ? await request.text() : undefined) : String(init.body)
    const signal = init?.signal ?? request?.signal
    signal?.throwIfAborted()
    const handled = handle({method: init?.method ?? request?.method ?? 'GET', url, headers, body})
    // Like a real fetch, give up when the caller's signal aborts (client timeouts).
    const response = signal
      ? await Promise.race([handled, new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), {once: true}))])
      : await handled
    if (response.network) throw new TypeError('fetch failed', {cause: new Error('socket hang up (fake GitHub dropped the connection)')})
    const bodyless = response.status === 204 || response.status === 304
    return new Response(bodyless ? null : response.body, {status: response.status, headers: response.headers})
  }

  return {
    fetch: fetchImpl,
    requests,
    violations,
    assertNoViolations() {
      if (violations.length > 0) throw new Error(`fake GitHub saw ${violations.length} violation(s) of GitHub's OpenAPI description:\n${violations.join('\n')}`)
    },
    fail(target, fault) {
      faults.push({target, fault, left: fault.times ?? 1, skip: fault.skip ?? 0})
    },
    clearFaults() {
      faults.length = 0
    },
    repo,
    handle,
  }
}

/** The fake GitHub on loopback, for the built binary (set GITHUB_API_URL to `url`). */
export interface FakeGitHubServer {
  /** `http://127.0.0.1:PORT` */
  url: string
  github: FakeGitHub
  close(): Promise<void>
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

/** Starts the fake GitHub on 127.0.0.1 on a free port. */
export async function startFakeGitHubServer(options: FakeGitHubOptions = {}): Promise<FakeGitHubServer> {
  const github = fakeGitHub(options)
  await githubSpec()
  const server = createServer((req, res) => {
    void (async () => {
      try {
        const headers: Record<string, string> = {}
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v
        const body = await readBody(req)
        const answer = await github.handle({method: req.method ?? 'GET', url: `http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, headers, body})
        if (answer.network) {
          req.socket.destroy()
          return
        }
        res.writeHead(answer.status, answer.headers)
        res.end(answer.status === 204 ? undefined : answer.body)
      } catch (error) {
        github.violations.push(`fake GitHub crashed: ${String(error)}`)
        res.writeHead(500, {'content-type': 'application/json'})
        res.end(JSON.stringify({message: `fake GitHub crashed: ${String(error)}`}))
      }
    })()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    github,
    close: () => new Promise((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}
