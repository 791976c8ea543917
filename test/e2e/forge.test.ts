import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, onTestFinished, test} from 'vitest'
import {createDeps} from '../../src/cli/deps.js'
import {runFlow} from '../helpers/e2e.js'
import {fakeGitHubPerTest, loggedOutGh} from '../helpers/github-e2e.js'
import {start} from '../helpers/git-http-server.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'

const REF = 'refs/heads/flow/records'
const fakeGitHub = fakeGitHubPerTest()

/** A token that no redaction pattern knows: only registering GH_TOKEN can hide it. */
const plainSecret = (name: string) => `plain-${name}-${Math.random().toString(36).slice(2, 12)}-secret`

/** A repo whose origin is `origin`, with a logged-out `gh` first on PATH, so the machine's gh never leaks in. */
function repoWithOrigin(origin: string): TempRepo {
  const repo = tempRepo()
  repo.git('remote', 'set-url', 'origin', origin)
  loggedOutGh(repo)
  return repo
}

const forgeCheck = (json: any) => (json.checks as Array<{id: string; status: string; message: string}>).find((c) => c.id === 'forge')

describe('flow doctor reports the forge', () => {
  test('GH_TOKEN and a GitHub origin: the github forge, token from GH_TOKEN, and the token is never printed', async () => {
    const server = await fakeGitHub.start()
    const token = plainSecret('doctor')
    const repo = repoWithOrigin('https://github.com/octo/hello.git')
    const env = {...repo.env, GH_TOKEN: token, GITHUB_API_URL: server.url}

    const json = await runFlow(['doctor', '--json'], {cwd: repo.dir, env})
    expect(json.exitCode, json.stderr).toBe(0)
    expect(forgeCheck(json.json)).toEqual({
      id: 'forge', status: 'ok',
      message: 'github forge (github.com/octo/hello), token from GH_TOKEN: origin is on github.com and a token came from GH_TOKEN',
    })
    const human = await runFlow(['doctor', '--debug'], {cwd: repo.dir, env})
    expect(human.exitCode, human.stderr).toBe(0)
    expect(human.stdout).toMatch(/forge\s+github forge \(github\.com\/octo\/hello\), token from GH_TOKEN/)
    for (const run of [json, human]) {
      expect(run.stdout).not.toContain(token)
      expect(run.stderr).not.toContain(token)
    }
  })

  test('no token anywhere: the local forge, and why', async () => {
    const server = await fakeGitHub.start()
    const repo = repoWithOrigin('https://github.com/octo/hello.git')
    const run = await runFlow(['doctor', '--json'], {cwd: repo.dir, env: {...repo.env, GITHUB_API_URL: server.url}})
    expect(run.exitCode, run.stderr).toBe(0)
    expect(forgeCheck(run.json)).toEqual({
      id: 'forge', status: 'ok', message: 'local forge (local records (flow/records)): no GitHub token (GH_TOKEN, GITHUB_TOKEN or gh auth token)',
    })
    expect(server.github.requests).toEqual([])
  })
})

describe('the GitHub forge from the composition root, on the loopback fake', () => {
  test('opens, finds and merges a pull request through GITHUB_API_URL with the GH_TOKEN', async () => {
    const token = plainSecret('forge')
    const server = await fakeGitHub.start({token})
    const repo = repoWithOrigin('git@github.com:octo/hello.git')
    const deps = createDeps({cwd: repo.dir, env: {...repo.env, GH_TOKEN: token, GITHUB_API_URL: server.url}, canPrompt: false, json: true, yes: true, debug: false})
    const forge = await deps.forge()
    expect([forge.kind, forge.describe]).toEqual(['github', 'github.com/octo/hello'])

    const opened = await forge.createPullRequest({head: 'feature/login', base: 'main', title: 'feat: login', body: 'Adds the form.'})
    expect(opened).toMatchObject({number: 1, url: 'https://github.com/octo/hello/pull/1', head: 'feature/login', base: 'main', state: 'open'})
    expect(await forge.findPullRequest({head: 'feature/login'})).toMatchObject({number: 1, title: 'feat: login'})
    expect(await forge.findPullRequest({head: 'feature/other'})).toBeUndefined()
    const merged = await forge.mergePullRequest(1, {method: 'squash', title: 'feat: login (#1)'})
    expect(merged.merged).toBe(true)
    expect(await forge.getPullRequest(1)).toMatchObject({state: 'merged', mergeSha: merged.sha})
    expect(await forge.findPullRequest({head: 'feature/login'})).toBeUndefined()
    expect(await forge.findPullRequest({head: 'feature/login', state: 'closed'})).toMatchObject({state: 'merged'})

    const pull = server.github.repo('octo', 'hello').pulls[0]!
    expect(pull).toMatchObject({merged: true, mergeMethod: 'squash'})
    expect(server.github.requests.map((r) => r.operationId)).toEqual(expect.arrayContaining(['pulls/create', 'pulls/list', 'pulls/merge', 'pulls/get']))
    expect(server.github.requests.every((r) => r.headers.authorization === `token ${token}`)).toBe(true)
  })
})

