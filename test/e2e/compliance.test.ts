import {describe, expect, test} from 'vitest'
import {runFlow} from '../helpers/e2e.js'
import {settingsOf} from '../helpers/fake-github/routes-settings.js'
import {fakeGitHubPerTest, githubEnv} from '../helpers/github-e2e.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'

const fakeGitHub = fakeGitHubPerTest()

const FLOW_YML = `forge: {type: github}
review: {approvals: 2, reviewers: codeowners}
gates:
  lint: {run: "true"}
  test: {run: "true"}
  audit: {builtin: dependency-audit, max_severity: high}
stages:
  submit: [lint, test, audit]
hooks: {install: []}
environments:
  production: {approvals: 1, reviewers: [alice, octo/release-team]}
compliance:
  required_gates: [lint, test]
`

/** A repository that holds up its own end: CODEOWNERS for everything, the generated workflow committed. */
async function compliantRepo(env: (repo: TempRepo) => Record<string, string>): Promise<{repo: TempRepo; env: Record<string, string>}> {
  const repo = tempRepo()
  repo.commit('chore: flow', {'flow.yml': FLOW_YML, '.github/CODEOWNERS': '* @octo/team\n', 'src/app.ts': 'export {}\n'})
  const e = env(repo)
  const generated = await runFlow(['ci', 'generate'], {cwd: repo.dir, env: e})
  expect(generated.exitCode, generated.stderr).toBe(0)
  repo.commit('ci: workflow', {})
  return {repo, env: e}
}

const failing = (json: any) => json.rules.filter((r: any) => r.status === 'fail').map((r: any) => r.id)

