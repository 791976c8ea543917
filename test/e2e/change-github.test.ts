import {spawnSync} from 'node:child_process'
import {describe, expect, test} from 'vitest'
import {runFlow} from '../helpers/e2e.js'
import {commitStatuses} from '../helpers/fake-github/routes-changes.js'
import {fakeGitHubPerTest, githubEnv} from '../helpers/github-e2e.js'
import {tempRepo} from '../helpers/temp-repo.js'

const fakeGitHub = fakeGitHubPerTest()

const CONFIG = `gates:
  unit: {run: ["true"]}
stages:
  submit: [unit]
environments:
  production: {deploy: ["true"], rollback: ["true"]}
changes:
  templates:
    lockfile: {type: standard, match: {paths: ["package-lock.json"]}}
  risk:
    sensitive: ["migrations/**"]
`

async function setup() {
  const repo = tempRepo()
  repo.commit('chore: flow.yml and owners', {'flow.yml': CONFIG, '.github/CODEOWNERS': '* @flow-reviewer @bob\n'})
  repo.git('push', '-q', 'origin', 'main')
  const server = await fakeGitHub.start({headSha: (_o, _r, branch) => {
    const r = spawnSync('git', ['rev-parse', '-q', '--verify', `refs/heads/${branch}`], {cwd: repo.origin, env: repo.env, encoding: 'utf8'})
    return r.status === 0 ? r.stdout.trim() : undefined
  }})
  const env = githubEnv(repo, server, 'plain-token-e2e-change')
  /** Runs flow as a git identity; the insteadOf redirect of githubEnv stays in place as config entry 0. */
  const as = (email: string | undefined, ...args: string[]) => runFlow(args, {
    cwd: repo.dir,
    env: {...env, ...(email ? {GIT_CONFIG_COUNT: '2', GIT_CONFIG_KEY_1: 'user.email', GIT_CONFIG_VALUE_1: email} : {})},
  })
  const fake = server.github.repo('octo', 'hello')
  const review = (user: string) => fake.reviews.push({id: 9000 + fake.reviews.length, pull: 1, state: 'APPROVED', body: '', user, submittedAt: '2026-01-01T00:00:00Z'})
  return {repo, as, flow: (...args: string[]) => as(undefined, ...args), fake, review}
}

describe('flow change with the GitHub forge (the loopback fake, every request validated)', () => {
  test('approvals are code-owner reviews on the pull request; two are needed; check posts the flow/change commit status', async () => {
    const {repo, as, flow, fake, review} = await setup()
    expect((await flow('feature', 'start', 'add-index')).exitCode).toBe(0)
    repo.commit('feat: add index', {'migrations/001.sql': 'create index i on t(c);\n'})
    expect((await flow('feature', 'submit')).exitCode).toBe(0)
    const created = await flow('change', 'new', '--type', 'normal', '--env', 'production', '--json')
    expect(created.exitCode, created.stderr).toBe(0)
    expect(created.json).toMatchObject({id: 'CHG-1', approvalsRequired: 2, binding: {kind: 'branch', pullRequest: 1}})
    const head = repo.ref('HEAD')!

    const blocked = await flow('change', 'check', '--status', '--json')
    expect(blocked.exitCode).toBe(6)
    expect(blocked.json.error.details.reasons[0]).toMatch(/^needs 2 approvals, has 0/)
    expect(commitStatuses(fake)).toEqual([expect.objectContaining({sha: head, state: 'failure', context: 'flow/change'})])

    const self = await flow('change', 'approve', 'CHG-1', '--json')
    expect(self.exitCode).toBe(6)
    expect(fake.reviews).toHaveLength(0)

    const approved = await as('alice@example.com', 'change', 'approve', 'CHG-1', '--comment', 'ok', '--json')
    expect(approved.exitCode, approved.stderr).toBe(0)
    expect(approved.json).toMatchObject({via: 'github', pullRequest: 1, login: 'flow-reviewer'})
    expect(fake.reviews).toEqual([expect.objectContaining({pull: 1, state: 'APPROVED', body: 'ok'})])
    review('mallory')
    expect((await flow('gates', 'run', 'submit')).exitCode).toBe(0)
    const one = await flow('change', 'check', '--json')
    expect(one.exitCode).toBe(6)
    expect(one.json.error.details.reasons).toEqual([expect.stringMatching(/^needs 2 approvals, has 1 \(flow-reviewer\)/)])
    expect(one.json.error.details.approvals.ignored).toEqual([{by: 'mallory', why: 'not a code owner of the changed paths'}])

    review('bob')
    const ok = await flow('change', 'check', '--status', '--json')
    expect(ok.exitCode, ok.stderr).toBe(0)
    expect(ok.json).toMatchObject({ok: true, posted: {sha: head, state: 'success', context: 'flow/change'}})
    expect(commitStatuses(fake).at(-1)).toMatchObject({sha: head, state: 'success', context: 'flow/change'})

    const bundle = (await flow('change', 'evidence', 'CHG-1', '--json')).json
    expect(bundle.approvals.filter((a: {decision: string}) => a.decision === 'approved').map((a: {by: string}) => a.by).sort()).toEqual(['bob', 'flow-reviewer'])
    expect(bundle.gates).toEqual([expect.objectContaining({name: 'unit', status: 'passed', sha: head})])
    for (const out of [created, blocked, approved, ok]) expect(out.stdout + out.stderr).not.toContain('plain-token-e2e-change')
  })

  test('a standard change matching its template is pre-approved on GitHub too', async () => {
    const {repo, flow} = await setup()
    expect((await flow('feature', 'start', 'lock')).exitCode).toBe(0)
    repo.commit('chore: lockfile', {'package-lock.json': '{}\n'})
    expect((await flow('feature', 'submit')).exitCode).toBe(0)
    const created = await flow('change', 'new', '--type', 'standard', '--json')
    expect(created.json).toMatchObject({id: 'CHG-1', preApproved: true, template: 'lockfile', approvalsRequired: 0})
    expect((await flow('gates', 'run', 'submit')).exitCode).toBe(0)
    const ok = await flow('change', 'check', '--json')
    expect(ok.exitCode, ok.stderr).toBe(0)
  })
})
