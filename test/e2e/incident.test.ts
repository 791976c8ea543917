import {chmodSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {systemClock, ulidFactory} from '../../src/core/ids.js'
import {GitCli} from '../../src/providers/git-cli.js'
import {GitRecordStore} from '../../src/providers/git-record-store.js'
import {runFlow} from '../helpers/e2e.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'

const REF = 'refs/heads/flow/records'
const flow = (repo: TempRepo, ...args: string[]) => runFlow(args, {cwd: repo.dir, env: repo.env})
const store = (repo: TempRepo) => new GitRecordStore(new GitCli(repo.dir, repo.env), systemClock, ulidFactory(systemClock))

const FLOW_YML = `version: 1
environments:
  production:
    services: [web]
services:
  web: {}
incidents:
  severities:
    sev1: {summary: "Customer-facing outage", update_every: 30m, postmortem: required}
    sev2: {summary: "Degraded service", update_every: 1s, postmortem: optional}
  notify: [["./notify.sh", "{id}", "{severity}", "{title}", "{status}"]]
`

/** A repo with flow.yml, a notify script that logs its arguments one per line, and CODEOWNERS. */
function incidentRepo(): TempRepo {
  const repo = tempRepo()
  repo.write('notify.sh', '#!/bin/sh\nfor a in "$@"; do printf "[%s]" "$a"; done >> notify.log\necho >> notify.log\n')
  chmodSync(join(repo.dir, 'notify.sh'), 0o755)
  repo.write('.gitignore', 'notify.log\n')
  repo.commit('chore: flow', {'flow.yml': FLOW_YML, '.github/CODEOWNERS': '* @everyone\nsrc/payments/ @payments\n'})
  return repo
}

const notifyLog = (repo: TempRepo) => readFileSync(join(repo.dir, 'notify.log'), 'utf8').trim().split('\n')

describe('flow incident, offline (local records)', () => {
  test('the full lifecycle: declare, ack, note, update, role, cause, resolve, postmortem, close; show has the timeline and durations', async () => {
    const repo = incidentRepo()
    const before = repo.ref('HEAD')!
    const bad = repo.commit('feat: new charge flow', {'src/payments/charge.ts': 'export {}\n'})
    await store(repo).append('deployments', 'DEP-1', {type: 'created', data: {sha: bad, previousSha: before, environment: 'production', services: ['web']}})

    const title = 'Checkout 500s; $(touch hacked) "quoted"'
    const declared = await flow(repo, 'incident', 'declare', title, '--sev', 'sev1', '--service', 'web', '--started', '20m ago', '--commander', 'alice', '--json')
    expect(declared.exitCode, declared.stderr).toBe(0)
    expect(declared.json).toMatchObject({
      id: 'INC-1', title, severity: 'sev1', services: ['web'], environments: ['production'], status: 'investigating', drill: false,
      checklist: {severity: 'sev1', roles: [{role: 'commander', who: 'alice'}, {role: 'communications'}, {role: 'scribe'}], updateEvery: '30m', postmortem: 'required'},
      suspects: [{label: 'suspect', deployment: 'DEP-1', environment: 'production', range: `${before}..${bad}`, owners: ['payments'], files: ['src/payments/charge.ts']}],
    })
    expect(declared.json.cause).toBeUndefined()
    expect(notifyLog(repo)).toEqual([`[INC-1][sev1][${title}][investigating]`])
    expect(repo.git('ls-files', '--others', '--exclude-standard')).toBe('')

    const human = await flow(repo, 'incident', 'ack')
    expect(human.exitCode, human.stderr).toBe(0)
    expect(human.stdout).toContain('Acknowledge INC-1: done')
    for (const args of [['note', 'pods restarting'], ['update', 'rolled back web', '--status', 'mitigated'], ['role', 'set', 'scribe', 'bob'], ['cause', 'DEP-1']]) {
      const run = await flow(repo, 'incident', ...args, '--json')
      expect(run.exitCode, `${args.join(' ')}: ${run.stderr}`).toBe(0)
    }
    const resolved = await flow(repo, 'incident', 'resolve', '--json')
    expect(resolved.json).toMatchObject({status: 'resolved', cause: {deployment: 'DEP-1', sha: bad}})
    const followUp = await flow(repo, 'incident', 'follow-up', 'add', 'Alert on checkout 5xx', '--incident', 'INC-1', '--json')
    expect(followUp.json.followUps).toEqual([{title: 'Alert on checkout 5xx', done: false}])

    const refused = await flow(repo, 'incident', 'close', '--json')
    expect(refused.exitCode).toBe(6)
    expect(refused.json.error).toMatchObject({code: 'POLICY_BLOCKED', hint: 'Draft it with flow incident postmortem INC-1.'})

    const postmortem = await flow(repo, 'incident', 'postmortem', 'INC-1', '--json')
    expect(postmortem.exitCode, postmortem.stderr).toBe(0)
    expect(postmortem.json).toMatchObject({id: 'INC-1', branch: expect.stringMatching(/^postmortem\/inc-1-checkout-500s/), path: expect.stringMatching(/^docs\/postmortems\/\d{4}-\d\d-\d\d-inc-1-/), template: 'built-in', pushed: true, pullRequest: {number: 1, url: 'flow://reviews/PR-1'}})
    const {branch, path} = postmortem.json
    const draft = repo.git('show', `${branch}:${path}`)
    const shown = await flow(repo, 'incident', 'show', 'INC-1', '--json')
    expect(shown.exitCode, shown.stderr).toBe(0)
    for (const entry of shown.json.timeline) if (entry.type !== 'postmortem') expect(draft).toContain(entry.summary)
    expect(draft).toContain('Deployments shortly before the impact (suspects, not causes)')
    expect(draft).toMatch(/Time to resolve: 20m/)
    expect(draft).toContain('Cause (stated with `flow incident cause`): deployment DEP-1')
    expect(repo.ref(`refs/heads/${branch}`, repo.origin)).toBe(repo.ref(`refs/heads/${branch}`))
    expect(repo.currentBranch()).toBe('main')
    expect(repo.git('status', '--porcelain')).toBe('')

    const closed = await flow(repo, 'incident', 'close', '--json')
    expect(closed.exitCode, closed.stderr).toBe(0)
    const final = await flow(repo, 'incident', 'show', 'INC-1', '--json')
    expect(final.json).toMatchObject({
      status: 'closed', roles: {commander: 'alice', scribe: 'bob'}, postmortem: {path},
      durations: {timeToAcknowledge: expect.any(Number), timeToMitigate: expect.any(Number), timeToResolve: expect.any(Number)},
      openFollowUps: [{number: 1, title: 'Alert on checkout 5xx'}], warnings: [],
    })
    expect(final.json.durations.timeToResolve).toBeGreaterThanOrEqual(1200)
    expect(final.json.timeline.map((t: {type: string}) => t.type)).toEqual([
      'impact-started', 'declared', 'acknowledged', 'note', 'update', 'role', 'cause', 'resolved', 'follow-up', 'postmortem', 'closed',
    ])
    expect(notifyLog(repo).map((l) => /\[([a-z]+)\]$/.exec(l)![1])).toEqual(['investigating', 'investigating', 'investigating', 'mitigated', 'mitigated', 'mitigated', 'resolved', 'closed'])

    const done = await flow(repo, 'incident', 'follow-up', 'done', '1', '--incident', 'INC-1', '--json')
    expect(done.json.followUps).toEqual([{title: 'Alert on checkout 5xx', done: true}])
  })

  test('an invalid severity, an unknown id, a time out of order: one line, a hint, non-zero exit, nothing recorded', async () => {
    const repo = incidentRepo()
    expect((await flow(repo, 'incident', 'declare', 'Slow API', '--sev', 'sev2')).exitCode).toBe(0)
    const records = repo.ref(REF)
    const cases: Array<[string[], number, RegExp, RegExp]> = [
      [['declare', 'X', '--sev', 'sev9'], 2, /^Error: Unknown severity "sev9"$/, /^Hint: Use one of sev1, sev2/],
      [['note', 'hello', '--incident', 'INC-7'], 1, /^Error: No incident "INC-7" in the records$/, /^Hint: flow incident list/],
      [['show', 'INC-7'], 1, /^Error: No incident "INC-7"/, /^Hint: /],
      [['resolve', '--at', '2h ago'], 2, /^Error: The resolution \(.*\) would be before the declaration \(.*\)$/, /^Hint: An incident's times go/],
      [['declare', 'Y', '--sev', 'sev1', '--started', '10m ago', '--detected', '30m ago'], 2, /^Error: The detection .* would be before the impact start/, /^Hint: /],
      [['declare', 'Z', '--sev', 'sev1', '--started', 'last tuesday'], 2, /^Error: --started "last tuesday" is not a time/, /^Hint: Give an ISO-8601 time/],
      [['note', 'x', '--at', '2099-01-01T00:00:00Z'], 2, /^Error: --at 2099-01-01T00:00:00.000Z is in the future/, /^Hint: Give a time that has passed/],
      [['declare', 'W', '--sev', 'sev1', '--started', '10m ago', '--declared', '20m ago'], 2, /^Error: The declaration \(.*\) would be before the impact start/, /^Hint: /],
      [['close'], 1, /^Error: No incident is resolved and not closed$/, /^Hint: /],
    ]
    for (const [args, exit, message, hint] of cases) {
      const run = await flow(repo, 'incident', ...args)
      expect(run.exitCode, args.join(' ')).toBe(exit)
      const lines = run.stderr.trim().split('\n')
      expect(lines, args.join(' ')).toHaveLength(2)
      expect(lines[0]).toMatch(message)
      expect(lines[1]).toMatch(hint)
      const json = await flow(repo, 'incident', ...args, '--json')
      expect(json.json.error.hint, args.join(' ')).toBeTruthy()
    }
    expect(repo.ref(REF)).toBe(records)
    expect(notifyLog(repo)).toHaveLength(1)
    const fallback = await flow(repo, 'incident', 'declare', 'No severity given', '--json')
    expect(fallback.json).toMatchObject({id: 'INC-2', severity: 'sev2'})
    expect(fallback.stderr).toContain('No --sev: declared as sev2 (incidents.default_severity)')
  })

  test('drills are kept apart: list shows them only with --drills; their facts say drill: true', async () => {
    const repo = incidentRepo()
    const real1 = await flow(repo, 'incident', 'declare', 'Real one', '--sev', 'sev2', '--started', '3h ago', '--declared', '2h ago', '--json')
    expect(real1.exitCode, real1.stderr).toBe(0)
    expect(Date.parse(real1.json.declaredAt) - Date.parse(real1.json.impactStartedAt)).toBe(3_600_000)
    expect((await flow(repo, 'incident', 'declare', 'Game day', '--sev', 'sev1', '--drill')).exitCode).toBe(0)
    const real = await flow(repo, 'incident', 'list', '--json')
    expect(real.json).toMatchObject({drills: false, incidents: [{id: 'INC-1', title: 'Real one', drill: false}]})
    expect(real.json.incidents).toHaveLength(1)
    const drills = await flow(repo, 'incident', 'list', '--drills', '--json')
    expect(drills.json.incidents).toMatchObject([{id: 'INC-2', title: 'Game day', drill: true}])
    const human = await flow(repo, 'incident', 'list')
    expect(human.stdout).not.toContain('Game day')
    const {incidentFacts} = await import('../../src/core/incidents/facts.js')
    expect((await incidentFacts(store(repo))).map((f) => [f.id, f.drill])).toEqual([['INC-1', false], ['INC-2', true]])
    const ambiguous = await flow(repo, 'incident', 'ack')
    expect(ambiguous.exitCode).toBe(2)
    expect(ambiguous.stderr).toContain('Pass --incident ID')
    const filtered = await flow(repo, 'incident', 'list', '--sev', 'sev1', '--json')
    expect(filtered.json.incidents).toEqual([])
  })

  test('show warns when the status update of the severity is overdue; an update clears it', async () => {
    const repo = incidentRepo()
    expect((await flow(repo, 'incident', 'declare', 'Slow API', '--sev', 'sev2')).exitCode).toBe(0)
    await new Promise((r) => setTimeout(r, 2100))
    const late = await flow(repo, 'incident', 'show', '--json')
    expect(late.json.warnings).toEqual([expect.stringMatching(/^A status update on INC-1 is overdue by \d+s \(sev2 asks for one every 1s; last at .*\): flow incident update TEXT$/)])
    const human = await flow(repo, 'incident', 'show')
    expect(human.stderr).toMatch(/warning: A status update on INC-1 is overdue/)
    expect((await flow(repo, 'incident', 'update', 'looking at the db')).exitCode).toBe(0)
    const fresh = await flow(repo, 'incident', 'show', '--json')
    expect(fresh.json.lastUpdateAt > late.json.declaredAt).toBe(true)
    for (const w of fresh.json.warnings) expect(w).toContain(`last at ${fresh.json.lastUpdateAt}`)
  })

  test('--dry-run prints the plan and records nothing; --help has the examples', async () => {
    const repo = incidentRepo()
    const dry = await flow(repo, 'incident', 'declare', 'Checkout down', '--sev', 'sev1', '--dry-run', '--json')
    expect(dry.exitCode, dry.stderr).toBe(0)
    expect(dry.json).toMatchObject({id: 'INC-1', dryRun: true, runId: null, steps: [
      {kind: 'incident.record', description: 'Record INC-1 (sev1): Checkout down'},
      {kind: 'incident.notify', description: 'Notify: ./notify.sh {id} {severity} {title} {status}'},
    ]})
    expect(repo.ref(REF)).toBeNull()
    const help = await flow(repo, 'incident', 'declare', '--help')
    expect(help.stdout).toContain('flow incident declare "Checkout 500s" --sev sev1')
    expect(help.stdout).toContain('--drill')
  })

  test('two clones add notes at the same time; after records sync both ways both show one merged timeline in time order', async () => {
    const repo = incidentRepo()
    repo.git('push', '-q', 'origin', 'main')
    const a = repo.clone('a')
    const b = repo.clone('b')
    expect((await flow(a, 'incident', 'declare', 'Checkout 500s', '--sev', 'sev2')).exitCode).toBe(0)
    expect((await flow(a, 'records', 'sync')).exitCode).toBe(0)
    expect((await flow(b, 'records', 'sync')).exitCode).toBe(0)
    const notes = await Promise.all([
      flow(a, 'incident', 'note', 'a: db CPU at 100%'),
      flow(b, 'incident', 'note', 'b: web 500s from payments'),
    ])
    for (const n of notes) expect(n.exitCode, n.stderr).toBe(0)
    expect((await flow(a, 'incident', 'note', 'a: failing over')).exitCode).toBe(0)
    for (const clone of [a, b, a]) expect((await flow(clone, 'records', 'sync')).exitCode).toBe(0)
    const [showA, showB] = await Promise.all([flow(a, 'incident', 'show', 'INC-1', '--json'), flow(b, 'incident', 'show', 'INC-1', '--json')])
    expect(showA.json.timeline).toEqual(showB.json.timeline)
    const summaries = showA.json.timeline.map((t: {summary: string}) => t.summary)
    expect(summaries.filter((s: string) => s.startsWith('Note:')).sort()).toEqual(['Note: a: db CPU at 100%', 'Note: a: failing over', 'Note: b: web 500s from payments'])
    expect(summaries.indexOf('Note: a: failing over')).toBeGreaterThan(summaries.indexOf('Note: a: db CPU at 100%'))
    const times = showA.json.timeline.map((t: {at: string}) => t.at)
    expect([...times].sort()).toEqual(times)
    expect(a.ref(REF)).toBe(b.ref(REF))
  })

  test('two clones that both declared INC-1 offline show INC-1 and INC-2 after syncing, each with its own notes', async () => {
    const repo = incidentRepo()
    repo.git('push', '-q', 'origin', 'main')
    const a = repo.clone('a')
    const b = repo.clone('b')
    expect((await flow(a, 'incident', 'declare', 'Checkout 500s', '--sev', 'sev2')).exitCode).toBe(0)
    expect((await flow(b, 'incident', 'declare', 'Search slow', '--sev', 'sev2')).exitCode).toBe(0)
    expect((await flow(a, 'incident', 'note', 'about checkout')).exitCode).toBe(0)
    expect((await flow(b, 'incident', 'note', 'about search')).exitCode).toBe(0)
    for (const clone of [a, b, a]) expect((await flow(clone, 'records', 'sync')).exitCode).toBe(0)
    const lists = await Promise.all([a, b].map((c) => flow(c, 'incident', 'list', '--json')))
    expect(lists[0]!.json).toEqual(lists[1]!.json)
    const titles = lists[0]!.json.incidents.map((i: {id: string; title: string}) => `${i.id} ${i.title}`).sort()
    expect(titles).toHaveLength(2)
    expect(titles.map((t: string) => t.slice(0, 5))).toEqual(['INC-1', 'INC-2'])
    for (const incident of lists[0]!.json.incidents) {
      const shown = await flow(b, 'incident', 'show', incident.id, '--json')
      const notes = shown.json.timeline.filter((t: {type: string}) => t.type === 'note').map((t: {summary: string}) => t.summary)
      expect(notes).toEqual([incident.title === 'Checkout 500s' ? 'Note: about checkout' : 'Note: about search'])
    }
    const next = await flow(b, 'incident', 'declare', 'Third', '--sev', 'sev2', '--json')
    expect(next.json.id).toBe('INC-3')
  })

  test('the repository overrides the postmortem template (docs/postmortems/TEMPLATE.md); no origin: a local review request, nothing pushed', async () => {
    const repo = incidentRepo()
    repo.commit('docs: our template', {'docs/postmortems/TEMPLATE.md': '# {{id}}: {{title}} (our template)\n\n{{timeline}}\n\n{{durations}}\n'})
    repo.git('remote', 'remove', 'origin')
    expect((await flow(repo, 'incident', 'declare', 'Login loop', '--sev', 'sev2', '--started', '5m ago')).exitCode).toBe(0)
    expect((await flow(repo, 'incident', 'resolve')).exitCode).toBe(0)
    const drafted = await flow(repo, 'incident', 'postmortem', 'INC-1', '--json')
    expect(drafted.exitCode, drafted.stderr).toBe(0)
    expect(drafted.json).toMatchObject({template: 'docs/postmortems/TEMPLATE.md', pushed: false, pullRequest: {url: 'flow://reviews/PR-1'}})
    const text = repo.git('show', `${drafted.json.branch}:${drafted.json.path}`)
    expect(text).toMatch(/^# INC-1: Login loop \(our template\)\n\n- .*: Impact started\n- .*: Declared sev2 "Login loop" \(author@example.com\)\n- .*: Resolved \(author@example.com\)\n\n- Time to acknowledge: _not recorded_\n- Time to mitigate: 5m\n- Time to resolve: 5m$/)
    const again = await flow(repo, 'incident', 'postmortem', 'INC-1')
    expect(again.exitCode).toBe(2)
    expect(again.stderr).toContain('was drafted already')
  })
})
