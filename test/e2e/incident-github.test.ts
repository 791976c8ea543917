import {describe, expect, test} from 'vitest'
import {runFlow, startFlow} from '../helpers/e2e.js'
import {fakeGitHubPerTest, githubEnv} from '../helpers/github-e2e.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'

const fakeGitHub = fakeGitHubPerTest()
const flow = (repo: TempRepo, env: Record<string, string>, ...args: string[]) => runFlow(args, {cwd: repo.dir, env})
const REF = 'refs/heads/flow/records'

const FLOW_YML = `version: 1
incidents:
  severities:
    sev1: {summary: "Customer-facing outage", update_every: 30m, postmortem: required}
    sev2: {summary: "Degraded service", postmortem: optional}
`

function repoWithConfig(): TempRepo {
  const repo = tempRepo()
  repo.commit('chore: flow', {'flow.yml': FLOW_YML})
  repo.git('push', '-q', 'origin', 'main')
  return repo
}

describe('flow incident with the GitHub forge (the loopback fake, every request validated)', () => {
  test('mirrored: an issue labelled incident and sev:S, the timeline as comments, closed on resolve; follow-ups and the postmortem on GitHub', async () => {
    const api = await fakeGitHub.start()
    const repo = repoWithConfig()
    const env = githubEnv(repo, api)
    const declared = await flow(repo, env, 'incident', 'declare', 'Checkout 500s', '--sev', 'sev1', '--json')
    expect(declared.exitCode, declared.stderr).toBe(0)
    expect(declared.json).toMatchObject({id: 'INC-1', mirror: {issue: 1, url: 'https://github.com/octo/hello/issues/1'}})
    const gh = api.github.repo('octo', 'hello')
    expect(gh.issues).toMatchObject([{number: 1, title: 'INC-1: Checkout 500s', state: 'open', labels: ['incident', 'sev:sev1']}])

    for (const args of [['ack'], ['note', 'web pods restarting'], ['update', 'rolled back', '--status', 'mitigated'], ['resolve']]) {
      const run = await flow(repo, env, 'incident', ...args, '--json')
      expect(run.exitCode, `${args.join(' ')}: ${run.stderr}`).toBe(0)
    }
    expect(gh.comments.map((c) => c.body.split('\n')[0])).toEqual(['Acknowledged.', 'Note: web pods restarting', '**Status update** (mitigated): rolled back', '**Resolved**.'])
    expect(gh.issues[0]).toMatchObject({state: 'closed', labels: ['incident', 'sev:sev1']})

    const followUp = await flow(repo, env, 'incident', 'follow-up', 'add', 'Alert on 5xx', '--incident', 'INC-1', '--json')
    expect(followUp.exitCode, followUp.stderr).toBe(0)
    expect(followUp.json.followUps).toEqual([{title: 'Alert on 5xx', done: false, url: 'https://github.com/octo/hello/issues/2'}])
    expect(gh.issues[1]).toMatchObject({number: 2, title: 'Alert on 5xx', labels: ['follow-up'], state: 'open'})
    const done = await flow(repo, env, 'incident', 'follow-up', 'done', '1', '--incident', 'INC-1', '--json')
    expect(done.exitCode, done.stderr).toBe(0)
    expect(gh.issues[1]!.state).toBe('closed')

    const postmortem = await flow(repo, env, 'incident', 'postmortem', 'INC-1', '--json')
    expect(postmortem.exitCode, postmortem.stderr).toBe(0)
    expect(postmortem.json).toMatchObject({pushed: true, pullRequest: {number: 3, url: 'https://github.com/octo/hello/pull/3'}})
    expect(gh.pulls).toMatchObject([{number: 3, head: postmortem.json.branch, base: 'main', draft: true}])
    expect(repo.ref(`refs/heads/${postmortem.json.branch}`, repo.origin)).toBe(repo.ref(`refs/heads/${postmortem.json.branch}`))
    expect((await flow(repo, env, 'incident', 'close', '--json')).exitCode).toBe(0)
    expect(gh.issues[0]!.state).toBe('closed')
    const shown = await flow(repo, env, 'incident', 'show', 'INC-1', '--json')
    expect(shown.json).toMatchObject({status: 'closed', mirror: {issue: 1}, postmortem: {path: postmortem.json.path}})
    expect(shown.json.timeline.find((t: {type: string}) => t.type === 'postmortem')).toBeTruthy()
    expect(shown.json.timeline.some((t: {type: string}) => t.type.startsWith('mirror'))).toBe(false)
  })

  test('a GitHub failure pauses (exit 8) with the record already written; flow continue finishes without duplicates', async () => {
    const api = await fakeGitHub.start()
    const repo = repoWithConfig()
    const env = githubEnv(repo, api)
    const gh = api.github.repo('octo', 'hello')
    api.github.fail('issues/create', {status: 422, body: {message: 'Validation Failed', documentation_url: 'https://docs.github.com/rest'}})
    const declared = await flow(repo, env, 'incident', 'declare', 'Checkout 500s', '--sev', 'sev2', '--json')
    expect(declared.exitCode, declared.stderr).toBe(8)
    expect(declared.json.error).toMatchObject({code: 'RUN_PAUSED', hint: expect.stringContaining('flow continue')})
    expect(gh.issues).toEqual([])
    const offline = await flow(repo, env, 'incident', 'list', '--json')
    expect(offline.json.incidents).toMatchObject([{id: 'INC-1', title: 'Checkout 500s'}])
    const resumed = await flow(repo, env, 'continue', '--json')
    expect(resumed.exitCode, resumed.stderr).toBe(0)
    expect(gh.issues).toHaveLength(1)

    api.github.fail('issues/create-comment', {status: 422, body: {message: 'Validation Failed', documentation_url: 'https://docs.github.com/rest'}})
    const note = await flow(repo, env, 'incident', 'note', 'db failover started', '--json')
    expect(note.exitCode).toBe(8)
    expect(gh.comments).toEqual([])
    const records = repo.ref(REF)
    expect((await flow(repo, env, 'continue')).exitCode).toBe(0)
    expect((await flow(repo, env, 'continue')).exitCode).toBe(1)
    expect(gh.comments.map((c) => c.body.split('\n')[0])).toEqual(['Note: db failover started'])
    expect(gh.issues).toHaveLength(1)
    const shown = await flow(repo, env, 'incident', 'show', '--json')
    expect(shown.json.timeline.filter((t: {type: string}) => t.type === 'note')).toHaveLength(1)
    expect(repo.ref(REF)).not.toBe(records)
  })

  test('an incident declared offline (FLOW_OFFLINE=1) is mirrored by its next action', async () => {
    const api = await fakeGitHub.start()
    const repo = repoWithConfig()
    const env = githubEnv(repo, api)
    const offline = await flow(repo, {...env, FLOW_OFFLINE: '1'}, 'incident', 'declare', 'Search slow', '--sev', 'sev2', '--json')
    expect(offline.exitCode, offline.stderr).toBe(0)
    expect(offline.json.mirror).toBeUndefined()
    const gh = api.github.repo('octo', 'hello')
    expect(gh.issues).toEqual([])
    const note = await flow(repo, env, 'incident', 'note', 'index rebuilt', '--json')
    expect(note.exitCode, note.stderr).toBe(0)
    expect(gh.issues).toMatchObject([{title: 'INC-1: Search slow', labels: ['incident', 'sev:sev2']}])
    expect(gh.comments).toHaveLength(1)
  })

  test('killed while the comment is on its way: flow continue posts it once', async () => {
    const api = await fakeGitHub.start()
    const repo = repoWithConfig()
    const env = githubEnv(repo, api)
    expect((await flow(repo, env, 'incident', 'declare', 'Queue backlog', '--sev', 'sev2')).exitCode).toBe(0)
    api.github.fail('issues/create-comment', {delayMs: 15_000, status: 503})
    const child = startFlow(['incident', 'note', 'consumers scaled to 20'], {cwd: repo.dir, env})
    const deadline = Date.now() + 20_000
    while (!api.github.requests.some((r) => r.operationId === 'issues/create-comment') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    child.kill('SIGKILL')
    await new Promise((r) => child.once('close', r))
    const gh = api.github.repo('octo', 'hello')
    expect(gh.comments).toEqual([])
    const resumed = await flow(repo, env, 'continue', '--json')
    expect(resumed.exitCode, resumed.stderr).toBe(0)
    expect(gh.comments.map((c) => c.body.split('\n')[0])).toEqual(['Note: consumers scaled to 20'])
    const shown = await flow(repo, env, 'incident', 'show', '--json')
    expect(shown.json.timeline.filter((t: {type: string}) => t.type === 'note')).toHaveLength(1)
  })
})
