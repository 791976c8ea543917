import {describe, expect, test} from 'vitest'
import {systemClock, ulidFactory} from '../../src/core/ids.js'
import {GitCli} from '../../src/providers/git-cli.js'
import {GitRecordStore} from '../../src/providers/git-record-store.js'
import {runFlow, startFlow} from '../helpers/e2e.js'
import {start} from '../helpers/git-http-server.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'

const REF = 'refs/heads/flow/records'

function store(clone: TempRepo): GitRecordStore {
  return new GitRecordStore(new GitCli(clone.dir, clone.env), systemClock, ulidFactory(systemClock))
}

describe('flow records sync', () => {
  test('without the remote it is REMOTE_MISSING: exit 1, one JSON error with a hint', async () => {
    const repo = tempRepo()
    const run = await runFlow(['records', 'sync', '--remote', 'upstream', '--json'], {cwd: repo.dir, env: repo.env})
    expect(run.exitCode).toBe(1)
    expect(run.json).toEqual({error: {code: 'REMOTE_MISSING', message: 'No git remote named "upstream" to sync flow/records with', hint: expect.stringContaining('origin')}})

    repo.git('remote', 'remove', 'origin')
    const human = await runFlow(['records', 'sync'], {cwd: repo.dir, env: repo.env})
    expect(human.exitCode).toBe(1)
    expect(human.stderr).toContain('No git remote named "origin"')
    expect(human.stderr).toContain('git remote add origin URL')
    expect(human.stderr).not.toMatch(/at .*\.js:\d+/)
  })

  test('--help shows the flags and examples', async () => {
    const repo = tempRepo()
    const run = await runFlow(['records', 'sync', '--help'], {cwd: repo.dir, env: repo.env})
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain('--remote')
    expect(run.stdout).toContain('--dry-run')
    expect(run.stdout).toContain('flow records sync --remote upstream --json')
  })

  test('syncs two clones: JSON result, refs on the remote, every event in both', async () => {
    const repo = tempRepo()
    const a = repo.clone('a')
    const b = repo.clone('b')
    await store(a).append('incidents', 'INC-1', {type: 'declared', data: {title: 'Checkout 500s'}})
    await store(b).appendMany([
      {collection: 'incidents', recordId: 'INC-1', event: {type: 'note', data: {}}},
      {collection: 'changes', recordId: 'CHG-1', event: {type: 'opened', data: {}}},
    ])

    const first = await runFlow(['records', 'sync', '--json'], {cwd: a.dir, env: a.env})
    expect(first.exitCode, first.stderr).toBe(0)
    expect(first.json).toEqual({
      remote: 'origin', fetched: false, merged: false, pushed: true,
      localBefore: a.ref(REF), localAfter: a.ref(REF), remoteAfter: a.ref(REF), events: {added: 0, total: 1},
    })
    expect(repo.ref(REF, repo.origin)).toBe(a.ref(REF))

    const bBefore = b.ref(REF)
    const second = await runFlow(['records', 'sync', '--json'], {cwd: b.dir, env: b.env})
    expect(second.exitCode, second.stderr).toBe(0)
    expect(second.json).toMatchObject({fetched: true, merged: true, pushed: true, localBefore: bBefore, events: {added: 1, total: 3}})
    expect(repo.ref(REF, repo.origin)).toBe(b.ref(REF))

    const third = await runFlow(['records', 'sync'], {cwd: a.dir, env: a.env})
    expect(third.exitCode, third.stderr).toBe(0)
    expect(third.stdout).toContain('flow/records synced with origin')
    expect(a.ref(REF)).toBe(b.ref(REF))
    expect((await store(a).collection('incidents')).get('INC-1')!.map((e) => e.type)).toEqual(['declared', 'note'])
  })

  test('--dry-run --json lists the three steps and touches nothing', async () => {
    const repo = tempRepo()
    const a = repo.clone('a')
    await store(a).append('incidents', 'INC-1', {type: 'declared', data: {}})
    const run = await runFlow(['records', 'sync', '--dry-run', '--json'], {cwd: a.dir, env: a.env})
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.json).toMatchObject({dryRun: true, pushed: false, steps: [
      expect.objectContaining({kind: 'records.fetch', description: 'Fetch flow/records from origin'}),
      expect.objectContaining({kind: 'records.merge'}),
      expect.objectContaining({kind: 'records.push', description: 'Push flow/records to origin'}),
    ]})
    expect(repo.ref(REF, repo.origin)).toBeNull()
  })

  test('an unreachable remote pauses the run with a one-line message', async () => {
    const repo = tempRepo()
    const a = repo.clone('a')
    await store(a).append('incidents', 'INC-1', {type: 'declared', data: {}})
    a.git('remote', 'set-url', 'origin', 'http://127.0.0.1:9/nothing.git')
    const run = await runFlow(['records', 'sync', '--json'], {cwd: a.dir, env: a.env})
    expect(run.exitCode).not.toBe(0)
    expect(run.json.error.message).toMatch(/Could not fetch from origin/)
    expect(run.json.error.message).not.toContain('\n')
  })

  test('killed while its push is held by the remote, flow continue finishes the sync', async () => {
    const repo = tempRepo()
    const server = await start({root: repo.scratch})
    try {
      const a = repo.clone('a')
      a.git('remote', 'set-url', 'origin', `${server.url}/origin.git`)
      await store(a).append('incidents', 'INC-1', {type: 'declared', data: {}})
      const hold = server.hold((r) => r.service === 'git-receive-pack' && r.method === 'POST')
      const child = startFlow(['records', 'sync', '--json'], {cwd: a.dir, env: a.env})
      const exited = new Promise((resolve) => child.on('close', resolve))
      await hold.arrived
      child.kill('SIGKILL')
      await exited
      hold.release()
      expect(repo.ref(REF, repo.origin)).toBeNull()

      const status = await runFlow(['status', '--json'], {cwd: a.dir, env: a.env})
      expect(status.json.run).toMatchObject({command: 'records sync'})
      const resumed = await runFlow(['continue', '--json'], {cwd: a.dir, env: a.env})
      expect(resumed.exitCode, resumed.stderr).toBe(0)
      expect(repo.ref(REF, repo.origin)).toBe(a.ref(REF))
    } finally {
      await server.close()
    }
  })
})
