import {spawn} from 'node:child_process'
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

/** Debian's smart-HTTP CGI program. */
export const HTTP_BACKEND = '/usr/lib/git-core/git-http-backend'

/** One request the server saw. */
export interface GitHttpRequest {
  method: string
  /** The path without the query, e.g. `/owner/repo.git/info/refs`. */
  path: string
  query: string
  /** The git service the request belongs to. */
  service?: 'git-upload-pack' | 'git-receive-pack'
  /** `advertise` for the GET of info/refs, `rpc` for the POST that carries the pack. */
  phase: 'advertise' | 'rpc' | 'other'
  /** The Basic-auth user name, when credentials were sent. */
  user?: string
  /** The request body's Content-Encoding (git gzips big upload-pack requests). */
  encoding?: string
  /** The HTTP status the server answered with (set when the answer starts). */
  status?: number
}

/** Requests held until the test releases them. */
export interface Hold {
  /** Resolves when the first matching request arrives. */
  arrived: Promise<GitHttpRequest>
  /** How many requests are waiting now. */
  readonly waiting: number
  /** Lets every held request (and any later match) through. */
  release(): void
}

/** Which requests need the token. */
export type TokenScope = 'push' | 'all'

/** Options of the HTTP git remote. */
export interface GitHttpServerOptions {
  /** The directory holding the bare repositories (`<root>/owner/repo.git`). */
  root: string
  /** When set, requests in `tokenFor` need Basic auth with this token as the password (or user), like GitHub. */
  token?: string
  /** Which requests need the token (default: pushes only). */
  tokenFor?: TokenScope
  /** Extra environment for git-http-backend. */
  env?: Record<string, string>
}

/** A running smart-HTTP git remote on loopback. */
export interface GitHttpServer {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  url: string
  port: number
  /** Every request so far, in arrival order. */
  requests: GitHttpRequest[]
  /** Holds the requests matching the predicate until `release()`. */
  hold(predicate: (request: GitHttpRequest) => boolean): Hold
  /** Answers the next matching request with this status, or (`drop`) starts answering and cuts the connection; once. */
  failNext(predicate: (request: GitHttpRequest) => boolean, status: number | 'drop'): void
  close(): Promise<void>
}

