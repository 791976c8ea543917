import {describe, expect, test} from 'vitest'
import {MemoryRecordStore, countingIds, steppingClock} from '../../../test/helpers/memory-record-store.js'
import type {Forge} from '../ports.js'
import type {StepContext} from '../../engine/types.js'
import {changeEventKind, createChangeKind, decideKind, followUpKind, loadChange} from './steps.js'

function context(store: MemoryRecordStore, forge: Partial<Forge> = {}): StepContext {
  const clock = steppingClock('2026-06-10T09:00:00.000Z')
  return {
    cwd: '/', git: undefined as never, shell: undefined as never, reporter: {progress: () => {}, warn: () => {}, info: () => {}},
    clock, ids: countingIds(), forge: async () => forge as Forge, records: async () => store, outputs: [],
  }
}

const data = (title: string) => ({type: 'normal', title, author: 'author@example.com', binding: {kind: 'branch', branch: 'feature/x', base: 'main'}, environments: [], services: []})

describe('change step kinds', () => {
  test('change.create numbers CHG-1, CHG-2 and is done once its event exists (a resumed run does not write it twice)', async () => {
    const store = new MemoryRecordStore()
    const ctx = context(store)
    expect(await createChangeKind.run(ctx, {op: 'op-1', data: data('first')})).toEqual({id: 'CHG-1'})
    expect(await createChangeKind.isDone!(ctx, {op: 'op-1', data: data('first')})).toEqual({id: 'CHG-1'})
    expect(await createChangeKind.isDone!(ctx, {op: 'op-2', data: data('second')})).toBe(false)
    expect(await createChangeKind.run(ctx, {op: 'op-2', data: data('second')})).toEqual({id: 'CHG-2'})
    expect(await store.list('changes')).toEqual(['CHG-1', 'CHG-2'])
  })

  test('undo of change.create withdraws the change; events name their root; decisions and follow-ups are recorded once', async () => {
    const store = new MemoryRecordStore()
    const created: string[] = []
    const ctx = context(store, {createIssue: async (input) => {
      created.push(input.title)
      return {number: 7, url: 'flow://issues/ISSUE-7', title: input.title, body: input.body, state: 'open', labels: input.labels ?? []}
    }})
    await createChangeKind.run(ctx, {op: 'op-1', data: data('first')})
    const decide = {changeId: 'CHG-1', op: 'op-2', decision: 'approved' as const, by: 'alice@example.com', comment: 'ok'}
    expect(await decideKind.isDone!(ctx, decide)).toBe(false)
    await decideKind.run(ctx, decide)
    expect(await decideKind.isDone!(ctx, decide)).toBe(true)
    const follow = {changeId: 'CHG-1', op: 'op-3', title: 'Review after: CHG-1', body: 'b', labels: ['change-review']}
    await followUpKind.run(ctx, follow)
    expect(await followUpKind.isDone!(ctx, follow)).toBe(true)
    await changeEventKind.run(ctx, {changeId: 'CHG-1', op: 'op-4', type: 'closed', data: {code: 'successful', by: 'author@example.com'}})
    const {change, record} = await loadChange(store, 'CHG-1')
    expect(change).toMatchObject({status: 'closed', decisions: [{by: 'alice@example.com', via: 'local', comment: 'ok'}], followUp: {number: 7}})
    expect(record.events.slice(1).every((e) => (e.data as {root?: string}).root === record.rootId)).toBe(true)
    expect(created).toEqual(['Review after: CHG-1'])

    await createChangeKind.run(ctx, {op: 'op-5', data: data('second')})
    await (createChangeKind.undo as NonNullable<Exclude<typeof createChangeKind.undo, false>>)(ctx, {op: 'op-5', data: data('second')}, {kind: 'change.create', description: '', status: 'done', output: {id: 'CHG-2'}})
    expect((await loadChange(store, '2')).change.status).toBe('withdrawn')
  })

  test('loadChange refuses ids that are not change ids, and names a missing change', async () => {
    const store = new MemoryRecordStore()
    await expect(loadChange(store, 'INC-1')).rejects.toMatchObject({code: 'USAGE'})
    await expect(loadChange(store, 'CHG-4')).rejects.toMatchObject({code: 'FORGE_NOT_FOUND', message: 'There is no change CHG-4'})
  })
})
