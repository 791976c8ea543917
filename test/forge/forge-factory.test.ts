import {defaultConfig, type FlowConfig} from '../../src/core/config/schema.js'
import {chmodSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, beforeAll, describe, expect, test} from 'vitest'
import {createDeps} from '../../src/cli/deps.js'
import type {Deps} from '../../src/core/deps.js'
import {FlowError} from '../../src/core/errors.js'
import {createForge, describeForge, httpTuning} from '../../src/providers/forge-factory.js'
import {startFakeGitHubServer, type FakeGitHubServer} from '../helpers/fake-github/index.js'
import {githubSpec} from '../helpers/fake-github/spec.js'
import {MemoryRecordStore} from '../helpers/memory-record-store.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'

const TOKEN = `ghp_${'FactoryT0ken'.repeat(3)}`
let server: FakeGitHubServer | undefined

beforeAll(async () => {
  await githubSpec()
})

afterEach(async () => {
  server?.github.assertNoViolations()
  await server?.close()
  server = undefined
})

/** A repo whose origin URL is `origin`, with a PATH whose `gh` is logged out, so the machine's gh never leaks in. */
function repoWithOrigin(origin: string): TempRepo {
  const repo = tempRepo()
  repo.git('remote', 'set-url', 'origin', origin)
  const bin = join(repo.scratch, 'bin')
  mkdirSync(bin)
  writeFileSync(join(bin, 'gh'), '#!/bin/sh\necho "You are not logged into any GitHub hosts." >&2\nexit 1\n')
  chmodSync(join(bin, 'gh'), 0o755)
  repo.env.PATH = `${bin}:${repo.env.PATH}`
  return repo
}

function depsFor(repo: TempRepo, env: Record<string, string> = {}, config?: Record<string, unknown> | Error): Deps {
  const deps = createDeps({cwd: repo.dir, env: {...repo.env, ...env}, canPrompt: false, json: true, yes: true, debug: false})
  const records = new MemoryRecordStore()
  return {
    ...deps,
    records: async () => records,
    ...(config === undefined ? {} : {config: async () => {
      if (config instanceof Error) throw config
      return {path: join(repo.dir, 'flow.yml'), config: {...defaultConfig(), ...config} as FlowConfig}
    }}),
  }
}

async function failure(promise: Promise<unknown>): Promise<FlowError> {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  expect(error).toBeInstanceOf(FlowError)
  return error as FlowError
}

