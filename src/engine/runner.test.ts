import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {hostname, tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, test} from 'vitest'
import {FlowError} from '../core/errors.js'
import {ulidFactory} from '../core/ids.js'
import type {Git, Prompter} from '../core/ports.js'
import {registerSecret} from '../core/redact.js'
import {enginePaths, readJournal, writeFileAtomic} from './journal.js'
import {acquireLock, isProcessAlive} from './lock.js'
import {continueRun, runPlan, type EngineDeps} from './runner.js'
import {abortRun, runStatus} from './status.js'
import type {Journal, Plan, StepKind} from './types.js'
import {undoRun} from './undo.js'

/** Effects of the fake kinds, by list name: what a real kind would do to the world. */
const lists = new Map<string, string[]>()
const attempted = new Set<string>()
const list = (name: string) => lists.get(name) ?? lists.set(name, []).get(name)!

const append: StepKind<{list: string; value: string}> = {
  kind: 'test.append',
  describe: (i) => `Append ${i.value} to ${i.list}`,
  async run(_ctx, i) {
    list(i.list).push(i.value)
    return {length: list(i.list).length}
  },
  async undo(_ctx, i) {
    list(i.list).push(`undo:${i.value}`)
  },
}

const appendIfMissing: StepKind<{list: string; value: string}> = {
  kind: 'test.appendIfMissing',
  describe: (i) => `Append ${i.value} to ${i.list} unless there`,
  isDone: async (_ctx, i) => list(i.list).includes(i.value),
  async run(_ctx, i) {
    list(i.list).push(i.value)
  },
}

const failOnce: StepKind<{key: string; message?: string}> = {
  kind: 'test.failOnce',
  describe: (i) => `Fail once (${i.key})`,
  async run(_ctx, i) {
    if (!attempted.has(i.key)) {
      attempted.add(i.key)
      throw new FlowError('GATE_FAILED', i.message ?? `gate ${i.key} is red`, {hint: 'fix the gate'})
    }
    return {ok: true}
  },
  async undo(_ctx, i) {
    list('undo').push(`failOnce:${i.key}`)
  },
}

const merge: StepKind<{pr: number}> = {
  kind: 'test.merge',
  describe: (i) => `Merge pull request #${i.pr}`,
  async run() {},
  undo: false,
  cannotUndo: 'a merged pull request stays merged',
}

const readsOutput: StepKind<{from: number}> = {
  kind: 'test.readsOutput',
  describe: (i) => `Read the output of step ${i.from + 1}`,
  async run(ctx, i) {
    list('seen').push(JSON.stringify(ctx.outputs[i.from]))
  },
}

/** Says how the run went from its output: a `bad` outcome is the run's verdict. */
const outcome: StepKind<{value: string}> = {
  kind: 'test.outcome',
  describe: (i) => `Record the outcome ${i.value}`,
  async run(_ctx, i) {
    return {outcome: i.value}
  },
  verdict: (_i, output) => (output?.outcome === 'bad' ? {code: 'DEPLOY_FAILED', message: 'it went bad', hint: 'look at it', details: {outcome: 'bad'}} : undefined),
}

const kinds: StepKind[] = [append, appendIfMissing, failOnce, merge, readsOutput, outcome]

/** A git port that knows nothing: the fake kinds declare no refs, so the engine never needs git. */
const noGit = (cwd: string): Git => ({
  cwd,
  run: async () => '',
  exec: async () => ({stdout: '', stderr: '', exitCode: 1}),
})

let dir: string
let flowDir: string
let warnings: string[]
let t = Date.UTC(2026, 0, 1)

function deps(extra: Partial<EngineDeps> = {}): EngineDeps {
  const clock = {now: () => new Date((t += 1000))}
  return {
    cwd: dir,
    git: noGit(dir),
    shell: {run: async () => ({exitCode: 0, stdout: '', stderr: '', timedOut: false, durationMs: 0}), which: async () => undefined},
    reporter: {progress: () => {}, warn: (m) => warnings.push(m), info: () => {}},
    clock,
    ids: ulidFactory(clock),
    forge: () => Promise.reject(new Error('no forge in unit tests')),
    records: () => Promise.reject(new Error('no records in unit tests')),
    repo: async () => ({root: dir, gitDir: join(dir, '.git'), commonDir: join(dir, '.git'), flowDir}),
    stepKinds: async () => kinds,
    ...extra,
  }
}

const plan = (...steps: Plan['steps']): Plan => ({command: 'test run', inputs: {name: 'x'}, steps})
const add = (value: string, name = 'main') => ({kind: 'test.append', input: {list: name, value}})

