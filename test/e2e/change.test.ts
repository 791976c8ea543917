import {describe, expect, test} from 'vitest'
import {runFlow} from '../helpers/e2e.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'

const CONFIG = `forge: {type: local}
gates:
  unit: {run: ["true"]}
stages:
  submit: [unit]
environments:
  staging: {deploy: ["true"]}
  production: {deploy: ["true"], rollback: ["./deploy.sh", "{previous_sha}"], after: staging}
changes:
  templates:
    lockfile: {type: standard, match: {paths: ["package-lock.json"]}}
  risk:
    sensitive: ["migrations/**"]
`

/** Runs the binary as a given git identity (user.email), offline. */
const as = (repo: TempRepo, email: string | undefined, ...args: string[]) =>
  runFlow(args, {cwd: repo.dir, env: {...repo.env, FLOW_OFFLINE: '1', ...(email ? {GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'user.email', GIT_CONFIG_VALUE_0: email} : {})}})
const flow = (repo: TempRepo, ...args: string[]) => as(repo, undefined, ...args)

function repoWith(config = CONFIG): TempRepo {
  const repo = tempRepo()
  repo.commit('chore: flow.yml', {'flow.yml': config})
  return repo
}

async function branchWith(repo: TempRepo, name: string, files: Record<string, string>): Promise<void> {
  expect((await flow(repo, 'feature', 'start', name)).exitCode).toBe(0)
  repo.commit(`feat: ${name}`, files)
}

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10)

