import {chmodSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, beforeAll} from 'vitest'
import {startFakeGitHubServer, type FakeGitHubServer} from './fake-github/index.js'
import {githubSpec} from './fake-github/spec.js'
import {tempRepo, type TempRepo} from './temp-repo.js'

/**
 * Fake GitHub servers for the tests of one file: the spec is loaded once, and after each test every request and
 * response the server saw must have matched GitHub's OpenAPI description; the server is then closed.
 */
export function fakeGitHubPerTest(): {start: (options?: Parameters<typeof startFakeGitHubServer>[0]) => Promise<FakeGitHubServer>} {
  let server: FakeGitHubServer | undefined
  beforeAll(async () => {
    await githubSpec()
  })
  afterEach(async () => {
    try {
      server?.github.assertNoViolations()
    } finally {
      await server?.close()
      server = undefined
    }
  })
  return {start: async (options) => (server = await startFakeGitHubServer(options))}
}

/** Puts a logged-out `gh` first on the repo's PATH, so the machine's own gh never hands flow a token. */
export function loggedOutGh(repo: TempRepo): void {
  const bin = join(repo.scratch, 'bin')
  mkdirSync(bin, {recursive: true})
  writeFileSync(join(bin, 'gh'), '#!/bin/sh\necho "You are not logged into any GitHub hosts." >&2\nexit 1\n')
  chmodSync(join(bin, 'gh'), 0o755)
  repo.env.PATH = `${bin}:${repo.env.PATH}`
}

/** Makes origin https://github.com/octo/hello.git for flow, while git itself is redirected to the bare origin. */
export function originOnGitHub(repo: TempRepo): void {
  repo.git('remote', 'set-url', 'origin', 'https://github.com/octo/hello.git')
  Object.assign(repo.env, {GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: `url.${repo.origin}.insteadOf`, GIT_CONFIG_VALUE_0: 'https://github.com/octo/hello.git'})
  loggedOutGh(repo)
}

/** A repo tagged v{version} (annotated) on its first commit, pushed, then the given commits on top. */
export function taggedHistory(version: string, ...subjects: string[]): TempRepo {
  const repo = tempRepo()
  repo.git('tag', '-a', `v${version}`, '-m', `v${version}`)
  repo.git('push', '-q', 'origin', 'main', `v${version}`)
  for (const s of subjects) repo.commit(s)
  return repo
}

/** The environment of a repo seen as github.com/octo/hello: git redirected to the bare origin, the API to the fake. */
export function githubEnv(repo: TempRepo, api: FakeGitHubServer, token = 'ghp_release_test_token_123456'): Record<string, string> {
  originOnGitHub(repo)
  return {...repo.env, GH_TOKEN: token, GITHUB_API_URL: api.url}
}
