import {spawn} from 'node:child_process'
import {mkdirSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, onTestFinished, test} from 'vitest'
import {githubInsteadOf, start, type GitHttpServerOptions} from '../helpers/git-http-server.js'
import {tempRepo} from '../helpers/temp-repo.js'

/** Runs git without blocking the event loop (the server lives in this process). */
function git(cwd: string, env: Record<string, string>, ...args: string[]): Promise<{code: number | null; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    const child = spawn('git', args, {cwd, env, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (code) => resolve({code, stdout: stdout.trim(), stderr}))
  })
}

async function serve(options: Partial<GitHttpServerOptions> = {}) {
  const repo = tempRepo()
  const server = await start({root: repo.scratch, ...options})
  onTestFinished(() => server.close())
  const url = `${server.url}/origin.git`
  return {repo, server, url}
}

describe('the smart-HTTP git remote helper', () => {
  test('clones, fetches and pushes over HTTP', async () => {
    const {repo, server, url} = await serve()
    const clone = join(repo.scratch, 'http-clone')
    expect((await git(repo.scratch, repo.env, 'clone', '-q', url, clone)).code).toBe(0)
    expect(repo.gitIn(clone, 'rev-parse', 'HEAD')).toBe(repo.git('rev-parse', 'main'))
    repo.gitIn(clone, 'commit', '-q', '--allow-empty', '-m', 'over http')
    const push = await git(clone, repo.env, 'push', '-q', 'origin', 'HEAD:main')
    expect(push.code, push.stderr).toBe(0)
    expect(repo.gitIn(repo.origin, 'rev-parse', 'main')).toBe(repo.gitIn(clone, 'rev-parse', 'HEAD'))
    // protocol v2 posts twice to upload-pack (ls-refs, then fetch)
    expect(new Set(server.requests.map((r) => `${r.method} ${r.service} ${r.phase} ${r.status}`))).toEqual(new Set([
      'GET git-upload-pack advertise 200',
      'POST git-upload-pack rpc 200',
      'GET git-receive-pack advertise 200',
      'POST git-receive-pack rpc 200',
    ]))
  })

  test('demands a token for pushes like GitHub, but not for fetches', async () => {
    const token = 'ghp_testtoken0123456789abcdefABCDEF0123'
    const {repo, server, url} = await serve({token})
    const clone = join(repo.scratch, 'c')
    expect((await git(repo.scratch, repo.env, 'clone', '-q', url, clone)).code).toBe(0)
    repo.gitIn(clone, 'commit', '-q', '--allow-empty', '-m', 'needs a token')

    const denied = await git(clone, repo.env, 'push', '-q', 'origin', 'HEAD:main')
    expect(denied.code).not.toBe(0)
    expect(denied.stderr).toMatch(/could not read Username|Authentication failed/)
    expect(server.requests.at(-1)).toMatchObject({service: 'git-receive-pack', status: 401})
    expect(repo.gitIn(repo.origin, 'rev-parse', 'main')).not.toBe(repo.gitIn(clone, 'rev-parse', 'HEAD'))

    const wrong = await git(clone, repo.env, 'push', '-q', url.replace('http://', 'http://x-access-token:nope@'), 'HEAD:main')
    expect(wrong.code).not.toBe(0)

    const allowed = await git(clone, repo.env, 'push', '-q', url.replace('http://', `http://x-access-token:${token}@`), 'HEAD:main')
    expect(allowed.code, allowed.stderr).toBe(0)
    expect(repo.gitIn(repo.origin, 'rev-parse', 'main')).toBe(repo.gitIn(clone, 'rev-parse', 'HEAD'))
    expect(server.requests.filter((r) => r.service === 'git-receive-pack' && r.phase === 'rpc').map((r) => [r.user, r.status])).toEqual([['x-access-token', 200]])
  })

  test('passes a gzip request body through to git-http-backend', async () => {
    const {repo, server, url} = await serve()
    const clone = join(repo.scratch, 'c')
    await git(repo.scratch, repo.env, 'clone', '-q', url, clone)
    // git gzips upload-pack requests over 1 KiB: forty new branches mean forty `want` lines.
    for (let i = 0; i < 40; i++) {
      repo.git('commit', '-q', '--allow-empty', '-m', `server ${i}`)
      repo.git('branch', `b-${i}`)
    }
    repo.git('push', '-q', 'origin', 'main', ...Array.from({length: 40}, (_, i) => `b-${i}`))
    const fetched = await git(clone, repo.env, 'fetch', 'origin')
    expect(fetched.code, fetched.stderr).toBe(0)
    expect(server.requests.some((r) => r.encoding === 'gzip' && r.service === 'git-upload-pack' && r.status === 200)).toBe(true)
    expect(repo.gitIn(clone, 'rev-parse', 'origin/main')).toBe(repo.git('rev-parse', 'main'))
  })

  test('holds a push until the test releases it', async () => {
    const {repo, server, url} = await serve()
    const clone = join(repo.scratch, 'c')
    await git(repo.scratch, repo.env, 'clone', '-q', url, clone)
    repo.gitIn(clone, 'commit', '-q', '--allow-empty', '-m', 'held')
    const before = repo.gitIn(repo.origin, 'rev-parse', 'main')
    const hold = server.hold((r) => r.service === 'git-receive-pack' && r.method === 'POST')

    let finished = false
    const push = git(clone, repo.env, 'push', '-q', 'origin', 'HEAD:main').then((r) => ((finished = true), r))
    await hold.arrived
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(finished).toBe(false)
    expect(hold.waiting).toBe(1)
    expect(repo.gitIn(repo.origin, 'rev-parse', 'main')).toBe(before)

    hold.release()
    expect((await push).code).toBe(0)
    expect(repo.gitIn(repo.origin, 'rev-parse', 'main')).toBe(repo.gitIn(clone, 'rev-parse', 'HEAD'))
  })

  test('answers the next matching request with an error, once', async () => {
    const {repo, server, url} = await serve()
    const clone = join(repo.scratch, 'c')
    await git(repo.scratch, repo.env, 'clone', '-q', url, clone)
    server.failNext((r) => r.service === 'git-upload-pack' && r.phase === 'rpc', 503)
    const failed = await git(clone, repo.env, 'fetch', 'origin')
    expect(failed.code).not.toBe(0)
    expect(failed.stderr).toMatch(/503/)
    server.failNext((r) => r.service === 'git-upload-pack', 'drop')
    const dropped = await git(clone, repo.env, 'fetch', 'origin')
    expect(dropped.code).not.toBe(0)
    expect((await git(clone, repo.env, 'fetch', 'origin')).code).toBe(0)
  })

  test('https://github.com/owner/repo.git reaches it through GIT_CONFIG_COUNT insteadOf, no config file touched', async () => {
    const {repo, server} = await serve()
    mkdirSync(join(repo.scratch, 'owner'))
    repo.gitIn(repo.scratch, 'clone', '-q', '--bare', repo.origin, join(repo.scratch, 'owner', 'repo.git'))
    const env = {...repo.env, ...githubInsteadOf(server)}
    const clone = join(repo.scratch, 'gh')
    const result = await git(repo.scratch, env, 'clone', '-q', 'https://github.com/owner/repo.git', clone)
    expect(result.code, result.stderr).toBe(0)
    expect(repo.gitIn(clone, 'remote', 'get-url', 'origin')).toBe('https://github.com/owner/repo.git')
    expect(server.requests[0]).toMatchObject({path: '/owner/repo.git/info/refs', service: 'git-upload-pack'})
    expect(repo.gitIn(clone, 'rev-parse', 'HEAD')).toBe(repo.git('rev-parse', 'main'))
  })
})