describe('flow change offline (local records)', () => {
  test('a normal change on a risky diff needs two peer approvals and green gates; check says so (exit 6) until they are given', async () => {
    const repo = repoWith()
    await branchWith(repo, 'add-index', {'migrations/001-index.sql': 'create index i on t(c);\n'})
    const created = await flow(repo, 'change', 'new', '--type', 'normal', '--env', 'production', '--impact', 'orders table locked briefly', '--json')
    expect(created.exitCode, created.stderr).toBe(0)
    expect(created.json).toMatchObject({id: 'CHG-1', type: 'normal', approvalsRequired: 2, preApproved: false, binding: {kind: 'branch', branch: 'feature/add-index', base: 'main'}})
    expect(created.json.backout).toContain('flow env rollback production')
    expect(created.json.risk.reasons.map((r: {factor: string}) => r.factor)).toEqual(['size', 'sensitive', 'tests', 'environments'])

    const blocked = await flow(repo, 'change', 'check', '--json')
    expect(blocked.exitCode).toBe(6)
    expect(blocked.json.error.code).toBe('POLICY_BLOCKED')
    expect(blocked.json.error.details.reasons).toEqual([
      expect.stringMatching(/^needs 2 approvals, has 0/),
      expect.stringMatching(/^gate unit has not passed on [0-9a-f]{7}/),
    ])

    const self = await flow(repo, 'change', 'approve', 'CHG-1', '--json')
    expect(self.exitCode).toBe(6)
    expect(self.json.error.message).toBe('author@example.com raised CHG-1 and cannot approve it')

    const alice = await as(repo, 'alice@example.com', 'change', 'approve', 'CHG-1', '--comment', 'index is online-safe', '--json')
    expect(alice.exitCode, alice.stderr).toBe(0)
    expect(alice.json).toMatchObject({id: 'CHG-1', decision: 'approved', by: 'alice@example.com', via: 'local'})
    expect((await flow(repo, 'gates', 'run', 'submit')).exitCode).toBe(0)
    const one = await flow(repo, 'change', 'check', 'CHG-1', '--json')
    expect(one.exitCode).toBe(6)
    expect(one.json.error.details.reasons).toEqual([expect.stringMatching(/^needs 2 approvals, has 1 \(alice@example.com\)/)])

    expect((await as(repo, 'bob@example.com', 'change', 'approve', 'CHG-1')).exitCode).toBe(0)
    const ok = await flow(repo, 'change', 'check', '--json')
    expect(ok.exitCode, ok.stderr).toBe(0)
    expect(ok.json).toMatchObject({id: 'CHG-1', ok: true, reasons: [], approvals: {required: 2}, gates: {ok: true, required: ['unit']}})

    const closed = await flow(repo, 'change', 'close', 'CHG-1', '--code', 'successful', '--json')
    expect(closed.json).toMatchObject({id: 'CHG-1', code: 'successful', followUp: null})

    const evidence = await flow(repo, 'change', 'evidence', 'CHG-1', '--format', 'json')
    expect(evidence.exitCode, evidence.stderr).toBe(0)
    const bundle = JSON.parse(evidence.stdout)
    expect(bundle.requested.by).toBe('author@example.com')
    expect(bundle.plan.impact).toBe('orders table locked briefly')
    expect(bundle.approvals.map((a: {by: string; decision: string}) => [a.by, a.decision])).toEqual([['alice@example.com', 'approved'], ['bob@example.com', 'approved']])
    expect(bundle.approvals.every((a: {at: string}) => !Number.isNaN(Date.parse(a.at)))).toBe(true)
    expect(bundle.gates).toEqual([expect.objectContaining({name: 'unit', status: 'passed'})])
    expect(bundle.risk.score).toBeGreaterThanOrEqual(50)
    expect(bundle.closed.code).toBe('successful')
    expect(bundle.deployments).toEqual([])
    const md = await flow(repo, 'change', 'evidence', 'CHG-1')
    expect(md.stdout).toContain('# CHG-1: add index')
    expect(md.stdout).toContain('| alice@example.com | approved |')
    expect(md.stdout).toContain('| unit | passed |')

    const listed = await flow(repo, 'change', 'list', '--json')
    expect(listed.json.changes).toEqual([expect.objectContaining({id: 'CHG-1', status: 'closed', approvals: 2, approvalsRequired: 2})])
    const shown = await flow(repo, 'change', 'show', 'CHG-1', '--json')
    expect(shown.json).toMatchObject({id: 'CHG-1', status: 'closed', decisions: [{by: 'alice@example.com'}, {by: 'bob@example.com'}]})
    expect(repo.currentBranch()).toBe('feature/add-index')
  })

  test('a standard change matching its template is pre-approved; one that matches no template is refused', async () => {
    const repo = repoWith()
    await branchWith(repo, 'lock', {'package-lock.json': '{"lockfileVersion": 3}\n'})
    const created = await flow(repo, 'change', 'new', '--type', 'standard', '--json')
    expect(created.exitCode, created.stderr).toBe(0)
    expect(created.json).toMatchObject({id: 'CHG-1', template: 'lockfile', preApproved: true, approvalsRequired: 0})
    expect((await flow(repo, 'gates', 'run', 'submit')).exitCode).toBe(0)
    const ok = await flow(repo, 'change', 'check', '--json')
    expect(ok.exitCode, ok.stderr).toBe(0)
    expect(ok.json.approvals).toMatchObject({required: 0, preApproved: true})

    repo.commit('feat: more', {'src/app.ts': 'export {}\n'})
    const refused = await flow(repo, 'change', 'new', '--type', 'standard', '--json')
    expect(refused.exitCode).toBe(6)
    expect(refused.json.error.message).toContain('lockfile: files outside package-lock.json: src/app.ts')
    expect((await flow(repo, 'change', 'risk', 'CHG-1', '--json')).json).toMatchObject({id: 'CHG-1', files: 2, recorded: {approvals: 0}})
  })

  test('a freeze blocks the check until a break-glass reason is given; it is in the evidence, and closing opens a review-after follow-up', async () => {
    const repo = repoWith(`${CONFIG}  freeze: ["${day(-1)}..${day(1)}"]\n  types:\n    normal: {approvals: 0}\n  # thresholds off so only the freeze blocks\n`.replace('  risk:\n    sensitive: ["migrations/**"]\n', '  risk:\n    thresholds: []\n'))
    await branchWith(repo, 'fix', {'src/fix.ts': 'export const fix = 1\n', 'src/fix.test.ts': 'test\n'})
    expect((await flow(repo, 'change', 'new', '--type', 'normal', '--env', 'production', '--json')).exitCode).toBe(0)
    expect((await flow(repo, 'gates', 'run', 'submit')).exitCode).toBe(0)
    const frozen = await flow(repo, 'change', 'check', '--json')
    expect(frozen.exitCode).toBe(6)
    expect(frozen.json.error.details.reasons).toEqual([expect.stringMatching(/^inside the freeze \d{4}-\d\d-\d\d\.\.\d{4}-\d\d-\d\d until .* \(override with --break-glass "reason"\)$/)])
    const glass = await flow(repo, 'change', 'check', '--break-glass', 'payments down, fix now', '--json')
    expect(glass.exitCode, glass.stderr).toBe(0)
    expect(glass.json.freeze).toMatchObject({brokenGlass: true})
    const closed = await flow(repo, 'change', 'close', 'CHG-1', '--code', 'issues', '--json')
    expect(closed.json.followUp).toMatchObject({number: 1, url: 'flow://issues/ISSUE-1'})
    const bundle = (await flow(repo, 'change', 'evidence', 'CHG-1', '--json')).json
    expect(bundle.breakGlass).toEqual([expect.objectContaining({reason: 'payments down, fix now', by: 'author@example.com'})])
    expect(bundle).toMatchObject({reviewAfter: true, followUp: {number: 1}, closed: {code: 'issues'}})
  })

  test('two open changes on the same environment with overlapping windows conflict; an emergency change is closed with a follow-up', async () => {
    const repo = repoWith()
    await branchWith(repo, 'one', {'src/one.ts': '1\n', 'src/one.test.ts': '1\n'})
    const start = new Date(Date.now() - 3_600_000).toISOString()
    const end = new Date(Date.now() + 3_600_000).toISOString()
    expect((await flow(repo, 'change', 'new', '--type', 'normal', '--env', 'staging', '--window', `${start}..${end}`)).exitCode).toBe(0)
    const second = await flow(repo, 'change', 'new', '--type', 'emergency', '--env', 'staging', '--title', 'hot fix', '--window', `${start}..${end}`, '--json')
    expect(second.exitCode, second.stderr).toBe(0)
    expect(second.json.conflicts).toEqual([expect.objectContaining({id: 'CHG-1', shared: ['staging']})])
    const check = await flow(repo, 'change', 'check', 'CHG-2', '--json')
    expect(check.json.error.details.reasons).toContain(`conflicts with CHG-1 (one) on staging, ${start}..${end}`)
    const dry = await flow(repo, 'change', 'close', 'CHG-2', '--code', 'successful', '--dry-run', '--json')
    expect(dry.json.steps.map((s: {kind: string}) => s.kind)).toEqual(['change.event', 'change.followUp'])
    const closed = await flow(repo, 'change', 'close', 'CHG-2', '--code', 'successful', '--json')
    expect(closed.json.followUp).toMatchObject({number: 1})
    const issues = repo.git('ls-tree', '-r', '--name-only', 'refs/heads/flow/records')
    expect(issues).toMatch(/issues\/ISSUE-1\//)
  })
})