/** Starts a smart-HTTP git remote on 127.0.0.1 (a free port) that runs git-http-backend as CGI per request. */
export async function startGitHttpServer(options: GitHttpServerOptions): Promise<GitHttpServer> {
  const holds: Array<{predicate: (r: GitHttpRequest) => boolean; released: boolean; waiters: Array<() => void>; onArrive: (r: GitHttpRequest) => void}> = []
  const failures: Array<{predicate: (r: GitHttpRequest) => boolean; status: number | 'drop'}> = []
  const requests: GitHttpRequest[] = []
  const children = new Set<ReturnType<typeof spawn>>()

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const credentials = basicAuth(req.headers.authorization)
    const service = serviceOf(url)
    const request: GitHttpRequest = {
      method: req.method ?? 'GET',
      path: decodeURIComponent(url.pathname),
      query: url.search.slice(1),
      service,
      phase: url.pathname.endsWith('/info/refs') ? 'advertise' : service ? 'rpc' : 'other',
      user: credentials?.user,
      encoding: req.headers['content-encoding'],
    }
    requests.push(request)

    for (const hold of holds) {
      if (hold.released || !hold.predicate(request)) continue
      hold.onArrive(request)
      await new Promise<void>((resolve) => hold.waiters.push(resolve))
    }
    if (req.socket.destroyed) return

    const failure = failures.findIndex((f) => f.predicate(request))
    if (failure >= 0) {
      const {status} = failures.splice(failure, 1)[0]!
      if (status === 'drop') {
        // Start the answer, then cut the connection: curl would silently retry a request dropped before any byte.
        res.writeHead(200, {'Content-Type': `application/x-${service ?? 'git'}-result`})
        res.flushHeaders()
        res.write('00')
        setTimeout(() => req.socket.destroy(), 20)
        return
      }
      request.status = status
      res.writeHead(status, {'Content-Type': 'text/plain'}).end('injected failure\n')
      return
    }

    const needsToken = options.token !== undefined && (options.tokenFor === 'all' || service === 'git-receive-pack')
    const authorised = !needsToken || (credentials !== undefined && (credentials.password === options.token || credentials.user === options.token))
    if (!authorised) {
      request.status = 401
      res.writeHead(401, {'WWW-Authenticate': 'Basic realm="flow test remote"', 'Content-Type': 'text/plain'}).end('Authentication required\n')
      return
    }

    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: options.root,
      GIT_CONFIG_NOSYSTEM: '1',
      ...options.env,
      GIT_PROJECT_ROOT: options.root,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: request.path,
      QUERY_STRING: request.query,
      REQUEST_METHOD: request.method,
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
      // git-http-backend allows receive-pack only for an authenticated user.
      REMOTE_USER: credentials?.user || 'anonymous',
    }
    if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length']
    if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = req.headers['content-encoding']
    if (req.headers['git-protocol']) env.GIT_PROTOCOL = String(req.headers['git-protocol'])

    const child = spawn(HTTP_BACKEND, [], {env, stdio: ['pipe', 'pipe', 'pipe']})
    children.add(child)
    child.on('close', () => children.delete(child))
    child.stdin.on('error', () => {})
    req.pipe(child.stdin)
    res.on('close', () => {
      if (!res.writableFinished) child.kill('SIGKILL')
    })
    let head = Buffer.alloc(0)
    let started = false
    child.stdout.on('data', (chunk: Buffer) => {
      if (started) {
        res.write(chunk)
        return
      }
      head = Buffer.concat([head, chunk])
      const end = headerEnd(head)
      if (!end) return
      started = true
      const headers: Record<string, string> = {}
      let status = 200
      for (const line of head.subarray(0, end.index).toString('latin1').split(/\r?\n/)) {
        const colon = line.indexOf(':')
        if (colon < 0) continue
        const name = line.slice(0, colon).trim()
        const value = line.slice(colon + 1).trim()
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10)
        else headers[name] = value
      }
      request.status = status
      res.writeHead(status, headers)
      res.write(head.subarray(end.index + end.length))
    })
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (code) => {
      if (!started) {
        request.status = 500
        if (!res.headersSent) res.writeHead(500, {'Content-Type': 'text/plain'})
        res.end(`git-http-backend failed (${code}): ${stderr}`)
      } else {
        res.end()
      }
    })
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500)
      res.end(String(error))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    hold(predicate) {
      let onArrive!: (r: GitHttpRequest) => void
      const arrived = new Promise<GitHttpRequest>((resolve) => (onArrive = resolve))
      const entry = {predicate, released: false, waiters: [] as Array<() => void>, onArrive}
      holds.push(entry)
      return {
        arrived,
        get waiting() {
          return entry.waiters.length
        },
        release() {
          entry.released = true
          for (const wake of entry.waiters.splice(0)) wake()
        },
      }
    },
    failNext(predicate, status) {
      failures.push({predicate, status})
    },
    async close() {
      for (const hold of holds) {
        hold.released = true
        for (const wake of hold.waiters.splice(0)) wake()
      }
      for (const child of children) child.kill('SIGKILL')
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** The same as startGitHttpServer, under the short name the tests use. */
export const start = startGitHttpServer

/**
 * Environment that sends `https://github.com/...` to the loopback server without touching any config file,
 * so tests keep GitHub-shaped remote URLs.
 */
export function githubInsteadOf(server: Pick<GitHttpServer, 'url'>): Record<string, string> {
  return {GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: `url.${server.url}/.insteadOf`, GIT_CONFIG_VALUE_0: 'https://github.com/'}
}

function serviceOf(url: URL): GitHttpRequest['service'] {
  const name = url.searchParams.get('service') ?? url.pathname.split('/').pop()
  return name === 'git-upload-pack' || name === 'git-receive-pack' ? name : undefined
}

function basicAuth(header: string | undefined): {user: string; password: string} | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '')
  if (!match) return undefined
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return colon < 0 ? {user: decoded, password: ''} : {user: decoded.slice(0, colon), password: decoded.slice(colon + 1)}
}

function headerEnd(buffer: Buffer): {index: number; length: number} | undefined {
  const crlf = buffer.indexOf('\r\n\r\n')
  const lf = buffer.indexOf('\n\n')
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return {index: crlf, length: 4}
  if (lf >= 0) return {index: lf, length: 2}
  return undefined
}
