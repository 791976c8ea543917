import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, test, vi} from 'vitest'
import {FlowError} from '../core/errors.js'
import {ulidFactory} from '../core/ids.js'
import type {Git} from '../core/ports.js'
import {readJournal} from './journal.js'
import {continueRun, runPlan, type EngineDeps} from './runner.js'
import type {Journal, Plan, StepKind} from './types.js'

// How the engine overlaps a step's snapshot after its effect with the next step's checks, and which journal writes
// it makes: every write the engine asks for (the archive aside) is recorded here, in order.

const writes: Journal[] = []
vi.mock('./journal.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('./journal.js')>()
  return {
    ...original,
    writeJournalText: async (flowDir: string, text: string) => {
      writes.push(JSON.parse(text) as Journal)
      await original.writeJournalText(flowDir, text)
    },
  }
})

/** What happened, in order: git calls starting and ending, checks and effects. */
let events: string[]
/** The refs of the fake repository. */
let refs: Map<string, string>
/** Fails the for-each-ref call with this number (1-based), once. */
let failCall = 0
let dir: string
let flowDir: string

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A git port that answers for-each-ref from `refs`, slowly (20 ms), logging when each call starts and ends. */
function fakeGit(cwd: string): Git {
  let calls = 0
  const run = async (args: string[]): Promise<string> => {
    if (args[0] !== 'for-each-ref') throw new Error(`unexpected git ${args.join(' ')}`)
    const n = ++calls
    const names = args.slice(args.indexOf('--') + 1)
    events.push(`snapshot ${names.join(',')} start`)
    await sleep(20)
    events.push(`snapshot ${names.join(',')} end`)
    if (n === failCall) throw new FlowError('GIT_FAILED', 'git for-each-ref failed: disk on fire')
    return names.filter((name) => refs.has(name)).map((name) => `${refs.get(name)} ${name}`).join('\n')
  }
  // Any other question (the checkout the run starts from) is answered as in a repository without commits.
  return {cwd, run, exec: async (args) => (args[0] === 'for-each-ref' ? {stdout: await run(args), stderr: '', exitCode: 0} : {stdout: '', stderr: '', exitCode: 1})}
}

/** Sets a ref; with `checked`, it can tell whether that is done already (isDone), else not. */
function setRef(kind: string, checked: boolean): StepKind<{ref: string; value: string}> {
  return {
    kind,
    describe: (i) => `Set ${i.ref} to ${i.value}`,
    refs: (i) => [i.ref],
    ...(checked
      ? {
          isDone: async (_ctx, i) => {
            events.push(`isDone ${i.ref}`)
            return refs.get(i.ref) === i.value
          },
        }
      : {}),
    async run(_ctx, i) {
      events.push(`run ${i.ref}`)
      refs.set(i.ref, i.value)
      return {set: i.value}
    },
  }
}

/** isDone and prepare, each taking a while, logging when they start and end. */
const slowChecks: StepKind<{done: boolean; failPrepare?: boolean}> = {
  kind: 'test.slowChecks',
  describe: () => 'Slow checks',
  async isDone(_ctx, i) {
    events.push('isDone start')
    await sleep(20)
    events.push('isDone end')
    return i.done
  },
  async prepare(_ctx, i) {
    events.push('prepare start')
    await sleep(20)
    events.push('prepare end')
    if (i.failPrepare) throw new Error('prepare broke')
    return {ready: true}
  },
  async run() {
    events.push('run slow')
  },
}

const kinds = [setRef('test.set', true), setRef('test.setBlind', false), slowChecks]

function deps(): EngineDeps {
  let t = Date.UTC(2026, 0, 1)
  const clock = {now: () => new Date((t += 1000))}
  return {
    cwd: dir,
    git: fakeGit(dir),
    shell: {run: async () => ({exitCode: 0, stdout: '', stderr: '', timedOut: false, durationMs: 0}), which: async () => undefined},
    reporter: {progress: () => {}, warn: () => {}, info: () => {}},
    clock,
    ids: ulidFactory(clock),
    forge: () => Promise.reject(new Error('no forge')),
    records: () => Promise.reject(new Error('no records')),
    repo: async () => ({root: dir, gitDir: join(dir, '.git'), commonDir: join(dir, '.git'), flowDir}),
    stepKinds: async () => kinds,
  }
}

const plan = (...steps: Plan['steps']): Plan => ({command: 'test overlap', inputs: {}, steps})
const statuses = (j: Journal) => j.steps.map((s) => s.status)

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flow-overlap-'))
  flowDir = join(dir, '.git', 'flow')
  writes.length = 0
  events = []
  refs = new Map()
  failCall = 0
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

