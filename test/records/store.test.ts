import {execFileSync} from 'node:child_process'
import {readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {FlowError} from '../../src/core/errors.js'
import {ulidFactory} from '../../src/core/ids.js'
import type {Clock, Ids} from '../../src/core/ports.js'
import {registerSecret} from '../../src/core/redact.js'
import {GitCli} from '../../src/providers/git-cli.js'
import {GitRecordStore} from '../../src/providers/git-record-store.js'
import {addFilesToTree, catFileJson, writeCommit} from '../../src/core/records/plumbing.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'

const REF = 'refs/heads/flow/records'

function fixedClock(iso = '2026-03-01T12:00:00.000Z'): Clock & {advance(ms: number): void} {
  let now = Date.parse(iso)
  return {now: () => new Date(now), advance: (ms) => (now += ms)}
}

function counterIds(prefix = '01TEST'): Ids {
  let n = 0
  return {ulid: () => `${prefix}${String(++n).padStart(26 - prefix.length, '0')}`}
}

function storeFor(repo: TempRepo, options: {clock?: Clock; ids?: Ids; cwd?: string; env?: Record<string, string>} = {}) {
  const clock = options.clock ?? fixedClock()
  return new GitRecordStore(new GitCli(options.cwd ?? repo.dir, options.env ?? repo.env), clock, options.ids ?? ulidFactory(clock))
}

describe('GitRecordStore', () => {
  test('appends events as files on the orphan flow/records branch, one commit each', async () => {
    const repo = tempRepo()
    const clock = fixedClock()
    const store = storeFor(repo, {clock, ids: counterIds()})
    const declared = await store.append('incidents', 'INC-7', {type: 'declared', data: {title: 'Checkout 500s', sev: 1}})
    clock.advance(60_000)
    const note = await store.append('incidents', 'INC-7', {type: 'note', data: {text: 'rolled back'}})

    expect(declared).toEqual({id: '01TEST00000000000000000001', type: 'declared', at: '2026-03-01T12:00:00.000Z', actor: 'author@example.com', data: {title: 'Checkout 500s', sev: 1}})
    expect(note.at).toBe('2026-03-01T12:01:00.000Z')
    expect(repo.git('rev-list', '--count', REF)).toBe('2')
    expect(repo.git('rev-list', '--max-parents=0', REF)).toBe(repo.git('rev-list', '--max-count=1', `${REF}~1`))
    expect(repo.git('log', '--format=%s', REF).split('\n')).toEqual(['flow: incidents/INC-7 note', 'flow: incidents/INC-7 declared'])
    expect(repo.git('log', '-1', '--format=%an <%ae> %ad', '--date=iso-strict', REF)).toBe('Test Author <author@example.com> 2026-03-01T12:01:00+00:00')
    expect(repo.git('ls-tree', '-r', '--name-only', REF).split('\n')).toEqual([
      'incidents/INC-7/events/01TEST00000000000000000001.json',
      'incidents/INC-7/events/01TEST00000000000000000002.json',
    ])
    expect(JSON.parse(repo.git('show', `${REF}:incidents/INC-7/events/${declared.id}.json`))).toEqual(declared)
    expect(await store.events('incidents', 'INC-7')).toEqual([declared, note])
  })

  test('reads events oldest first by id, whatever order the files were written in', async () => {
    const repo = tempRepo()
    const ids = ['01B0000000000000000000000C', '01B0000000000000000000000A', '01B0000000000000000000000B']
    const store = storeFor(repo, {ids: {ulid: () => ids.shift()!}})
    await store.append('changes', 'CHG-1', {type: 'third', data: {}})
    await store.append('changes', 'CHG-1', {type: 'first', data: {}})
    await store.append('changes', 'CHG-1', {type: 'second', data: {}})
    expect((await store.events('changes', 'CHG-1')).map((e) => e.type)).toEqual(['first', 'second', 'third'])
  })

  test('appendMany writes several records in one commit; collection groups them, list and nextNumber count them', async () => {
    const repo = tempRepo()
    const store = storeFor(repo)
    expect(await store.collection('incidents')).toEqual(new Map())
    expect(await store.list('incidents')).toEqual([])
    expect(await store.nextNumber('incidents')).toBe(1)
    expect(await store.events('incidents', 'INC-1')).toEqual([])

    const written = await store.appendMany([
      {collection: 'incidents', recordId: 'INC-10', event: {type: 'declared', data: {}}},
      {collection: 'incidents', recordId: 'INC-2', event: {type: 'declared', data: {}}},
      {collection: 'incidents', recordId: 'INC-2', event: {type: 'resolved', at: '2026-01-01T00:00:00.000Z', actor: 'ops@example.com', data: {}}},
      {collection: 'changes', recordId: 'CHG-1', event: {type: 'opened', data: {}}},
    ])
    expect(written).toHaveLength(4)
    expect(new Set(written.map((e) => e.id)).size).toBe(4)
    expect(repo.git('rev-list', '--count', REF)).toBe('1')
    expect(repo.git('log', '-1', '--format=%B', REF)).toBe('flow: 4 events\n\nincidents/INC-10 declared\nincidents/INC-2 declared\nincidents/INC-2 resolved\nchanges/CHG-1 opened')

    const incidents = await store.collection('incidents')
    expect([...incidents.keys()]).toEqual(['INC-2', 'INC-10'])
    expect(incidents.get('INC-2')!.map((e) => [e.type, e.actor, e.at])).toEqual([
      ['declared', 'author@example.com', written[1]!.at],
      ['resolved', 'ops@example.com', '2026-01-01T00:00:00.000Z'],
    ])
    expect(await store.list('incidents')).toEqual(['INC-2', 'INC-10'])
    expect(await store.nextNumber('incidents')).toBe(11)
    expect(await store.list('changes')).toEqual(['CHG-1'])

    await store.append('incidents', 'INC-11', {type: 'declared', data: {}})
    expect(await store.nextNumber('incidents')).toBe(12)
    expect((await store.collection('changes')).get('CHG-1')).toHaveLength(1)
  })

  test('tokens in event data never reach the branch', async () => {
    const repo = tempRepo()
    const store = storeFor(repo)
    const pat = `ghp_${'A1b2C3d4'.repeat(5)}`
    const secret = 'hunter2-registered-secret'
    registerSecret(secret)
    const event = await store.append('deployments', 'DEP-1', {
      type: 'started',
      data: {command: `curl -H "Authorization: token ${pat}"`, nested: {list: [pat, `x ${secret} y`]}, url: `https://x-access-token:${pat}@github.com/o/r.git`},
    })
    const stored = repo.git('log', '-p', '--all', '--format=%B')
    expect(stored).not.toContain(pat)
    expect(stored).not.toContain(secret)
    expect(JSON.stringify(event)).not.toContain(pat)
    const [read] = await store.events('deployments', 'DEP-1')
    expect(read!.data).toEqual({command: 'curl -H "Authorization: token ***"', nested: {list: ['***', 'x *** y']}, url: 'https://x-access-token:***@github.com/o/r.git'})
  })

  test('never touches the work tree, the index or HEAD', async () => {
    const repo = tempRepo()
    repo.commit('feat: tracked', {'src/a.txt': 'one\n', 'src/b.txt': 'two\n'})
    repo.git('switch', '-q', '-c', 'feature/x')
    repo.write('src/a.txt', 'dirty, unstaged\n')
    repo.write('src/b.txt', 'staged change\n')
    repo.git('add', 'src/b.txt')
    repo.write('src/c.txt', 'new, staged\n')
    repo.git('add', 'src/c.txt')
    repo.write('untracked.txt', 'untracked\n')
    const indexFile = join(repo.dir, '.git', 'index')
    const before = {
      status: repo.git('--no-optional-locks', 'status', '--porcelain=v2', '--branch', '--untracked-files=all'),
      staged: repo.git('diff', '--cached'),
      unstaged: repo.git('diff'),
      head: repo.git('rev-parse', 'HEAD'),
      branch: repo.git('symbolic-ref', 'HEAD'),
      index: readFileSync(indexFile),
      indexMtime: statSync(indexFile).mtimeMs,
      branches: repo.git('for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/feature', 'refs/heads/main'),
    }

    const store = storeFor(repo)
    await store.append('incidents', 'INC-1', {type: 'declared', data: {}})
    await store.appendMany([1, 2, 3].map((n) => ({collection: 'changes', recordId: `CHG-${n}`, event: {type: 'opened', data: {}}})))
    await store.collection('changes')

    expect(readFileSync(indexFile).equals(before.index)).toBe(true)
    expect(statSync(indexFile).mtimeMs).toBe(before.indexMtime)
    expect(repo.git('--no-optional-locks', 'status', '--porcelain=v2', '--branch', '--untracked-files=all')).toBe(before.status)
    expect(repo.git('diff', '--cached')).toBe(before.staged)
    expect(repo.git('diff')).toBe(before.unstaged)
    expect(repo.git('rev-parse', 'HEAD')).toBe(before.head)
    expect(repo.git('symbolic-ref', 'HEAD')).toBe(before.branch)
    expect(repo.git('for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/feature', 'refs/heads/main')).toBe(before.branches)
    expect(readFileSync(join(repo.dir, 'src/a.txt'), 'utf8')).toBe('dirty, unstaged\n')
    expect(repo.git('ls-tree', '-r', '--name-only', REF)).not.toContain('src/')
  })

  test('concurrent appends in one clone all land: the compare-and-swap retries a lost race', async () => {
    const repo = tempRepo()
    const a = storeFor(repo, {clock: {now: () => new Date()}})
    const b = storeFor(repo, {clock: {now: () => new Date()}})
    const writes = Array.from({length: 12}, (_, i) => (i % 2 === 0 ? a : b).append('incidents', `INC-${i % 3}`, {type: 'note', data: {i}}))
    const written = await Promise.all(writes)
    const all = [...(await a.collection('incidents')).values()].flat()
    expect(all.map((e) => e.data.i).sort((x, y) => Number(x) - Number(y))).toEqual(Array.from({length: 12}, (_, i) => i))
    expect(new Set(all.map((e) => e.id))).toEqual(new Set(written.map((e) => e.id)))
    expect(repo.git('rev-list', '--count', REF)).toBe('12')
  })

  test('works from a subdirectory of the work tree', async () => {
    const repo = tempRepo()
    repo.commit('feat: nested', {'pkg/deep/x.txt': 'x'})
    const store = storeFor(repo, {cwd: join(repo.dir, 'pkg', 'deep')})
    await store.append('incidents', 'INC-1', {type: 'declared', data: {}})
    await store.append('incidents', 'INC-1', {type: 'note', data: {}})
    expect((await store.events('incidents', 'INC-1')).map((e) => e.type)).toEqual(['declared', 'note'])
    expect(await store.list('incidents')).toEqual(['INC-1'])
  })

  test('falls back to flow <flow@localhost> when git has no identity, and leaves actor out', async () => {
    const repo = tempRepo()
    repo.git('config', '--unset', 'user.name')
    repo.git('config', '--unset', 'user.email')
    const env = Object.fromEntries(Object.entries(repo.env).filter(([k]) => !/^GIT_(AUTHOR|COMMITTER)_/.test(k)))
    const store = storeFor(repo, {env})
    const event = await store.append('incidents', 'INC-1', {type: 'declared', data: {}})
    expect(event.actor).toBeUndefined()
    expect(repo.git('log', '-1', '--format=%an <%ae>|%cn <%ce>', REF)).toBe('flow <flow@localhost>|flow <flow@localhost>')
  })

  test('uses the repository identity from git config', async () => {
    const repo = tempRepo()
    repo.git('config', 'user.name', 'Ana Ops')
    repo.git('config', 'user.email', 'ana@example.com')
    const env = Object.fromEntries(Object.entries(repo.env).filter(([k]) => !/^GIT_(AUTHOR|COMMITTER)_/.test(k)))
    const event = await storeFor(repo, {env}).append('incidents', 'INC-1', {type: 'declared', data: {}})
    expect(event.actor).toBe('ana@example.com')
    expect(repo.git('log', '-1', '--format=%an <%ae>', REF)).toBe('Ana Ops <ana@example.com>')
  })

  test('refuses bad collections and record ids, keeps any other record id inside one encoded directory, and names a corrupt event file', async () => {
    const repo = tempRepo()
    const store = storeFor(repo)
    await expect(store.append('incidents', '', {type: 'x', data: {}})).rejects.toMatchObject({code: 'USAGE'})
    await expect(store.append('incidents', 'a\nb', {type: 'x', data: {}})).rejects.toMatchObject({code: 'USAGE'})
    await expect(store.events('a/b', 'INC-1')).rejects.toBeInstanceOf(FlowError)
    const escaped = await store.append('incidents', '../INC-1', {type: 'x', data: {}})
    expect(repo.git('ls-tree', '-r', '--name-only', REF)).toBe(`incidents/%2E.%2FINC-1/events/${escaped.id}.json`)
    expect(await store.list('incidents')).toEqual(['../INC-1'])
    expect(await store.events('incidents', '../INC-1')).toEqual([escaped])
    repo.git('update-ref', '-d', REF)

    const blob = repo.git('hash-object', '-w', 'README.md')
    const tree = (await new GitCli(repo.dir, repo.env).run(['mktree'], {input: `100644 blob ${blob}\t01BAD.json\n`}))
    const rec = await new GitCli(repo.dir, repo.env).run(['mktree'], {input: `040000 tree ${tree}\tevents\n`})
    const col = await new GitCli(repo.dir, repo.env).run(['mktree'], {input: `040000 tree ${rec}\tINC-9\n`})
    const root = await new GitCli(repo.dir, repo.env).run(['mktree'], {input: `040000 tree ${col}\tincidents\n`})
    repo.git('update-ref', REF, repo.git('commit-tree', root, '-m', 'hand-made'))
    await expect(store.events('incidents', 'INC-9')).rejects.toMatchObject({code: 'RECORDS_INVALID', message: expect.stringContaining('incidents/INC-9/events/01BAD.json')})
  })

  test('4,400 events in four appendMany batches are read back by collection(), over several cat-file processes', async () => {
    const repo = tempRepo()
    const store = storeFor(repo, {clock: {now: () => new Date()}})
    const t0 = performance.now()
    for (let batch = 0; batch < 4; batch++) {
      await store.appendMany(Array.from({length: 1100}, (_, i) => ({
        collection: 'deployments',
        recordId: `DEP-${(batch * 1100 + i) % 200}`,
        event: {type: 'status', data: {batch, i, state: 'success', note: 'ünïcødé ✓'}},
      })))
    }
    const writeMs = performance.now() - t0
    const t1 = performance.now()
    const deployments = await store.collection('deployments')
    const readMs = performance.now() - t1
    const t2 = performance.now()
    const one = await store.events('deployments', 'DEP-7')
    const oneMs = performance.now() - t2
    console.log(`records perf: wrote 4400 events in 4 batches in ${writeMs.toFixed(0)} ms; collection() read them in ${readMs.toFixed(0)} ms; events() of one record in ${oneMs.toFixed(0)} ms`)
    expect(deployments.size).toBe(200)
    expect([...deployments.values()].reduce((n, list) => n + list.length, 0)).toBe(4400)
    // More events than PARALLEL_CAT_FILE_FROM: read in slices, and still each event under its own record.
    for (const [id, events] of deployments) {
      expect(events.every((e) => `DEP-${((e.data.batch as number) * 1100 + (e.data.i as number)) % 200}` === id)).toBe(true)
    }
    expect(one).toHaveLength(22)
    // The same read with a cat-file process started for every 1,000 events listed, while git still lists.
    const sliced = new GitRecordStore(new GitCli(repo.dir, repo.env), fixedClock(), counterIds(), 1000)
    expect(await sliced.collection('deployments')).toEqual(deployments)
    expect(one[0]!.data.note).toBe('ünïcødé ✓')
    expect(readMs).toBeLessThan(2000)
    expect(repo.git('rev-list', '--count', REF)).toBe('4')
  })
})

describe('GitRecordStore failures', () => {
  test('a branch named flow in the way is a clear GIT_FAILED, not endless retries', async () => {
    const repo = tempRepo()
    repo.git('branch', 'flow')
    const error = await storeFor(repo).append('incidents', 'INC-1', {type: 'declared', data: {}}).catch((e: unknown) => e)
    expect(error).toMatchObject({code: 'GIT_FAILED', message: expect.stringContaining('update-ref')})
    expect(repo.ref(REF)).toBeNull()
  })
})

describe('catFileJson', () => {
  test('reads JSON blobs as one array, and gives up (undefined) on a missing object or a blob that is not one JSON value', async () => {
    const repo = tempRepo()
    const git = new GitCli(repo.dir, repo.env)
    const hash = (text: string) => execFileSync('git', ['hash-object', '-w', '--stdin'], {cwd: repo.dir, env: repo.env, input: text}).toString().trim()
    const a = hash('{"id": "a", "n": 1}\n')
    const b = hash('[1, "ü"]')
    const two = hash('{"x": 1}\n,\n{"y": 2}\n')
    const text = hash('not json\n')
    const empty = hash('')
    expect(await catFileJson(git, [a, b, a])).toEqual([{id: 'a', n: 1}, [1, 'ü'], {id: 'a', n: 1}])
    expect(await catFileJson(git, [])).toEqual([])
    expect(await catFileJson(git, [a, 'f'.repeat(40)])).toBeUndefined()
    expect(await catFileJson(git, [a, text])).toBeUndefined()
    expect(await catFileJson(git, [empty, a])).toBeUndefined()
    expect(await catFileJson(git, [two])).toBeUndefined()
  })

  test('an event file that is not JSON is named in a RECORDS_INVALID error, also in a big collection', async () => {
    const repo = tempRepo()
    const store = storeFor(repo)
    await store.appendMany(Array.from({length: 4100}, (_, i) => ({collection: 'deployments', recordId: `DEP-${i % 50}`, event: {type: 'status', data: {i}}})))
    const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], {cwd: repo.dir, env: repo.env, input: 'not json\n'}).toString().trim()
    const git = new GitCli(repo.dir, repo.env)
    const tip = repo.git('rev-parse', REF)
    const tree = await addFilesToTree(git, tip, [{path: 'deployments/DEP-7/events/01BAD.json', sha: blob}])
    const commit = await writeCommit(git, {tree, parents: [tip], message: 'hand-made', identity: {env: {}, email: 't@example.com'}, clock: fixedClock()})
    repo.git('update-ref', REF, commit)
    await expect(store.collection('deployments')).rejects.toMatchObject({code: 'RECORDS_INVALID', message: expect.stringContaining('deployments/DEP-7/events/01BAD.json')})
  })
})
