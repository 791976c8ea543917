import {spawnSync} from 'node:child_process'
import {describe, expect, test} from 'vitest'
import {runFlow} from '../helpers/e2e.js'
import {envScene, recordEvents, scriptArgv} from '../helpers/env-scene.js'
import {fakeGitHubPerTest, githubEnv} from '../helpers/github-e2e.js'
import {tempRepo} from '../helpers/temp-repo.js'

const health = (port: number) => `{url: "http://127.0.0.1:${port}/health", interval: 50ms, count: 3, failure_limit: 0, latency: 5s, expect: {status: 200, json: {status: ok}}}`
const as = (email: string) => ({GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'user.email', GIT_CONFIG_VALUE_0: email})

/** staging, a real loopback service, under a change freeze that is in force now. */
const frozen = (state: string, ports: Record<string, number>) => `version: 1
forge: {type: local}
gates:
  unit: {run: ["true"]}
stages:
  submit: [unit]
environments:
  staging:
    deploy: ${scriptArgv(state, 'deploy', 'staging', '{sha}')}
    health: ${health(ports.staging!)}
changes:
  freeze: ["2020-01-01..2099-12-31"]
  risk:
    sensitive: ["migrations/**"]
`

describe('flow change implement (built binary, real loopback service)', {timeout: 180_000}, () => {
  test('a deploy inside a freeze window through implement is refused (exit 6, every reason); --break-glass goes ahead, the reason is in the evidence with every approval, gate and the deployment', async () => {
    const scene = await envScene(['staging'], frozen, {FLOW_OFFLINE: '1'})
    const {repo} = scene
    expect((await scene.flow('feature', 'start', 'add-index')).exitCode).toBe(0)
    repo.commit('feat: index', {'migrations/001-index.sql': 'create index i on t(c);\n'})
    const head = repo.git('rev-parse', 'HEAD')
    const created = await scene.flow('change', 'new', '--type', 'normal', '--env', 'staging', '--json')
    expect(created.exitCode, created.stderr).toBe(0)
    expect(created.json).toMatchObject({id: 'CHG-1', approvalsRequired: 2})

    const dry = await scene.flow('change', 'implement', 'CHG-1', '--dry-run', '--json')
    expect(dry.exitCode, dry.stderr).toBe(0)
    expect(dry.json).toMatchObject({id: 'CHG-1', environment: 'staging', ref: 'feature/add-index', sha: head, status: 'dry-run'})
    expect(dry.json.steps[0]).toMatchObject({kind: 'change.event'})

    const refused = await scene.flow('change', 'implement', 'CHG-1', '--yes', '--json')
    expect(refused.exitCode).toBe(6)
    expect(refused.json.error.code).toBe('POLICY_BLOCKED')
    expect(refused.json.error.details.refusals.map((r: {code: string}) => r.code)).toEqual(['FREEZE', 'CHANGE', 'CHANGE'])
    expect(refused.json.error.message).toMatch(/^CHG-1 cannot be implemented now: staging is frozen until .*; needs 2 approvals, has 0.*; gate unit has not passed/)
    expect(await scene.serving('staging')).toBeUndefined()

    expect((await scene.flow('gates', 'run', 'submit')).exitCode).toBe(0)
    expect((await scene.flow('change', 'approve', 'CHG-1')).exitCode).toBe(6) // the author cannot approve
    for (const who of ['alice@example.com', 'bob@example.com']) {
      const run = await runFlow(['change', 'approve', 'CHG-1', '--comment', `ok by ${who}`], {cwd: repo.dir, env: {...repo.env, FLOW_OFFLINE: '1', ...as(who)}})
      expect(run.exitCode, run.stderr).toBe(0)
    }
    const stillFrozen = await scene.flow('change', 'implement', 'CHG-1', '--yes', '--json')
    expect(stillFrozen.exitCode).toBe(6)
    expect(stillFrozen.json.error.details.refusals.map((r: {code: string}) => r.code)).toEqual(['FREEZE'])
    expect(await scene.serving('staging')).toBeUndefined()

    const glass = await scene.flow('change', 'implement', 'CHG-1', '--break-glass', 'orders timing out, the index is the fix', '--yes', '--json')
    expect(glass.exitCode, glass.stderr).toBe(0)
    expect(glass.json).toMatchObject({id: 'CHG-1', environment: 'staging', sha: head, outcome: 'success', deployment: 'DEP-1', breakGlass: {reason: 'orders timing out, the index is the fix', overrode: ['FREEZE']}})
    expect((await scene.serving('staging'))?.sha).toBe(head)
    const deployment = recordEvents(repo).find((e) => e.event.type === 'created')!.event.data
    expect(deployment).toMatchObject({changeId: 'CHG-1', breakGlass: {reason: 'orders timing out, the index is the fix', overrode: ['FREEZE']}})

    const evidence = await scene.flow('change', 'evidence', 'CHG-1', '--format', 'json')
    expect(evidence.exitCode, evidence.stderr).toBe(0)
    const bundle = JSON.parse(evidence.stdout)
    expect(bundle.breakGlass).toEqual([expect.objectContaining({reason: 'orders timing out, the index is the fix', by: 'author@example.com', environment: 'staging', sha: head, overrode: ['FREEZE']})])
    expect(bundle.reviewAfter).toBe(true)
    expect(bundle.approvals.filter((a: {decision: string}) => a.decision === 'approved').map((a: {by: string}) => a.by).sort()).toEqual(['alice@example.com', 'bob@example.com'])
    expect(bundle.gates).toEqual([expect.objectContaining({name: 'unit', status: 'passed', sha: head})])
    expect(bundle.deployments).toEqual([expect.objectContaining({id: 'DEP-1', environment: 'staging', sha: head, outcome: 'success', breakGlass: {reason: 'orders timing out, the index is the fix', overrode: ['FREEZE']}})])
    const md = await scene.flow('change', 'evidence', 'CHG-1')
    expect(md.stdout).toContain(`deploying ${head.slice(0, 12)} to staging: orders timing out, the index is the fix (overrode FREEZE) (flagged for review after)`)
    expect(md.stdout).toMatch(/\| DEP-1 \| staging \| [0-9a-f]{12} \| success \|/)
  })
})