describe('the snapshot after a step overlaps the next step\'s checks', () => {
  test('the next checks start before the snapshot ends; each step is written done with its values after, before the next runs', async () => {
    const result = await runPlan(deps(), plan(
      {kind: 'test.set', input: {ref: 'refs/heads/a', value: '1'}},
      {kind: 'test.setBlind', input: {ref: 'refs/heads/b', value: '2'}},
      {kind: 'test.set', input: {ref: 'refs/heads/c', value: '3'}},
    ))
    expect(result.status).toBe('done')
    // a's snapshot after its effect (the second for-each-ref of a) is still running when b's checks begin
    const afterA = events.lastIndexOf('snapshot refs/heads/a end')
    expect(events.indexOf('snapshot refs/heads/b start')).toBeLessThan(afterA)
    expect(events.indexOf('isDone refs/heads/c')).toBeLessThan(events.lastIndexOf('snapshot refs/heads/b end'))
    // every effect comes after the write that says its step is running, with the previous step done in full
    expect(writes.map(statuses)).toEqual([
      ['running', 'pending', 'pending'],
      // a has isDone: written done together with b running (a kill in between is recovered by asking isDone)
      ['done', 'running', 'pending'],
      // b has no isDone: written done on its own as soon as its snapshot is in (continue must not run it again)
      ['done', 'done', 'pending'],
      ['done', 'done', 'running'],
    ])
    expect(writes[1]!.steps[0]).toMatchObject({refsBefore: {'refs/heads/a': null}, refsAfter: {'refs/heads/a': '1'}, output: {set: '1'}})
    expect(writes[2]!.steps[1]).toMatchObject({refsBefore: {'refs/heads/b': null}, refsAfter: {'refs/heads/b': '2'}})
    expect(writes[3]!.steps[2]).toMatchObject({refsBefore: {'refs/heads/c': null}, attempts: 1})
    expect(writes.map((w) => w.cursor)).toEqual([0, 1, 2, 2])
    expect(result.steps.map((s) => s.refsAfter)).toEqual([{'refs/heads/a': '1'}, {'refs/heads/b': '2'}, {'refs/heads/c': '3'}])
  })

  test('a snapshot after an effect that fails pauses at that step; the next step\'s checks are dropped; continue finishes', async () => {
    // for-each-ref calls: 1 a before, 2 a after (fails), 3 b before (concurrent), ...
    failCall = 2
    const error = await runPlan(deps(), plan(
      {kind: 'test.set', input: {ref: 'refs/heads/a', value: '1'}},
      {kind: 'test.set', input: {ref: 'refs/heads/b', value: '2'}},
    )).catch((e: unknown) => e as FlowError)
    expect(error).toMatchObject({code: 'RUN_PAUSED', message: expect.stringMatching(/^flow test overlap paused at step 1\/2 \(Set refs\/heads\/a to 1\): git for-each-ref failed: disk on fire/)})
    const journal = (await readJournal(flowDir))!
    expect(journal).toMatchObject({status: 'paused', cursor: 0})
    expect(statuses(journal)).toEqual(['failed', 'pending'])
    expect(journal.steps[0]).toMatchObject({refsBefore: {'refs/heads/a': null}, refsAfter: {'refs/heads/a': '1'}})
    expect(journal.steps[1]!.refsBefore).toBeUndefined()
    expect(events).not.toContain('run refs/heads/b')
    failCall = 0
    const resumed = await continueRun(deps())
    expect(resumed.status).toBe('done')
    expect(resumed.steps[0]).toMatchObject({status: 'done', refsBefore: {'refs/heads/a': null}, refsAfter: {'refs/heads/a': '1'}})
    expect(resumed.steps[0]!.skipped).toBeUndefined()
    expect(refs.get('refs/heads/b')).toBe('2')
  })
})

describe('prepare is asked with isDone', () => {
  test('on the first attempt both start at once; what prepare found is journaled before the effect', async () => {
    await runPlan(deps(), plan({kind: 'test.slowChecks', input: {done: false}}))
    expect(events.indexOf('prepare start')).toBeLessThan(events.indexOf('isDone end'))
    expect(events.indexOf('isDone start')).toBeLessThan(events.indexOf('prepare end'))
    expect(events.at(-1)).toBe('run slow')
    expect(writes[0]!.steps[0]).toMatchObject({status: 'running', prepared: {ready: true}})
  })

  test('a step done already ignores what prepare found, even a failure; a prepare failure otherwise pauses', async () => {
    const done = await runPlan(deps(), plan({kind: 'test.slowChecks', input: {done: true, failPrepare: true}}))
    expect(done.steps[0]).toMatchObject({status: 'done', skipped: true})
    expect(done.steps[0]!.prepared).toBeUndefined()
    expect(events).not.toContain('run slow')

    const paused = await runPlan(deps(), plan({kind: 'test.slowChecks', input: {done: false, failPrepare: true}})).catch((e: unknown) => e as FlowError)
    expect(paused).toMatchObject({code: 'RUN_PAUSED', message: expect.stringMatching(/prepare broke/)})
    expect(statuses((await readJournal(flowDir))!)).toEqual(['failed'])
  })
})