async function caught(promise: Promise<unknown>): Promise<FlowError> {
  try {
    await promise
  } catch (error) {
    return error as FlowError
  }
  throw new Error('expected a FlowError')
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flow-engine-'))
  flowDir = join(dir, '.git', 'flow')
  lists.clear()
  attempted.clear()
  warnings = []
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

describe('runPlan', () => {
  test('dry run describes the plan and touches nothing: no journal, no lock, no effect', async () => {
    const result = await runPlan(deps(), plan(add('a'), {kind: 'test.merge', input: {pr: 7}}), {dryRun: true})
    expect(result).toEqual({
      runId: null,
      command: 'test run',
      status: 'dry-run',
      steps: [
        {kind: 'test.append', description: 'Append a to main', status: 'pending'},
        {kind: 'test.merge', description: 'Merge pull request #7', status: 'pending'},
      ],
      outputs: [undefined, undefined],
    })
    expect(existsSync(flowDir)).toBe(false)
    expect(lists.size).toBe(0)
  })

  test('runs every step in order, archives the journal as done and releases the lock', async () => {
    const result = await runPlan(deps(), plan(add('a'), add('b'), {kind: 'test.readsOutput', input: {from: 1}}))
    expect(list('main')).toEqual(['a', 'b'])
    expect(list('seen')).toEqual(['{"length":2}'])
    expect(result.status).toBe('done')
    expect(result.outputs).toEqual([{length: 1}, {length: 2}, undefined])
    const paths = enginePaths(flowDir)
    expect(existsSync(paths.current)).toBe(false)
    expect(existsSync(paths.lock)).toBe(false)
    const archived = JSON.parse(readFileSync(join(paths.runs, `${result.runId}.json`), 'utf8')) as Journal
    expect(archived.status).toBe('done')
    expect(archived.steps.map((s) => s.status)).toEqual(['done', 'done', 'done'])
    expect(archived.inputs).toEqual({name: 'x'})
    expect(archived.steps[0]!.attempts).toBe(1)
  })

  test('a step verdict fails the command after the run is archived as done, the same for the first run and for continue', async () => {
    expect((await runPlan(deps(), plan(add('a'), {kind: 'test.outcome', input: {value: 'good'}}))).status).toBe('done')

    const first = await caught(runPlan(deps(), plan(add('b'), {kind: 'test.outcome', input: {value: 'bad'}})))
    expect(first.code).toBe('DEPLOY_FAILED')
    expect(first.exit).toBe(1)
    expect(first.message).toBe('it went bad')
    expect(first.hint).toBe('look at it')
    expect(first.details).toEqual({outcome: 'bad', runId: expect.any(String), command: 'test run'})
    const paths = enginePaths(flowDir)
    expect(existsSync(paths.current)).toBe(false)
    expect(existsSync(paths.lock)).toBe(false)
    expect(JSON.parse(readFileSync(join(paths.runs, `${(first.details as {runId: string}).runId}.json`), 'utf8')).status).toBe('done')

    // Interrupted (paused) before the step that decides: continue ends with the same verdict.
    const paused = await caught(runPlan(deps(), plan(add('c'), {kind: 'test.failOnce', input: {key: 'k'}}, {kind: 'test.outcome', input: {value: 'bad'}})))
    expect(paused.code).toBe('RUN_PAUSED')
    const resumed = await caught(continueRun(deps()))
    expect({code: resumed.code, message: resumed.message, hint: resumed.hint}).toEqual({code: first.code, message: first.message, hint: first.hint})
    expect(existsSync(paths.current)).toBe(false)
    expect((await runStatus(deps())).run).toBeNull()
    // A later step with no verdict does not hide an earlier one; a later good verdict step does.
    expect((await caught(runPlan(deps(), plan({kind: 'test.outcome', input: {value: 'bad'}}, add('d'))))).code).toBe('DEPLOY_FAILED')
    expect((await runPlan(deps(), plan({kind: 'test.outcome', input: {value: 'bad'}}, {kind: 'test.outcome', input: {value: 'good'}}))).status).toBe('done')
  })

  test('an unknown kind in a plan is refused before anything runs', async () => {
    const error = await caught(runPlan(deps(), plan(add('a'), {kind: 'nope.step', input: {}})))
    expect(error.code).toBe('STEP_KIND_UNKNOWN')
    expect(error.message).toContain('nope.step')
    expect(list('main')).toEqual([])
  })

  test('a failing step pauses the run (exit 8, next actions named); continue finishes without repeating step 1', async () => {
    const p = plan(add('a'), {kind: 'test.failOnce', input: {key: 'lint'}}, add('c'))
    const error = await caught(runPlan(deps(), p))
    expect(error.code).toBe('RUN_PAUSED')
    expect(error.exit).toBe(8)
    expect(error.message).toBe('flow test run paused at step 2/3 (Fail once (lint)): gate lint is red')
    expect(error.hint).toBe('fix the gate. Fix the cause, then run flow continue; or flow undo to go back to where you started, or flow abort to stop here.')
    expect(error.details).toEqual({runId: expect.any(String), step: 2, cause: {code: 'GATE_FAILED', message: 'gate lint is red', hint: 'fix the gate'}})
    expect(existsSync(enginePaths(flowDir).lock)).toBe(false)

    const journal = (await readJournal(flowDir))!
    expect(journal.status).toBe('paused')
    expect(journal.cursor).toBe(1)
    expect(journal.steps.map((s) => s.status)).toEqual(['done', 'failed', 'pending'])
    expect(journal.steps[1]!.error).toEqual({code: 'GATE_FAILED', message: 'gate lint is red', hint: 'fix the gate'})

    const again = await caught(runPlan(deps(), plan(add('z'))))
    expect(again.code).toBe('RUN_IN_PROGRESS')
    expect(again.message).toContain('flow test run is paused at step 2/3')
    expect(again.hint).toMatch(/flow continue.*flow undo.*flow abort/)

    const result = await continueRun(deps())
    expect(result.status).toBe('done')
    expect(result.runId).toBe(journal.id)
    expect(list('main')).toEqual(['a', 'c'])
    const archived = JSON.parse(readFileSync(join(enginePaths(flowDir).runs, `${journal.id}.json`), 'utf8')) as Journal
    expect(archived.steps[1]).toMatchObject({status: 'done', attempts: 2})
    expect(archived.steps[1]!.error).toBeUndefined()
  })

  test('a step whose effect is in place is marked done without running (and undo leaves it alone)', async () => {
    list('main').push('a')
    const p = plan({kind: 'test.appendIfMissing', input: {list: 'main', value: 'a'}}, {kind: 'test.appendIfMissing', input: {list: 'main', value: 'b'}}, {kind: 'test.failOnce', input: {key: 'x'}})
    await caught(runPlan(deps(), p))
    expect(list('main')).toEqual(['a', 'b'])
    const journal = (await readJournal(flowDir))!
    expect(journal.steps[0]).toMatchObject({status: 'done', skipped: true})
    expect(journal.steps[1]!.skipped).toBeUndefined()
  })

  test('step errors are redacted in the journal and the message; tokens never land on disk', async () => {
    const token = 'ghp_' + 'a'.repeat(36)
    registerSecret('s3cret-value-123')
    const error = await caught(runPlan(deps(), plan({kind: 'test.failOnce', input: {key: 'k', message: `push to https://x-access-token:${token}@github.com failed, s3cret-value-123`}})))
    expect(error.message).not.toContain(token)
    const text = readFileSync(enginePaths(flowDir).current, 'utf8')
    expect(text).not.toContain(token)
    expect(text).not.toContain('s3cret-value-123')
    expect(text).toContain('***')
  })

  test('a non-FlowError from a step also pauses, with its message kept', async () => {
    const boom: StepKind = {kind: 'test.boom', describe: () => 'Explode', run: async () => { throw new TypeError('cannot read x of undefined') }}
    const error = await caught(runPlan(deps({stepKinds: async () => [...kinds, boom]}), plan({kind: 'test.boom', input: {}})))
    expect(error.code).toBe('RUN_PAUSED')
    expect((error.details as any).cause).toEqual({code: 'INTERNAL', message: 'cannot read x of undefined'})
  })

  test('keeps only the last 20 finished runs', async () => {
    for (let i = 0; i < 23; i++) await runPlan(deps(), plan(add(String(i))))
    const names = readdirSync(enginePaths(flowDir).runs).sort()
    expect(names).toHaveLength(20)
    const last = JSON.parse(readFileSync(join(enginePaths(flowDir).runs, names[19]!), 'utf8')) as Journal
    expect(last.steps[0]!.description).toBe('Append 22 to main')
  })
})

describe('undo and abort', () => {
  test('undo reverses started steps newest first, reports what cannot be undone, and archives as undone', async () => {
    const p = plan(add('a'), {kind: 'test.merge', input: {pr: 3}}, add('b'), {kind: 'test.failOnce', input: {key: 'g'}}, add('never'))
    await caught(runPlan(deps(), p))
    const result = await undoRun(deps())
    expect(list('main')).toEqual(['a', 'b', 'undo:b', 'undo:a'])
    expect(list('undo')).toEqual(['failOnce:g'])
    expect(result.undone.map((s) => s.step)).toEqual([4, 3, 1])
    expect(result.notUndone).toEqual([{step: 2, kind: 'test.merge', description: 'Merge pull request #3', reason: 'a merged pull request stays merged'}])
    expect(result.complete).toBe(false)
    expect(await readJournal(flowDir)).toBeNull()
    const status = await runStatus(deps())
    expect(status.run).toBeNull()
    expect(status.last).toMatchObject({runId: result.runId, status: 'undone'})
    expect(status.last!.steps.map((s) => s.status)).toEqual(['undone', 'done', 'undone', 'undone', 'pending'])
  })

  test('abort stops tracking without undoing; then a new run may start', async () => {
    await caught(runPlan(deps(), plan(add('a'), {kind: 'test.failOnce', input: {key: 'g'}})))
    const result = await abortRun(deps())
    expect(result).toEqual({runId: expect.any(String), command: 'test run', status: 'aborted', step: 2, total: 2})
    expect(list('main')).toEqual(['a'])
    expect((await runStatus(deps())).last?.status).toBe('aborted')
    await runPlan(deps(), plan(add('b')))
    expect(list('main')).toEqual(['a', 'b'])
  })

  test('continue, undo and abort with no run are NO_RUN (exit 1)', async () => {
    for (const action of [continueRun, undoRun, abortRun]) {
      const error = await caught(action(deps()))
      expect(error.code).toBe('NO_RUN')
      expect(error.exit).toBe(1)
    }
  })

  test('undo and abort ask when a person can answer; a no cancels and changes nothing', async () => {
    await caught(runPlan(deps(), plan(add('a'), {kind: 'test.failOnce', input: {key: 'g'}})))
    const asked: string[] = []
    const prompter: Prompter = {canPrompt: true, confirm: async (m) => (asked.push(m), false), input: async () => '', select: async () => '' as never}
    const error = await caught(undoRun({...deps(), prompter, yes: false}))
    expect(error.code).toBe('CANCELLED')
    expect(asked[0]).toMatch(/^Undo 2 step\(s\) of flow test run/)
    expect(list('main')).toEqual(['a'])
    expect((await readJournal(flowDir))!.status).toBe('paused')
    await undoRun({...deps(), prompter, yes: true})
    expect(list('main')).toEqual(['a', 'undo:a'])
  })

  test('an unknown kind in a journal is a clear error naming abort', async () => {
    await caught(runPlan(deps(), plan(add('a'), {kind: 'test.failOnce', input: {key: 'g'}})))
    const error = await caught(continueRun(deps({stepKinds: async () => [append]})))
    expect(error.code).toBe('STEP_KIND_UNKNOWN')
    expect(error.message).toContain('test.failOnce')
    expect(error.hint).toContain('flow abort')
  })
})

describe('journal and lock', () => {
  test('the journal on disk is always whole: during a step it already says running; temp files are ignored', async () => {
    const seen: Journal[] = []
    const peek: StepKind = {
      kind: 'test.peek',
      describe: () => 'Peek at the journal',
      async run() {
        seen.push(JSON.parse(readFileSync(enginePaths(flowDir).current, 'utf8')) as Journal)
      },
    }
    const d = deps({stepKinds: async () => [...kinds, peek]})
    await caught(runPlan(d, plan(add('a'), {kind: 'test.peek', input: {}}, {kind: 'test.failOnce', input: {key: 'g'}})))
    expect(seen[0]!.status).toBe('running')
    expect(seen[0]!.cursor).toBe(1)
    expect(seen[0]!.steps.map((s) => s.status)).toEqual(['done', 'running', 'pending'])
    // a writer killed between writing its temp file and renaming it leaves the temp file behind
    writeFileSync(join(flowDir, '.run.json.99999.deadbeef.tmp'), '{"version": 1, "id": "PARTIAL')
    expect((await readJournal(flowDir))!.status).toBe('paused')
    expect((await runStatus(d)).run?.status).toBe('paused')
    await continueRun(d)
    expect(existsSync(join(flowDir, '.run.json.99999.deadbeef.tmp'))).toBe(isProcessAlive(99999))
  })

  test('atomic writes: a reader racing many writers never sees a partial file', async () => {
    const path = join(dir, 'x.json')
    const big = (n: number) => JSON.stringify({n, pad: 'x'.repeat(200_000)})
    await writeFileAtomic(path, big(0))
    let reads = 0
    let stop = false
    const reader = (async () => {
      while (!stop) {
        JSON.parse(readFileSync(path, 'utf8'))
        reads++
        await new Promise((r) => setImmediate(r))
      }
    })()
    for (let i = 1; i <= 40; i++) await writeFileAtomic(path, big(i))
    stop = true
    await reader
    expect(reads).toBeGreaterThan(0)
    expect(JSON.parse(readFileSync(path, 'utf8')).n).toBe(40)
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([])
  })

  test('a journal left finished by a crash during archiving is archived, not reported as a run', async () => {
    await caught(runPlan(deps(), plan({kind: 'test.failOnce', input: {key: 'g'}})))
    const journal = (await readJournal(flowDir))!
    writeFileSync(enginePaths(flowDir).current, JSON.stringify({...journal, status: 'done'}))
    expect((await runStatus(deps())).run).toBeNull()
    await runPlan(deps(), plan(add('a')))
    expect(existsSync(join(enginePaths(flowDir).runs, `${journal.id}.json`))).toBe(true)
  })

  test('a second process is refused with RUN_LOCKED naming the holder', async () => {
    const release = await acquireLock(flowDir, 'feature finish', deps())
    try {
      const error = await caught(runPlan(deps(), plan(add('a'))))
      expect(error.code).toBe('RUN_LOCKED')
      expect(error.message).toMatch(new RegExp(`^another flow run \\(pid ${process.pid}, \`flow feature finish\`, started .+\\) is in progress in this worktree$`))
      expect(error.hint).toContain(enginePaths(flowDir).lock)
      expect(list('main')).toEqual([])
      const status = await runStatus(deps())
      expect(status.lock).toMatchObject({pid: process.pid, command: 'feature finish', alive: true})
    } finally {
      await release()
    }
    await runPlan(deps(), plan(add('a')))
    expect(list('main')).toEqual(['a'])
  })

  test('of racing runs exactly one takes the lock, which holds who it is while the step runs', async () => {
    let lockSeen: unknown
    const slow: StepKind = {
      kind: 'test.slow',
      describe: () => 'Wait a little',
      async run() {
        lockSeen = JSON.parse(readFileSync(enginePaths(flowDir).lock, 'utf8'))
        await new Promise((r) => setTimeout(r, 50))
      },
    }
    const d = deps({stepKinds: async () => [...kinds, slow]})
    const results = await Promise.allSettled(Array.from({length: 5}, () => runPlan(d, plan({kind: 'test.slow', input: {}}))))
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const codes = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as FlowError).code] : []))
    expect(codes).toEqual(['RUN_LOCKED', 'RUN_LOCKED', 'RUN_LOCKED', 'RUN_LOCKED'])
    expect(lockSeen).toEqual({pid: process.pid, host: hostname(), command: 'test run', startedAt: expect.stringMatching(/^2026-/)})
    expect(readdirSync(flowDir).filter((n) => n !== 'runs' && n !== 'history.jsonl')).toEqual([])
    // Only the run that held the lock finished, so the history holds one line.
    expect(readFileSync(join(flowDir, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))).toEqual([expect.objectContaining({type: 'run', command: 'test run', status: 'done'})])
  })

  test('a stale lock (same host, process gone) is removed with a warning', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!
    mkdirSync(flowDir, {recursive: true})
    writeFileSync(enginePaths(flowDir).lock, JSON.stringify({pid: dead, host: hostname(), command: 'release cut', startedAt: '2026-01-01T00:00:00.000Z'}))
    await runPlan(deps(), plan(add('a')))
    expect(list('main')).toEqual(['a'])
    expect(warnings.join('\n')).toContain(`Removed a stale lock: flow release cut (pid ${dead}`)
    expect(existsSync(enginePaths(flowDir).lock)).toBe(false)
  })

  test('a lock from another host is respected: its pid cannot be checked here', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!
    await runPlan(deps(), plan(add('warm-up')))
    writeFileSync(enginePaths(flowDir).lock, JSON.stringify({pid: dead, host: 'other-host', command: 'env deploy', startedAt: '2026-01-01T00:00:00.000Z'}))
    const error = await caught(runPlan(deps(), plan(add('a'))))
    expect(error.code).toBe('RUN_LOCKED')
    expect(error.message).toContain('on other-host')
  })
})
