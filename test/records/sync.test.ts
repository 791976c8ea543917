import {rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, onTestFinished, test} from 'vitest'
import type {Git} from '../../src/core/ports.js'
import {recordsMergeKind, recordsPushKind, recordsStepKinds} from '../../src/core/records/sync-steps.js'
import {planRecordsSync, syncRecords} from '../../src/core/records/sync.js'
import type {JournalStep} from '../../src/engine/types.js'
import {start} from '../helpers/git-http-server.js'
import {runStep, runSteps, stepContext, stepDeps} from '../helpers/run-steps.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'

const REF = 'refs/heads/flow/records'
const TRACKING = 'refs/flow/remotes/origin/records'

function clones(...names: string[]) {
  const repo = tempRepo()
  return {repo, clones: names.map((name) => repo.clone(name))}
}

const depsOf = (clone: TempRepo) => stepDeps(clone.dir, clone.env)
const sync = (clone: TempRepo, remote = 'origin') => syncRecords(depsOf(clone), {remote}, runSteps)
const eventFiles = (repo: TempRepo, cwd: string, ref = REF) => repo.gitIn(cwd, 'ls-tree', '-r', '--name-only', ref).split('\n').filter(Boolean).sort()

describe('records sync', () => {
  test('first push: the remote has no records branch yet', async () => {
    const {repo, clones: [a]} = clones('a')
    await depsOf(a!).store.append('incidents', 'INC-1', {type: 'declared', data: {}})
    const local = a!.ref(REF)
    const result = await sync(a!)
    expect(result).toEqual({
      remote: 'origin', fetched: false, merged: false, pushed: true,
      localBefore: local, localAfter: local, remoteAfter: local, events: {added: 0, total: 1},
    })
    expect(repo.ref(REF, repo.origin)).toBe(local)
    expect(a!.ref(TRACKING)).toBe(local)
  })

  test('first fetch: a clone without the branch fast-forwards to the remote and pushes nothing', async () => {
    const {repo, clones: [a, b]} = clones('a', 'b')
    await depsOf(a!).store.appendMany([1, 2, 3].map((n) => ({collection: 'changes', recordId: `CHG-${n}`, event: {type: 'opened', data: {}}})))
    await sync(a!)
    const result = await sync(b!)
    expect(result).toMatchObject({fetched: true, merged: true, pushed: false, localBefore: null, localAfter: a!.ref(REF), remoteAfter: a!.ref(REF), events: {added: 3, total: 3}})
    expect(eventFiles(repo, b!.dir)).toEqual(eventFiles(repo, a!.dir))
  })

  test('diverged clones (even unrelated orphan branches) merge into a commit with both parents holding both sides', async () => {
    const {repo, clones: [a, b]} = clones('a', 'b')
    await depsOf(a!).store.append('incidents', 'INC-1', {type: 'declared', data: {}})
    await depsOf(b!).store.append('incidents', 'INC-1', {type: 'note', data: {}})
    await depsOf(b!).store.append('changes', 'CHG-1', {type: 'opened', data: {}})
    await sync(a!)
    const bBefore = b!.ref(REF)!
    const result = await sync(b!)
    expect(result).toMatchObject({fetched: true, merged: true, pushed: true, events: {added: 1, total: 3}})
    const parents = b!.git('rev-list', '--parents', '-n', '1', REF).split(' ').slice(1)
    expect(new Set(parents)).toEqual(new Set([bBefore, a!.ref(REF)]))
    expect(b!.git('log', '-1', '--format=%s', REF)).toBe('flow: merge records from origin')
    expect(eventFiles(repo, b!.dir)).toHaveLength(3)
    expect(repo.ref(REF, repo.origin)).toBe(b!.ref(REF))

    const back = await sync(a!)
    expect(back).toMatchObject({fetched: true, merged: true, pushed: false, events: {added: 2, total: 3}})
    expect(a!.ref(REF)).toBe(b!.ref(REF))

    const idle = await sync(a!)
    expect(idle).toMatchObject({fetched: true, merged: false, pushed: false, events: {added: 0, total: 3}})
  })

  test('a clone that is only ahead fast-forwards the remote; a remote branch deleted since is pushed again', async () => {
    const {repo, clones: [a]} = clones('a')
    const store = depsOf(a!).store
    await store.append('incidents', 'INC-1', {type: 'declared', data: {}})
    await sync(a!)
    await store.append('incidents', 'INC-1', {type: 'resolved', data: {}})
    expect(await sync(a!)).toMatchObject({merged: false, pushed: true})
    expect(a!.git('rev-list', '--merges', '--count', REF)).toBe('0')
    repo.gitIn(repo.origin, 'update-ref', '-d', REF)
    expect(await sync(a!)).toMatchObject({fetched: false, merged: false, pushed: true})
    expect(repo.ref(REF, repo.origin)).toBe(a!.ref(REF))
  })

  test('no remote is REMOTE_MISSING with a hint, before anything runs', async () => {
    const {clones: [a]} = clones('a')
    await expect(planRecordsSync(depsOf(a!), {remote: 'upstream'})).rejects.toMatchObject({
      code: 'REMOTE_MISSING', hint: expect.stringContaining('origin'),
    })
    a!.git('remote', 'remove', 'origin')
    await expect(sync(a!)).rejects.toMatchObject({code: 'REMOTE_MISSING', hint: expect.stringContaining('git remote add origin')})
    await expect(sync(a!, '--upload-pack=evil')).rejects.toMatchObject({code: 'USAGE'})
  })

  test('an unreachable remote is a one-line REMOTE_UNREACHABLE', async () => {
    const {clones: [a]} = clones('a')
    await depsOf(a!).store.append('incidents', 'INC-1', {type: 'declared', data: {}})
    a!.git('remote', 'set-url', 'origin', 'http://127.0.0.1:9/nothing.git')
    const error = await sync(a!).catch((e: unknown) => e)
    expect(error).toMatchObject({code: 'REMOTE_UNREACHABLE', message: expect.stringMatching(/^Could not fetch from origin: .*127\.0\.0\.1/)})
    expect((error as Error).message).not.toContain('\n')
  })

  test('a network failure halfway (the push connection dropped) fails clearly; the next sync finishes', async () => {
    const {repo, clones: [a]} = clones('a')
    const server = await start({root: repo.scratch})
    onTestFinished(() => server.close())
    a!.git('remote', 'set-url', 'origin', `${server.url}/origin.git`)
    await depsOf(a!).store.append('incidents', 'INC-1', {type: 'declared', data: {}})
    server.failNext((r) => r.service === 'git-receive-pack' && r.phase === 'rpc', 'drop')
    await expect(sync(a!)).rejects.toMatchObject({code: 'REMOTE_UNREACHABLE', message: expect.stringContaining('Could not push to origin')})
    expect(repo.ref(REF, repo.origin)).toBeNull()
    expect(await sync(a!)).toMatchObject({pushed: true})
    expect(repo.ref(REF, repo.origin)).toBe(a!.ref(REF))
  })

  test('a ref lock left by a killed git process is named (not reported as a race); once removed, the sync finishes', async () => {
    const {repo, clones: [a, b]} = clones('a', 'b')
    await depsOf(b!).store.append('incidents', 'INC-1', {type: 'declared', data: {}})
    await sync(b!)
    const deps = depsOf(a!)
    await deps.store.append('incidents', 'INC-2', {type: 'declared', data: {}})
    const before = a!.ref(REF)
    const lock = join(a!.dir, '.git', 'refs', 'heads', 'flow', 'records.lock')
    writeFileSync(lock, '')
    const locked = {code: 'GIT_FAILED', message: `flow/records is locked by ${lock}`, hint: expect.stringContaining(`remove ${lock}`)}
    await expect(sync(a!)).rejects.toMatchObject(locked)
    await expect(deps.store.append('incidents', 'INC-3', {type: 'declared', data: {}})).rejects.toMatchObject(locked)
    expect(a!.ref(REF)).toBe(before)

    rmSync(lock)
    expect(await sync(a!)).toMatchObject({merged: true, pushed: true, events: {total: 2}})
    const entry: JournalStep = {kind: 'records.merge', description: '', status: 'done', refsBefore: {[REF]: before}, refsAfter: {[REF]: a!.ref(REF)}}
    writeFileSync(lock, '')
    await expect((recordsMergeKind.undo as any)(stepContext(deps), {remote: 'origin'}, entry)).rejects.toMatchObject(locked)
    rmSync(lock)
    await (recordsMergeKind.undo as any)(stepContext(deps), {remote: 'origin'}, entry)
    expect(a!.ref(REF)).toBe(before)
    expect(repo.ref(REF, repo.origin)).not.toBe(before)
  })

  test('a remote that wants a token is FORGE_AUTH when git has none', async () => {
    const {repo, clones: [a]} = clones('a')
    const server = await start({root: repo.scratch, token: 'ghp_sometoken0123456789abcdefABCDEF01'})
    onTestFinished(() => server.close())
    a!.git('remote', 'set-url', 'origin', `${server.url}/origin.git`)
    await depsOf(a!).store.append('incidents', 'INC-1', {type: 'declared', data: {}})
    await expect(sync(a!)).rejects.toMatchObject({code: 'FORGE_AUTH', message: expect.stringContaining('authentication failed')})
    a!.git('remote', 'set-url', 'origin', `${server.url.replace('http://', 'http://x-access-token:ghp_sometoken0123456789abcdefABCDEF01@')}/origin.git`)
    expect(await sync(a!)).toMatchObject({pushed: true})
  })

  test('a push rejected because someone pushed between fetch and push is retried; five rejections give up', async () => {
    const {repo, clones: [a, b]} = clones('a', 'b')
    const bStore = depsOf(b!).store
    let interfere = 1
    const deps = depsOf(a!)
    const real = deps.git
    const racing: Git = {
      cwd: real.cwd,
      run: (args, options) => real.run(args, options),
      exec: async (args, options) => {
        if (args[0] === 'push' && interfere-- > 0) {
          await bStore.append('incidents', `INC-B${interfere}`, {type: 'declared', data: {}})
          await syncRecords(depsOf(b!), {remote: 'origin'}, runSteps)
        }
        return real.exec(args, options)
      },
    }
    deps.git = racing
    await deps.store.append('incidents', 'INC-A', {type: 'declared', data: {}})
    const result = await syncRecords(deps, {remote: 'origin'}, runSteps)
    expect(result).toMatchObject({pushed: true, merged: true})
    expect(eventFiles(repo, repo.origin)).toHaveLength(2)
    expect(repo.ref(REF, repo.origin)).toBe(a!.ref(REF))

    await deps.store.append('incidents', 'INC-A2', {type: 'declared', data: {}})
    interfere = 5
    await expect(syncRecords(deps, {remote: 'origin'}, runSteps)).rejects.toMatchObject({code: 'RECORDS_CONFLICT', message: expect.stringContaining('rejected 5 times')})
    interfere = 0
    await syncRecords(deps, {remote: 'origin'}, runSteps)
    expect(eventFiles(repo, repo.origin)).toEqual(eventFiles(repo, a!.dir))
    expect(eventFiles(repo, a!.dir)).toHaveLength(8)
  })

  test('the steps: isDone, undo of the merge, and a push that says it cannot be undone', async () => {
    const {clones: [a, b]} = clones('a', 'b')
    await depsOf(a!).store.append('incidents', 'INC-1', {type: 'declared', data: {}})
    await sync(a!)
    const deps = depsOf(b!)
    await deps.store.append('incidents', 'INC-2', {type: 'declared', data: {}})
    const before = b!.ref(REF)
    const ctx = stepContext(deps)
    const input = {remote: 'origin'}

    expect(await recordsMergeKind.isDone!(ctx, input)).toBe(true)
    await runStep(deps, {kind: 'records.fetch', input})
    expect(await recordsMergeKind.isDone!(ctx, input)).toBe(false)
    expect(await recordsPushKind.isDone!(ctx, input)).toBe(false)
    const merged = await runStep(deps, {kind: 'records.merge', input})
    expect(merged.output).toMatchObject({merged: 'merge', before})
    expect(await recordsMergeKind.isDone!(ctx, input)).toBe(true)
    expect(await runStep(deps, {kind: 'records.merge', input})).toEqual({skipped: true})

    const entry: JournalStep = {kind: 'records.merge', description: '', status: 'done', refsBefore: {[REF]: before}, refsAfter: {[REF]: b!.ref(REF)}}
    await (recordsMergeKind.undo as NonNullable<Exclude<typeof recordsMergeKind.undo, false>>)(ctx, input, entry)
    expect(b!.ref(REF)).toBe(before)

    await runStep(deps, {kind: 'records.merge', input})
    await deps.store.append('incidents', 'INC-3', {type: 'declared', data: {}})
    await expect((recordsMergeKind.undo as any)(ctx, input, {...entry, refsAfter: {[REF]: b!.git('rev-parse', `${REF}~1`)}})).rejects.toMatchObject({code: 'UNDO_IMPOSSIBLE'})

    await runStep(deps, {kind: 'records.push', input})
    expect(await recordsPushKind.isDone!(ctx, input)).toBe(true)
    expect(recordsPushKind.undo).toBe(false)
    expect(recordsPushKind.cannotUndo).toBe('records are append-only; pushed events stay on the remote')
    expect(recordsStepKinds.map((k) => [k.kind, k.describe(input)])).toEqual([
      ['records.fetch', 'Fetch flow/records from origin'],
      ['records.merge', 'Merge the records of origin into flow/records'],
      ['records.push', 'Push flow/records to origin'],
    ])
    expect(recordsPushKind.refs!(input, ctx)).toEqual([REF, TRACKING])
  })

  test('--dry-run describes the plan and changes nothing', async () => {
    const {repo, clones: [a]} = clones('a')
    await depsOf(a!).store.append('incidents', 'INC-1', {type: 'declared', data: {}})
    const result = await syncRecords(depsOf(a!), {remote: 'origin', dryRun: true}, runSteps)
    expect(result).toMatchObject({dryRun: true, fetched: false, pushed: false, events: {added: 0, total: 1}})
    expect(result.steps!.map((s) => s.description)).toEqual(['Fetch flow/records from origin', 'Merge the records of origin into flow/records', 'Push flow/records to origin'])
    expect(repo.ref(REF, repo.origin)).toBeNull()
    expect(a!.ref(TRACKING)).toBeNull()
  })
})

describe('records sync against a protected remote', () => {
  test('a push refused by a hook is GIT_FAILED naming the refusal, and is not retried', async () => {
    const {repo, clones: [a]} = clones('a')
    const hook = `${repo.origin}/hooks/pre-receive`
    const {writeFileSync, chmodSync} = await import('node:fs')
    writeFileSync(hook, '#!/bin/sh\necho "flow/records is protected" >&2\nexit 1\n')
    chmodSync(hook, 0o755)
    await depsOf(a!).store.append('incidents', 'INC-1', {type: 'declared', data: {}})
    await expect(sync(a!)).rejects.toMatchObject({code: 'GIT_FAILED', message: expect.stringContaining('origin refused flow/records')})
    expect(repo.ref(REF, repo.origin)).toBeNull()
  })
})