/** Every file under a directory, recursively. */
function walk(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path) : [path]
  })
}

/** The text of every commit and blob reachable from the records branch of a repository. */
function recordsObjects(repo: TempRepo, gitDir: string): string {
  const objects = repo.gitIn(gitDir, 'rev-list', '--objects', REF).split('\n').map((l) => l.split(' ')[0]!)
  return objects.map((sha) => {
    const type = repo.gitIn(gitDir, 'cat-file', '-t', sha)
    return type === 'tree' ? repo.gitIn(gitDir, 'ls-tree', sha) : repo.gitIn(gitDir, 'cat-file', type, sha)
  }).join('\n')
}

describe('secrets never reach records or journals', () => {
  test('a record holding the GH_TOKEN and a token-shaped value is stored redacted; syncing it through the binary journals neither', async () => {
    const token = plainSecret('records')
    const shaped = `ghp_${'R3dactMe'.repeat(5)}`
    const repo = tempRepo()
    const git = await start({root: repo.scratch, token})
    onTestFinished(() => git.close())
    // The origin URL carries the token as git credentials, as CI checkouts do.
    repo.git('remote', 'set-url', 'origin', `${git.url.replace('http://', `http://x-access-token:${token}@`)}/origin.git`)
    const env = {...repo.env, GH_TOKEN: token}

    const deps = createDeps({cwd: repo.dir, env, canPrompt: false, json: true, yes: true, debug: false})
    const records = await deps.records()
    const written = await records.append('incidents', 'INC-1', {type: 'declared', data: {title: `leaked ${token}`, note: `curl -H "Authorization: token ${shaped}"`, nested: [{value: token}, shaped]}})
    const forge = await deps.forge()
    expect(forge.kind).toBe('local')
    await forge.createIssue({title: 'token in a title', body: `GH_TOKEN=${token} and ${shaped}`})
    await forge.createDeployment({ref: 'main', environment: 'staging', payload: {auth: shaped, env: token}})
    expect(JSON.stringify(written)).not.toContain(token)
    expect(JSON.stringify(written.data)).toContain('***')

    // The journal keeps the branch the run started on: a branch named after the secret must reach it redacted.
    repo.git('checkout', '-q', '-b', `wip/${token}`)
    const sync = await runFlow(['records', 'sync', '--json'], {cwd: repo.dir, env})
    expect(sync.exitCode, sync.stderr).toBe(0)
    expect(sync.json).toMatchObject({pushed: true, events: {total: 3}})
    // A push cut halfway leaves a failed step and its error in the journal.
    git.failNext((r) => r.service === 'git-receive-pack' && r.phase === 'rpc', 'drop')
    await records.append('incidents', 'INC-1', {type: 'note', data: {text: token}})
    const failed = await runFlow(['records', 'sync', '--json'], {cwd: repo.dir, env})
    expect(failed.exitCode).not.toBe(0)
    expect(failed.json.error.code).toBeDefined()

    const flowDir = join(repo.dir, '.git', 'flow')
    const journals = walk(flowDir)
    expect(journals.some((f) => f.endsWith('run.json'))).toBe(true)
    expect(journals.filter((f) => f.includes(`${join('flow', 'runs')}/`)).length).toBeGreaterThan(0)
    const stored = [
      recordsObjects(repo, repo.dir),
      recordsObjects(repo, repo.origin),
      ...journals.map((f) => readFileSync(f, 'utf8')),
      sync.stdout, sync.stderr, failed.stdout, failed.stderr,
    ].join('\n')
    expect(stored).toContain('leaked ***')
    expect(stored).toContain('"remote": "origin"')
    expect(stored).toContain('"branch": "wip/***"')
    expect(stored).not.toContain(token)
    expect(stored).not.toContain(shaped)
    expect(stored).not.toContain('R3dactMe')
  })
})