describe('flow compliance check (binary, fake GitHub validated against the spec)', () => {
  test('settings that match the policy pass (exit 0); missing two rules fails exactly those two (exit 6)', async () => {
    const server = await fakeGitHub.start()
    const {repo, env} = await compliantRepo((r) => githubEnv(r, server))
    const settings = settingsOf(server.github.repo('octo', 'hello'))
    settings.protection.main = {approvals: 2, codeOwnerReviews: true, dismissStale: true, checks: ['lint', 'test', 'audit']}
    settings.environments = [{name: 'production', reviewers: [{type: 'User', name: 'alice'}, {type: 'Team', name: 'release-team'}]}]

    const ok = await runFlow(['compliance', 'check', '--json'], {cwd: repo.dir, env})
    expect(ok.exitCode, ok.stderr).toBe(0)
    expect(ok.json.ok).toBe(true)
    expect(failing(ok.json)).toEqual([])
    expect(ok.json.rules.map((r: any) => [r.id, r.status])).toEqual([
      ['branch:main:reviews', 'pass'],
      ['branch:main:code-owner-review', 'pass'],
      ['branch:main:dismiss-stale-reviews', 'pass'],
      ['branch:main:status-checks', 'pass'],
      ['branch:main:force-pushes', 'pass'],
      ['branch:main:deletions', 'pass'],
      ['environment:production', 'pass'],
      ['codeowners:coverage', 'pass'],
      ['ci:workflow', 'pass'],
      ['hooks:installed', 'not-applicable'],
      ['gate:lint:required', 'pass'],
      ['gate:test:required', 'pass'],
    ])

    settings.protection.main = {approvals: 1, codeOwnerReviews: true, dismissStale: true, checks: ['lint', 'test', 'audit'], allowForcePushes: true}
    const bad = await runFlow(['compliance', 'check', '--json'], {cwd: repo.dir, env})
    expect(bad.exitCode).toBe(6)
    expect(failing(bad.json)).toEqual(['branch:main:reviews', 'branch:main:force-pushes'])
    const reviews = bad.json.rules.find((r: any) => r.id === 'branch:main:reviews')
    expect(reviews.evidence).toBe('1 approving review required (branch protection), but review.approvals is 2')
    expect(reviews.fix).toContain('at least 2 approving reviews')

    const human = await runFlow(['compliance', 'check'], {cwd: repo.dir, env})
    expect(human.exitCode).toBe(6)
    expect(human.stdout).toMatch(/FAIL {2}main: force pushes blocked: force pushes are allowed \(branch protection\)/)
    expect(human.stderr).toContain('2 compliance rules failed: branch:main:reviews, branch:main:force-pushes')
    const ops = new Set(server.github.requests.map((r) => r.operationId))
    expect([...ops].sort()).toEqual(['repos/get-all-environments', 'repos/get-branch-protection', 'repos/get-branch-rules'])
  })

  test('rulesets count like branch protection; a missing status check and a missing environment reviewer fail', async () => {
    const server = await fakeGitHub.start()
    const {repo, env} = await compliantRepo((r) => githubEnv(r, server))
    const settings = settingsOf(server.github.repo('octo', 'hello'))
    settings.rules.main = [
      {type: 'pull_request', parameters: {required_approving_review_count: 2, dismiss_stale_reviews_on_push: true, require_code_owner_review: true, require_last_push_approval: false, required_review_thread_resolution: false}},
      {type: 'required_status_checks', parameters: {strict_required_status_checks_policy: true, required_status_checks: [{context: 'lint'}, {context: 'test'}]}},
      {type: 'non_fast_forward'},
      {type: 'deletion'},
    ]
    settings.environments = [{name: 'production', reviewers: [{type: 'User', name: 'alice'}]}]
    const run = await runFlow(['compliance', 'check', '--json'], {cwd: repo.dir, env})
    expect(run.exitCode, run.stderr).toBe(6)
    expect(failing(run.json)).toEqual(['branch:main:status-checks', 'environment:production'])
    const checks = run.json.rules.find((r: any) => r.id === 'branch:main:status-checks')
    expect(checks).toMatchObject({items: ['audit'], evidence: 'not required (ruleset 42): audit'})
    expect(run.json.rules.find((r: any) => r.id === 'environment:production').items).toEqual(['octo/release-team'])
  })

  test('a token that may not read branch protection makes those rules unknown, naming the permission; exit 0', async () => {
    const server = await fakeGitHub.start()
    const {repo, env} = await compliantRepo((r) => githubEnv(r, server))
    server.github.fail('repos/get-branch-protection', {status: 403, times: Infinity, body: {message: 'Resource not accessible by personal access token', documentation_url: 'https://docs.github.com/rest'}})
    server.github.fail('repos/get-all-environments', {status: 403, times: Infinity, body: {message: 'Resource not accessible by personal access token', documentation_url: 'https://docs.github.com/rest'}})
    const run = await runFlow(['compliance', 'check', '--json'], {cwd: repo.dir, env})
    expect(run.exitCode, run.stderr).toBe(0)
    const unknown = run.json.rules.filter((r: any) => r.status === 'unknown')
    expect(unknown.map((r: any) => r.id)).toEqual([
      'branch:main:reviews', 'branch:main:code-owner-review', 'branch:main:dismiss-stale-reviews', 'branch:main:status-checks',
      'branch:main:force-pushes', 'branch:main:deletions', 'environment:production',
    ])
    expect(unknown[0].scope).toContain('"Administration" repository permission (read)')
    expect(unknown[6].scope).toContain('"Actions" repository permission (read)')
    expect(run.stdout + run.stderr).not.toContain('ghp_release_test_token')
  })

  test('change control on adds flow/change to the required checks; without a token the forge rules are unknown', async () => {
    const server = await fakeGitHub.start()
    const {repo, env} = await compliantRepo((r) => githubEnv(r, server))
    repo.commit('chore: change control', {'flow.yml': `${FLOW_YML}changes:\n  templates:\n    deps: {type: standard, match: {paths: [package-lock.json]}}\n`})
    const settings = settingsOf(server.github.repo('octo', 'hello'))
    settings.protection.main = {approvals: 2, codeOwnerReviews: true, dismissStale: true, checks: ['lint', 'test', 'audit']}
    settings.environments = [{name: 'production', reviewers: [{type: 'User', name: 'alice'}, {type: 'Team', name: 'release-team'}]}]
    const run = await runFlow(['compliance', 'check', '--json'], {cwd: repo.dir, env})
    expect(run.exitCode, run.stderr).toBe(6)
    expect(failing(run.json)).toEqual(['branch:main:status-checks'])
    expect(run.json.rules.find((r: any) => r.id === 'branch:main:status-checks').items).toEqual(['flow/change'])

    const {GH_TOKEN: _token, ...noToken} = env
    const offline = await runFlow(['compliance', 'check', '--json'], {cwd: repo.dir, env: noToken})
    expect(offline.exitCode, offline.stderr).toBe(0)
    expect(offline.json.rules[0]).toMatchObject({id: 'forge:settings', status: 'unknown', evidence: 'flow.yml sets forge.type: github, but no GitHub token was found'})
  })

  test('local forge: settings not applicable; an unowned directory is named, a stale workflow and an optional required gate fail', async () => {
    const repo = tempRepo()
    repo.commit('chore: flow', {
      'flow.yml': `forge: {type: local}\ngates:\n  lint: {run: "true"}\n  types: {run: "true", optional: true}\nstages:\n  submit: [lint, types]\nhooks: {install: [pre-push]}\ncompliance: {required_gates: [types, nope]}\n`,
      '.github/CODEOWNERS': '/src/ @octo/team\n/flow.yml @octo/team\n/README.md @octo/team\n/.github/ @octo/team\n',
      'src/app.ts': 'x', 'docs/guide/a.md': 'a', 'docs/b.md': 'b', 'tools/x.sh': 'x',
    })
    const run = await runFlow(['compliance', 'check', '--json'], {cwd: repo.dir, env: repo.env})
    expect(run.exitCode, run.stderr).toBe(6)
    const byId = Object.fromEntries(run.json.rules.map((r: any) => [r.id, r]))
    expect(byId['forge:settings'].status).toBe('not-applicable')
    expect(byId['codeowners:coverage']).toMatchObject({status: 'fail', items: ['docs/', 'tools/']})
    expect(byId['codeowners:coverage'].evidence).toBe('.github/CODEOWNERS leaves unowned: docs/, tools/')
    expect(byId['ci:workflow']).toMatchObject({status: 'fail', evidence: '.github/workflows/flow.yml does not exist'})
    expect(byId['hooks:installed']).toMatchObject({status: 'fail', items: ['pre-push'], fix: 'Run flow hooks install.'})
    expect(byId['gate:types:required']).toMatchObject({status: 'fail', evidence: 'gates.types is marked optional: its failure would not block'})
    expect(byId['gate:nope:required'].status).toBe('fail')

    expect((await runFlow(['hooks', 'install'], {cwd: repo.dir, env: repo.env})).exitCode).toBe(0)
    const inCi = await runFlow(['compliance', 'check', '--json'], {cwd: repo.dir, env: {...repo.env, CI: 'true'}})
    expect(inCi.json.rules.find((r: any) => r.id === 'hooks:installed').status).toBe('not-applicable')
    const hooked = await runFlow(['compliance', 'check', '--json'], {cwd: repo.dir, env: repo.env})
    expect(hooked.json.rules.find((r: any) => r.id === 'hooks:installed').status).toBe('pass')
  })
})