const fakeGitHub = fakeGitHubPerTest()

describe('flow change implement with the GitHub forge (the loopback fake, every request validated)', () => {
  test('code-owner reviews approve; the freeze refuses (exit 6) until --break-glass; the GitHub deployment and the evidence carry it', async () => {
    const repo = tempRepo()
    repo.commit('chore: flow.yml and owners', {
      'flow.yml': 'gates:\n  unit: {run: ["true"]}\nstages:\n  submit: [unit]\nenvironments:\n  production: {deploy: ["true"]}\nchanges:\n  freeze: ["2020-01-01..2099-12-31"]\n  risk:\n    sensitive: ["migrations/**"]\n',
      '.github/CODEOWNERS': '* @flow-reviewer @bob\n',
    })
    repo.git('push', '-q', 'origin', 'main')
    const server = await fakeGitHub.start({headSha: (_o, _r, branch) => {
      const r = spawnSync('git', ['rev-parse', '-q', '--verify', `refs/heads/${branch}`], {cwd: repo.origin, env: repo.env, encoding: 'utf8'})
      return r.status === 0 ? r.stdout.trim() : undefined
    }})
    const env = githubEnv(repo, server, 'plain-token-e2e-implement')
    const flow = (...args: string[]) => runFlow(args, {cwd: repo.dir, env})
    const fake = server.github.repo('octo', 'hello')
    const review = (user: string) => fake.reviews.push({id: 9000 + fake.reviews.length, pull: 1, state: 'APPROVED', body: '', user, submittedAt: '2026-01-01T00:00:00Z'})

    expect((await flow('feature', 'start', 'add-index')).exitCode).toBe(0)
    repo.commit('feat: add index', {'migrations/001.sql': 'create index i on t(c);\n'})
    expect((await flow('feature', 'submit')).exitCode).toBe(0)
    const created = await flow('change', 'new', '--type', 'normal', '--env', 'production', '--json')
    expect(created.json).toMatchObject({id: 'CHG-1', approvalsRequired: 2, binding: {pullRequest: 1}})
    const head = repo.ref('HEAD')!
    expect((await flow('gates', 'run', 'submit')).exitCode).toBe(0)

    review('flow-reviewer')
    const one = await flow('change', 'implement', 'CHG-1', '--yes', '--json')
    expect(one.exitCode).toBe(6)
    expect(one.json.error.details.refusals.map((r: {code: string}) => r.code)).toEqual(['FREEZE', 'CHANGE'])
    expect(one.json.error.details.refusals[1].message).toMatch(/^needs 2 approvals, has 1 \(flow-reviewer\)/)
    review('bob')
    const frozen = await flow('change', 'implement', 'CHG-1', '--yes', '--json')
    expect(frozen.exitCode).toBe(6)
    expect(frozen.json.error.details.refusals.map((r: {code: string}) => r.code)).toEqual(['FREEZE'])
    expect(fake.deployments).toHaveLength(0)

    const glass = await flow('change', 'implement', 'CHG-1', '--break-glass', 'checkout is down', '--yes', '--json')
    expect(glass.exitCode, glass.stderr).toBe(0)
    expect(glass.json).toMatchObject({sha: head, outcome: 'success', deployment: 'DEP-1', breakGlass: {reason: 'checkout is down', overrode: ['FREEZE']}})
    expect(fake.deployments).toEqual([expect.objectContaining({sha: head, environment: 'production'})])

    const bundle = (await flow('change', 'evidence', 'CHG-1', '--json')).json
    expect(bundle.breakGlass).toEqual([expect.objectContaining({reason: 'checkout is down'})])
    expect(bundle.approvals.filter((a: {decision: string}) => a.decision === 'approved').map((a: {by: string}) => a.by).sort()).toEqual(['bob', 'flow-reviewer'])
    expect(bundle.gates).toEqual([expect.objectContaining({name: 'unit', status: 'passed', sha: head})])
    expect(bundle.deployments).toEqual([expect.objectContaining({id: 'DEP-1', environment: 'production', sha: head, outcome: 'success'})])
    for (const out of [one, frozen, glass]) expect(out.stdout + out.stderr).not.toContain('plain-token-e2e-implement')
  })
})
