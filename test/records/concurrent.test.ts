import {describe, expect, onTestFinished, test} from 'vitest'
import type {RecordEvent} from '../../src/core/ports.js'
import {syncRecords, type RecordsSyncResult} from '../../src/core/records/sync.js'
import {start} from '../helpers/git-http-server.js'
import {runSteps, stepDeps} from '../helpers/run-steps.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'

const REF = 'refs/heads/flow/records'

const sync = (clone: TempRepo): Promise<RecordsSyncResult> => syncRecords(stepDeps(clone.dir, clone.env), {remote: 'origin'}, runSteps)

/** Every event file id on a ref, as listed by git (a duplicate would show twice). */
function eventIds(repo: TempRepo, cwd: string): string[] {
  return repo.gitIn(cwd, 'ls-tree', '-r', '--name-only', REF).split('\n').filter(Boolean).map((p) => p.split('/').pop()!.replace(/\.json$/, '')).sort()
}

function isAncestor(repo: TempRepo, cwd: string, ancestor: string, descendant: string): boolean {
  try {
    repo.gitIn(cwd, 'merge-base', '--is-ancestor', ancestor, descendant)
    return true
  } catch {
    return false
  }
}

/**
 * Two clones write at once: in A two writers race in the SAME clone (two store instances, like two processes),
 * interleaved with B's writers; single appends and appendMany batches, several records shared by both sides.
 */
async function writeConcurrently(a: TempRepo, b: TempRepo): Promise<string[]> {
  const clock = {now: () => new Date()}
  const a1 = stepDeps(a.dir, a.env, {clock}).store
  const a2 = stepDeps(a.dir, a.env, {clock}).store
  const b1 = stepDeps(b.dir, b.env, {clock}).store
  const b2 = stepDeps(b.dir, b.env, {clock}).store
  const writer = async (store: typeof a1, who: string, count: number): Promise<RecordEvent[]> => {
    const out: RecordEvent[] = []
    for (let i = 0; i < count; i++) {
      if (i % 3 === 2) {
        out.push(...(await store.appendMany([
          {collection: 'incidents', recordId: `INC-${i % 2}`, event: {type: 'note', data: {who, i}}},
          {collection: 'changes', recordId: `CHG-${who}`, event: {type: 'note', data: {who, i}}},
        ])))
      } else {
        out.push(await store.append('incidents', `INC-${i % 2}`, {type: 'note', data: {who, i}}))
      }
    }
    return out
  }
  const written = await Promise.all([writer(a1, 'a1', 6), writer(a2, 'a2', 6), writer(b1, 'b1', 6), writer(b2, 'b2', 4)])
  return written.flat().map((e) => e.id).sort()
}

describe('two clones writing and syncing at the same time', () => {
  test.each([
    ['A, B, A', ['a', 'b', 'a']],
    ['B, A, B', ['b', 'a', 'b']],
  ])('syncing in the order %s leaves both with every event exactly once', async (_name, order) => {
    const repo = tempRepo()
    const clones = {a: repo.clone('a'), b: repo.clone('b')}
    const expected = await writeConcurrently(clones.a, clones.b)
    expect(expected).toHaveLength(6 + 2 + 6 + 2 + 6 + 2 + 4 + 1)
    expect(new Set(expected).size).toBe(expected.length)
    expect(eventIds(repo, clones.a.dir).length + eventIds(repo, clones.b.dir).length).toBe(expected.length)

    for (const name of order) {
      const clone = clones[name as 'a' | 'b']
      const before = clone.ref(REF)!
      const result = await sync(clone)
      expect(isAncestor(repo, clone.dir, before, result.localAfter!)).toBe(true)
      expect(result.localBefore).toBe(before)
    }

    expect(eventIds(repo, clones.a.dir)).toEqual(expected)
    expect(eventIds(repo, clones.b.dir)).toEqual(expected)
    expect(eventIds(repo, repo.origin)).toEqual(expected)
    expect(clones.a.ref(REF)).toBe(clones.b.ref(REF))
    const folded = await stepDeps(clones.b.dir, clones.b.env).store.collection('incidents')
    expect([...folded.values()].flat().map((e) => e.id).every((id) => expected.includes(id))).toBe(true)
  })

  test('both syncing at once: the loser of the push race fetches, merges and pushes again; nothing is lost', async () => {
    const repo = tempRepo()
    const a = repo.clone('a')
    const b = repo.clone('b')
    const expected = await writeConcurrently(a, b)
    const before = {a: a.ref(REF)!, b: b.ref(REF)!}
    const results = await Promise.all([sync(a), sync(b)])
    expect(results.every((r) => r.pushed)).toBe(true)
    expect(eventIds(repo, repo.origin)).toEqual(expected)
    expect(isAncestor(repo, a.dir, before.a, a.ref(REF)!)).toBe(true)
    expect(isAncestor(repo, b.dir, before.b, b.ref(REF)!)).toBe(true)

    await sync(a)
    await sync(b)
    expect(eventIds(repo, a.dir)).toEqual(expected)
    expect(eventIds(repo, b.dir)).toEqual(expected)
    expect(a.ref(REF)).toBe(b.ref(REF))
  })

  test('over the HTTP remote, with a push rejected once because the other clone pushed in between', async () => {
    const repo = tempRepo()
    const token = 'ghp_concurrenttoken0123456789abcdefABCD'
    const server = await start({root: repo.scratch, token})
    onTestFinished(() => server.close())
    const a = repo.clone('a')
    const b = repo.clone('b')
    a.git('remote', 'set-url', 'origin', `${server.url.replace('http://', `http://alice:${token}@`)}/origin.git`)
    b.git('remote', 'set-url', 'origin', `${server.url.replace('http://', `http://bob:${token}@`)}/origin.git`)
    const expected = await writeConcurrently(a, b)

    let taken = false
    const hold = server.hold((r) => {
      if (taken || r.user !== 'alice' || r.service !== 'git-receive-pack') return false
      taken = true
      return true
    })
    const aSync = sync(a)
    await hold.arrived
    const bResult = await sync(b)
    expect(bResult).toMatchObject({pushed: true})
    hold.release()
    const aResult = await aSync
    expect(aResult).toMatchObject({pushed: true, merged: true})
    expect(server.requests.filter((r) => r.user === 'alice' && r.service === 'git-receive-pack' && r.phase === 'advertise').length).toBeGreaterThanOrEqual(2)
    expect(eventIds(repo, repo.origin)).toEqual(expected)
    expect(eventIds(repo, a.dir)).toEqual(expected)

    await sync(b)
    expect(eventIds(repo, b.dir)).toEqual(expected)
    expect(a.ref(REF)).toBe(b.ref(REF))
  })
})
