import {describe, expect, test} from 'vitest'
import {MemoryRecordStore} from '../../../test/helpers/memory-record-store.js'
import type {Forge, ForgeIssue, ShellResult} from '../ports.js'
import type {StepContext} from '../../engine/types.js'
import {marker, mirrorCommentStep, mirrorIssueStep, notifyStep, recordStep} from './steps.js'

/** A forge with just the issue and comment calls incidents use, counting what it creates. */
function issueForge() {
  const issues: ForgeIssue[] = []
  const comments: Array<{id: number; issue: number; body: string; url: string}> = []
  const forge = {
    kind: 'github', describe: 'fake',
    async createIssue(input: {title: string; body: string; labels?: string[]}) {
      const issue = {number: issues.length + 1, url: `https://x/issues/${issues.length + 1}`, title: input.title, body: input.body, state: 'open' as const, labels: input.labels ?? []}
      issues.push(issue)
      return issue
    },
    async findIssues() {
      return issues
    },
    async addComment(issue: number, body: string) {
      const c = {id: comments.length + 1, issue, body, url: `https://x/c/${comments.length + 1}`}
      comments.push(c)
      return c
    },
    async listComments(issue: number) {
      return comments.filter((c) => c.issue === issue)
    },
  } as unknown as Forge
  return {forge, issues, comments}
}

function context(store: MemoryRecordStore, forge?: Forge, shell?: (cmd: string[] | string) => ShellResult): StepContext {
  return {
    cwd: '/nowhere', git: undefined as never, reporter: {progress: () => {}, warn: () => {}, info: () => {}},
    shell: {run: async (cmd) => shell!(cmd), which: async () => undefined},
    clock: {now: () => new Date('2026-03-01T10:00:00Z')}, ids: {ulid: () => 'X'},
    forge: async () => forge!, records: async () => store, outputs: [],
  }
}

async function declared(store: MemoryRecordStore) {
  const ctx = context(store)
  const input = {recordId: 'INC-1', key: 'K1', events: [{type: 'declared', data: {title: 'T', severity: 'sev1'}}], describe: 'declare'}
  await recordStep.run(ctx, input)
  return {ctx, input}
}

describe('incident steps', () => {
  test('incident.record is done once its key is on the record, so a resumed run never writes twice', async () => {
    const store = new MemoryRecordStore()
    const {ctx, input} = await declared(store)
    expect(await recordStep.isDone!(ctx, input)).toEqual({eventId: expect.any(String)})
    const root = (await store.events('incidents', 'INC-1'))[0]!
    const note = {recordId: 'INC-1', ref: {key: 'K1'}, key: 'K2', events: [{type: 'note', data: {text: 'a'}}, {type: 'note', data: {text: 'b'}}], describe: 'note'}
    expect(await recordStep.isDone!(ctx, note)).toBe(false)
    await recordStep.run(ctx, note)
    const events = await store.events('incidents', 'INC-1')
    expect(events.slice(1).map((e) => e.data)).toEqual([{text: 'a', key: 'K2', root: root.id}, {text: 'b', key: 'K2/1', root: root.id}])
  })

  test('a comment posted before a crash (not yet recorded) is found by its marker, not posted again', async () => {
    const store = new MemoryRecordStore()
    const {forge, comments} = issueForge()
    const {ctx: base} = await declared(store)
    const ctx = {...base, forge: async () => forge}
    const issueInput = {ref: {key: 'K1'}, marker: 'K1', title: 'INC-1: T', body: 'b', labels: ['incident', 'sev:sev1']}
    await mirrorIssueStep.run(ctx, issueInput)
    expect(await mirrorIssueStep.isDone!(ctx, issueInput)).toEqual({issue: 1, url: 'https://x/issues/1'})
    await forge.addComment(1, `Note: hello\n\n${marker('event', 'E1')}`)
    const input = {ref: {key: 'K1'}, event: 'E1', body: 'Note: hello'}
    expect(await mirrorCommentStep.isDone!(ctx, input)).toEqual({comment: '1'})
    expect(await mirrorCommentStep.isDone!(ctx, input)).toBe(true)
    expect(comments).toHaveLength(1)
  })

  test('an issue created before a crash (not yet recorded) is found by its marker', async () => {
    const store = new MemoryRecordStore()
    const {forge, issues} = issueForge()
    const {ctx: base} = await declared(store)
    const ctx = {...base, forge: async () => forge}
    await forge.createIssue({title: 'INC-1: T', body: `b\n\n${marker('incident', 'K1')}`, labels: ['incident']})
    expect(await mirrorIssueStep.isDone!(ctx, {ref: {key: 'K1'}, marker: 'K1', title: 'x', body: 'b', labels: ['incident']})).toEqual({issue: 1, url: 'https://x/issues/1'})
    expect(issues).toHaveLength(1)
    expect((await store.events('incidents', 'INC-1')).map((e) => e.type)).toEqual(['declared', 'mirrored'])
  })

  test('a failing notify command pauses with its exit code and last line; a successful one is recorded once', async () => {
    const store = new MemoryRecordStore()
    await declared(store)
    const input = {ref: {key: 'K1'}, run: 'K1#0', command: ['./notify.sh', 'T'], env: {}, display: './notify.sh {title}'}
    const failing = context(store, undefined, () => ({exitCode: 3, stdout: '', stderr: 'no route to chat\n', timedOut: false, durationMs: 1}))
    await expect(notifyStep.run(failing, input)).rejects.toMatchObject({code: 'COMMAND_FAILED', message: 'The notify command ./notify.sh {title} exited 3: no route to chat'})
    const calls: Array<string[] | string> = []
    const ok = context(store, undefined, (cmd) => (calls.push(cmd), {exitCode: 0, stdout: '', stderr: '', timedOut: false, durationMs: 1}))
    expect(await notifyStep.isDone!(ok, input)).toBe(false)
    await notifyStep.run(ok, input)
    expect(await notifyStep.isDone!(ok, input)).toBe(true)
    expect(calls).toEqual([['./notify.sh', 'T']])
  })
})