describe('choosing the forge with no forge in flow.yml', () => {
  test('no token: the local forge, even with a GitHub origin, and it works offline', async () => {
    const repo = repoWithOrigin('https://github.com/octo/hello.git')
    const deps = depsFor(repo)
    expect(await describeForge(deps)).toEqual({
      kind: 'local', describe: 'local records (flow/records)', tokenSource: 'none', reason: 'no GitHub token (GH_TOKEN, GITHUB_TOKEN or gh auth token)',
    })
    const forge = await createForge(deps)
    expect(forge.kind).toBe('local')
    const pr = await forge.createPullRequest({head: 'feature/a', base: 'main', title: 'a', body: ''})
    expect(pr.url).toBe('flow://reviews/PR-1')
    const deployment = await forge.createDeployment({ref: 'main', environment: 'staging'})
    expect(deployment.sha).toBe(repo.git('rev-parse', 'main'))
    expect((await (await deps.records()).events('reviews', 'PR-1'))[0]?.actor).toBe('author@example.com')
  })

  test('a token and a GitHub origin: the GitHub forge, talking to GITHUB_API_URL, even when insteadOf rewrites origin', async () => {
    server = await startFakeGitHubServer({token: TOKEN})
    const repo = repoWithOrigin('https://github.com/octo/hello.git')
    const env = {GH_TOKEN: TOKEN, GITHUB_API_URL: server.url, GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'url.http://127.0.0.1:1/.insteadOf', GIT_CONFIG_VALUE_0: 'https://github.com/'}
    const deps = depsFor(repo, env)
    const description = await describeForge(deps)
    expect(description).toEqual({
      kind: 'github', describe: 'github.com/octo/hello', host: 'github.com', owner: 'octo', repo: 'hello', apiUrl: server.url,
      tokenSource: 'GH_TOKEN', reason: 'origin is on github.com and a token came from GH_TOKEN',
    })
    expect(JSON.stringify(description)).not.toContain(TOKEN)
    const forge = await createForge(deps)
    expect(forge.kind).toBe('github')
    expect(forge.describe).toBe('github.com/octo/hello')
    const pr = await forge.createPullRequest({head: 'feature/a', base: 'main', title: 'feat: a', body: ''})
    expect(pr.url).toBe('https://github.com/octo/hello/pull/1')
    expect(server.github.requests[0]?.headers.authorization).toBe(`token ${TOKEN}`)
    expect(server.github.requests[0]?.headers['user-agent']).toMatch(/^flow\/\d+\.\d+\.\d+ /)
  })

  test('a token but origin elsewhere, or no origin at all: local', async () => {
    const gitlab = repoWithOrigin('git@gitlab.com:group/project.git')
    expect(await describeForge(depsFor(gitlab, {GITHUB_TOKEN: TOKEN}))).toMatchObject({kind: 'local', tokenSource: 'GITHUB_TOKEN', reason: 'origin is not on github.com'})
    const none = repoWithOrigin('https://github.com/o/r.git')
    none.git('remote', 'remove', 'origin')
    expect(await describeForge(depsFor(none, {GH_TOKEN: TOKEN}))).toMatchObject({kind: 'local', reason: 'no origin remote'})
  })

  test('an ssh alias origin counts as GitHub and is reported; GH_HOST selects Enterprise and its API', async () => {
    const aliased = repoWithOrigin('github-work:octo/hello.git')
    expect(await describeForge(depsFor(aliased, {GH_TOKEN: TOKEN}))).toMatchObject({kind: 'github', host: 'github.com', alias: 'github-work', owner: 'octo', repo: 'hello'})
    const ghe = repoWithOrigin('https://ghe.example.com/team/app.git')
    expect(await describeForge(depsFor(ghe, {GH_TOKEN: TOKEN, GH_HOST: 'ghe.example.com'}))).toMatchObject({
      kind: 'github', describe: 'ghe.example.com/team/app', apiUrl: 'https://ghe.example.com/api/v3',
    })
  })
})

describe('choosing the forge that flow.yml names', () => {
  test('forge.type github without a token: FORGE_AUTH, exit 4, with the hint; doctor sees the problem', async () => {
    const repo = repoWithOrigin('git@github.com:octo/hello.git')
    const deps = depsFor(repo, {}, {forge: {type: 'github'}})
    const error = await failure(createForge(deps))
    expect(error.code).toBe('FORGE_AUTH')
    expect(error.exit).toBe(4)
    expect(error.hint).toMatch(/GH_TOKEN.*gh auth login/)
    expect(await describeForge(deps)).toMatchObject({kind: 'github', tokenSource: 'none', problem: {code: 'FORGE_AUTH'}})
  })

  test('forge.type github with an origin that is not GitHub: REMOTE_MISSING', async () => {
    const repo = repoWithOrigin('https://gitlab.com/group/project.git')
    expect((await failure(createForge(depsFor(repo, {GH_TOKEN: TOKEN}, {forge: {type: 'github'}})))).code).toBe('REMOTE_MISSING')
  })

  test('forge.type local wins over a token and a GitHub origin; an invalid flow.yml is not swallowed', async () => {
    const repo = repoWithOrigin('https://github.com/octo/hello.git')
    expect((await createForge(depsFor(repo, {GH_TOKEN: TOKEN}, {forge: {type: 'local'}}))).kind).toBe('local')
    const invalid = new FlowError('CONFIG_INVALID', 'flow.yml:3:7 forge.type: expected github | local')
    expect(await failure(createForge(depsFor(repo, {GH_TOKEN: TOKEN}, invalid)))).toBe(invalid)
  })
})

describe('httpTuning', () => {
  test('FLOW_GITHUB_TIMEOUT_MS and FLOW_GITHUB_RETRY_BASE_MS: positive whole milliseconds, anything else ignored', () => {
    expect(httpTuning({FLOW_GITHUB_TIMEOUT_MS: '2500', FLOW_GITHUB_RETRY_BASE_MS: ' 10 '})).toEqual({timeoutMs: 2500, retryBaseMs: 10})
    for (const bad of ['', '0', '-5', '1.5', 'fast', '1e3']) expect(httpTuning({FLOW_GITHUB_TIMEOUT_MS: bad, FLOW_GITHUB_RETRY_BASE_MS: bad})).toEqual({})
    expect(httpTuning({})).toEqual({})
  })
})
