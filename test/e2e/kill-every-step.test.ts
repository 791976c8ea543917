import {type ChildProcess} from 'node:child_process'
import {chmodSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, test, type ExpectStatic, type TestContext} from 'vitest'
import {syncRecords} from '../../src/core/records/sync.js'
import type {Journal} from '../../src/engine/types.js'
import {runFlow, startFlow, type FlowRun} from '../helpers/e2e.js'
import {start, type GitHttpRequest, type GitHttpServer} from '../helpers/git-http-server.js'
import {runSteps, stepDeps} from '../helpers/run-steps.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'

// The acceptance proof of the engine on the built binary: `flow records sync` (fetch, merge, push) is held inside
// each of its steps by the outside world (the HTTP remote, or a git hook), SIGKILLed there, and the held effect
// then lands or does not land after flow died. From each of those six states `flow continue` must finish the sync
// and `flow undo` must bring the clone back to where it started. Nothing in src/ knows about any of this.
// Not covered here: a kill between two steps, or after the last one but before the journal is archived. No git
// process runs between those journal writes, so nothing outside flow can hold it there; the engine's own tests
// (test/engine/crash.test.ts, src/engine/runner.test.ts) cover those journals in-process.

const REF = 'refs/heads/flow/records'
const TRACKING = 'refs/flow/remotes/origin/records'
const POLL_MS = 20
const WAIT_MS = 20_000

type Point = 'fetch' | 'merge' | 'push'
/** What becomes of the held git work once flow is dead: it finishes, it fails, or it is SIGKILLed too. */
type Effect = 'lands' | 'is lost' | 'is killed too'

const STEP: Record<Point, number> = {fetch: 1, merge: 2, push: 3}
const isUploadPack = (r: GitHttpRequest) => r.service === 'git-upload-pack' && r.phase === 'rpc'
const isReceivePack = (r: GitHttpRequest) => r.service === 'git-receive-pack' && r.phase === 'rpc'

/** One clone A ready to sync, the remote it syncs with, and what both looked like before. */
interface Scene {
  repo: TempRepo
  a: TempRepo
  server: GitHttpServer
  /** Event file paths written by A only, and those already on the remote (B's and the shared one). */
  aEvents: string[]
  remoteEvents: string[]
  before: {local: string; tracking: string; remote: string; checkout: string}
  /** Files the reference-transaction hook of A watches. */
  hook: {armed: string; entered: string; release: string}
}

async function until(check: () => boolean, what: string | (() => string), timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`)
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
}

/** A process, by pid and start time (so a pid reused later is never taken for it). */
interface Proc {
  pid: number
  start: string
  name: string
}

/** The processes of this machine by pid, with their parent, state and start time, from /proc. */
function processTable(): Map<number, Proc & {ppid: number; state: string}> {
  const table = new Map<number, Proc & {ppid: number; state: string}>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const close = stat.lastIndexOf(')')
      // After the name: state, ppid, ..., starttime (the 22nd field of the line, the 20th after the name).
      const fields = stat.slice(close + 2).split(' ')
      table.set(Number(entry), {pid: Number(entry), ppid: Number(fields[1]), state: fields[0]!, start: fields[19]!, name: stat.slice(stat.indexOf('(') + 1, close)})
    } catch {
      // the process ended while the table was read
    }
  }
  return table
}

/** Every process below pid (children, grandchildren, ...). */
function descendants(pid: number): Proc[] {
  const table = processTable()
  const found: Proc[] = []
  const queue = [pid]
  while (queue.length > 0) {
    const parent = queue.shift()!
    for (const info of table.values()) {
      if (info.ppid === parent) {
        found.push({pid: info.pid, start: info.start, name: info.name})
        queue.push(info.pid)
      }
    }
  }
  return found
}

/** The processes of a list that are still running (a zombie has finished). */
function stillRunning(procs: Proc[]): Proc[] {
  const table = processTable()
  return procs.filter((p) => {
    const now = table.get(p.pid)
    return now !== undefined && now.start === p.start && now.state !== 'Z'
  })
}

const names = (procs: Proc[]) => procs.map((p) => `${p.pid} ${p.name}`).join(', ')

function killAll(procs: Proc[]): void {
  for (const {pid} of stillRunning(procs)) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
}

function eventFiles(repo: TempRepo, cwd: string, ref: string | null): string[] {
  if (!ref) return []
  return repo.gitIn(cwd, 'ls-tree', '-r', '--name-only', ref).split('\n').filter((p) => /\/events\/[^/]+\.json$/.test(p)).sort()
}

/** What must never change in A: HEAD, the checked-out branch, the index and the work tree (with a staged and an unstaged change). */
function checkout(a: TempRepo): string {
  return [
    a.git('rev-parse', 'HEAD'),
    a.git('symbolic-ref', 'HEAD'),
    a.git('status', '--porcelain=v1', '--untracked-files=all'),
    a.git('ls-files', '--stage'),
    a.git('diff'),
    a.git('diff', '--cached'),
  ].join('\n--\n')
}

async function makeScene(ctx: TestContext): Promise<Scene> {
  const repo = tempRepo({keep: true})
  ctx.onTestFinished(() => rmSync(repo.scratch, {recursive: true, force: true}))
  const server = await start({root: repo.scratch})
  ctx.onTestFinished(() => server.close())
  const b = repo.clone('b')
  const a = repo.clone('a')
  const depsA = stepDeps(a.dir, a.env)
  const depsB = stepDeps(b.dir, b.env)
  const paths = (events: Array<{id: string}>, where: Array<[string, string]>) => events.map((e, i) => `${where[i]![0]}/${where[i]![1]}/events/${e.id}.json`)

  // A shared start (so the merge has a base), then A and B each write events; B syncs, A does not.
  const shared = await depsB.store.append('incidents', 'INC-1', {type: 'declared', data: {title: 'Checkout 500s'}})
  await syncRecords(depsB, {remote: 'origin'}, runSteps)
  await syncRecords(depsA, {remote: 'origin'}, runSteps)
  const aWhere: Array<[string, string]> = [['incidents', 'INC-1'], ['changes', 'CHG-7']]
  const bWhere: Array<[string, string]> = [['incidents', 'INC-1'], ['incidents', 'INC-2']]
  const aEvents = paths(await depsA.store.appendMany(aWhere.map(([collection, recordId]) => ({collection, recordId, event: {type: 'note', data: {by: 'a'}}}))), aWhere)
  const bEvents = paths(await depsB.store.appendMany(bWhere.map(([collection, recordId]) => ({collection, recordId, event: {type: 'note', data: {by: 'b'}}}))), bWhere)
  await syncRecords(depsB, {remote: 'origin'}, runSteps)

  a.git('remote', 'set-url', 'origin', `${server.url}/origin.git`)
  a.write('README.md', '# changed, not staged\n')
  a.write('notes.txt', 'staged, not committed\n')
  a.git('add', 'notes.txt')

  const hook = {armed: join(repo.scratch, 'hook-armed'), entered: join(repo.scratch, 'hook-entered'), release: join(repo.scratch, 'hook-release')}
  // git runs it for every ref transaction ($1 = prepared|committed|aborted, "<old> <new> <ref>" lines on stdin).
  // Armed, it holds the first prepared update of flow/records; the exit status it is released with decides
  // whether git commits the update (0) or aborts it (1).
  const script = join(a.dir, '.git', 'hooks', 'reference-transaction')
  writeFileSync(script, `#!/bin/sh
lines=$(cat)
[ "$1" = prepared ] || exit 0
printf '%s\\n' "$lines" | grep -q ' ${REF}$' || exit 0
[ -e '${hook.armed}' ] || exit 0
rm -f '${hook.armed}'
touch '${hook.entered}'
while [ ! -s '${hook.release}' ]; do sleep 0.02; done
exit "$(cat '${hook.release}')"
`)
  chmodSync(script, 0o755)

  const scene: Scene = {
    repo, a, server, aEvents,
    remoteEvents: [`incidents/INC-1/events/${shared.id}.json`, ...bEvents].sort(),
    before: {local: a.ref(REF)!, tracking: a.ref(TRACKING)!, remote: repo.ref(REF, repo.origin)!, checkout: checkout(a)},
    hook,
  }
  if (eventFiles(repo, a.dir, REF).length !== 3 || eventFiles(repo, repo.origin, REF).length !== 3) throw new Error('the scene is not what the test expects')
  return scene
}

/** Waits for a promise, failing early when flow exits first (it never reached the hold) or on a timeout. */
async function reach<T>(what: Promise<T>, child: ChildProcess, output: () => string, point: Point): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const exited = new Promise<never>((_resolve, reject) => child.once('exit', (code, signal) => {
    reject(new Error(`flow exited (${signal ?? code}) before it was held in records.${point}:\n${output()}`))
  }))
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${WAIT_MS} ms waiting for flow to be held in records.${point}:\n${output()}`)), WAIT_MS)
  })
  try {
    return await Promise.race([what, exited, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Runs `flow records sync` until it is inside the step and SIGKILLs the flow process (only it); then the held git
 * work goes on without it and its effect lands, or it fails, or it is SIGKILLed as well. Returns once every git
 * process flow left behind has ended, after checking that the effect did (or did not) happen.
 */
async function killInside(ctx: TestContext, scene: Scene, point: Point, effect: Effect): Promise<void> {
  const {a, server, hook} = scene
  const expect = ctx.expect
  const held = point === 'fetch' ? server.hold(isUploadPack) : point === 'push' ? server.hold(isReceivePack) : undefined
  if (point === 'merge') writeFileSync(hook.armed, '')
  const child = startFlow(['records', 'sync', '--json'], {cwd: a.dir, env: a.env})
  let output = ''
  child.stdout?.on('data', (d) => (output += d))
  child.stderr?.on('data', (d) => (output += d))
  const exit = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)))
  let orphans: Proc[] = []
  ctx.onTestFinished(() => {
    // Whatever happened to the test, no process it started outlives it.
    const alive = child.exitCode === null && child.signalCode === null
    const below = alive ? descendants(child.pid!) : []
    if (alive) child.kill('SIGKILL')
    writeFileSync(hook.release, '1')
    killAll([...orphans, ...below])
  })

  const request = held ? await reach(held.arrived, child, () => output, point) : undefined
  if (point === 'merge') await reach(until(() => existsSync(hook.entered), 'the reference-transaction hook'), child, () => output, point)

  // The journal says the held step is running (and the ones before it done) at the moment of the kill.
  const journal = JSON.parse(readFileSync(join(a.dir, '.git', 'flow', 'run.json'), 'utf8')) as Journal
  expect(journal.steps.map((s) => s.status)).toEqual([1, 2, 3].map((n) => (n < STEP[point] ? 'done' : n === STEP[point] ? 'running' : 'pending')))
  orphans = descendants(child.pid!)
  expect(orphans.length, 'flow has a git process under way').toBeGreaterThan(0)
  child.kill('SIGKILL')
  expect(await exit).toBe('SIGKILL')
  if (effect === 'is killed too') {
    killAll(orphans)
    await until(() => stillRunning(orphans).length === 0, () => `the git processes to die (${names(stillRunning(orphans))})`)
    return
  }

  if (point === 'merge') {
    writeFileSync(hook.release, effect === 'lands' ? '0' : '1')
  } else {
    if (effect === 'is lost') server.failNext(point === 'fetch' ? isUploadPack : isReceivePack, point === 'fetch' ? 500 : 'drop')
    held!.release()
  }
  await until(() => stillRunning(orphans).length === 0, () => `the git processes flow left behind to end (${names(stillRunning(orphans))})`)
  if (point === 'fetch' && effect === 'is lost') expect(request!.status).toBe(500)

  // The held effect did (or did not) happen after flow died.
  const {repo, before} = scene
  const lands = effect === 'lands'
  if (point === 'fetch') expect(a.ref(TRACKING)).toBe(lands ? before.remote : before.tracking)
  if (point === 'merge') {
    expect(a.ref(REF) === before.local).toBe(!lands)
    if (lands) expect(a.git('rev-list', '--parents', '-n', '1', REF).split(' ')).toHaveLength(3)
  }
  if (point === 'push') expect(repo.ref(REF, repo.origin)).toBe(lands ? a.ref(REF) : before.remote)
  if (point !== 'push') expect(repo.ref(REF, repo.origin)).toBe(before.remote)
  expect(existsSync(`${join(a.dir, '.git', REF)}.lock`), 'no stale lock on flow/records').toBe(false)
}

const flow = (scene: Scene, ...args: string[]): Promise<FlowRun> => runFlow(args, {cwd: scene.a.dir, env: scene.a.env})

function expectNoRun(expect: ExpectStatic, scene: Scene, status: FlowRun, last: 'done' | 'undone'): void {
  expect(existsSync(join(scene.a.dir, '.git', 'flow', 'run.json')), 'the journal is archived').toBe(false)
  expect(status.exitCode, status.stderr).toBe(0)
  expect(status.json).toMatchObject({run: null, last: {command: 'records sync', status: last}, next: []})
}

const cases: Array<[Point, Effect]> = [
  ['fetch', 'lands'], ['fetch', 'is lost'],
  ['merge', 'lands'], ['merge', 'is lost'],
  ['push', 'lands'], ['push', 'is lost'],
]

describe.concurrent('flow records sync SIGKILLed inside each step (built binary)', () => {
  for (const [point, effect] of cases) {
    const step = STEP[point]

    test(`in records.${point}, whose effect then ${effect}: status shows it paused, flow continue finishes the sync`, async (ctx) => {
      const {expect} = ctx
      const scene = await makeScene(ctx)
      const {a, repo, before} = scene
      await killInside(ctx, scene, point, effect)

      const status = await flow(scene, 'status', '--json')
      expect(status.exitCode, status.stderr).toBe(0)
      expect(status.json.run).toMatchObject({command: 'records sync', status: 'paused', interrupted: true, pidAlive: false, step, total: 3})
      expect(status.json.run.steps[step - 1]).toMatchObject({kind: `records.${point}`, status: 'running'})
      expect(status.json.next).toEqual(['flow continue', 'flow undo', 'flow abort'])

      const resumed = await flow(scene, 'continue', '--json')
      expect(resumed.exitCode, resumed.stderr).toBe(0)
      expect(resumed.json).toMatchObject({command: 'records sync', status: 'done'})
      expect(resumed.json.steps.map((s: {status: string}) => s.status)).toEqual(['done', 'done', 'done'])

      const local = a.ref(REF)!
      expect(eventFiles(repo, a.dir, local)).toEqual([...scene.aEvents, ...scene.remoteEvents].sort())
      expect(repo.ref(REF, repo.origin)).toBe(local)
      // A finished sync leaves the remote's tip in the tracking ref; after a push that landed while flow was dead,
      // continue only checks the remote (the push step is done), so the ref keeps what the fetch saw: older, never wrong.
      expect(a.ref(TRACKING)).toBe(point === 'push' && effect === 'lands' ? before.remote : local)
      expect(a.git('merge-base', '--is-ancestor', before.local, local)).toBe('')
      expect(a.git('merge-base', '--is-ancestor', before.remote, local)).toBe('')
      // The merge happened once, whatever happened to its first attempt.
      expect(a.git('rev-list', '--merges', '--count', `${before.local}..${local}`)).toBe('1')
      expect(checkout(a)).toBe(before.checkout)
      expectNoRun(expect, scene, await flow(scene, 'status', '--json'), 'done')
    })

    test(`in records.${point}, whose effect then ${effect}: flow undo goes back to the start`, async (ctx) => {
      const {expect} = ctx
      const scene = await makeScene(ctx)
      const {a, repo, before} = scene
      await killInside(ctx, scene, point, effect)
      const pushed = point === 'push' && effect === 'lands' ? repo.ref(REF, repo.origin) : null

      const undo = await flow(scene, 'undo', '--json')
      expect(undo.exitCode, undo.stderr).toBe(0)
      expect(undo.json).toMatchObject({command: 'records sync', status: 'undone', checkout: {branch: 'main', restored: false}})
      expect(a.ref(REF)).toBe(before.local)
      expect(a.ref(TRACKING)).toBe(before.tracking)
      if (pushed) {
        // Records are append-only: the push that landed stays, and undo says so.
        expect(undo.json.complete).toBe(false)
        expect(undo.json.notUndone).toEqual([{step: 3, kind: 'records.push', description: 'Push flow/records to origin', reason: expect.stringContaining('append-only')}])
        expect(repo.ref(REF, repo.origin)).toBe(pushed)
      } else {
        expect(undo.json.complete).toBe(true)
        expect(undo.json.notUndone).toEqual([])
        expect(repo.ref(REF, repo.origin)).toBe(before.remote)
      }
      expect(undo.json.undone.map((s: {step: number}) => s.step)).toEqual([3, 2, 1].filter((n) => n <= step && !(pushed && n === 3)))
      expect(checkout(a)).toBe(before.checkout)
      expectNoRun(expect, scene, await flow(scene, 'status', '--json'), 'undone')
    })
  }
})

// A SIGKILL of the whole process group (a closed terminal, a stopped container) also kills the `git update-ref`
// that holds the ref's lock file: git never removes it, and only a person can tell that no git process is running.
describe.concurrent('flow records sync SIGKILLed with its git processes inside records.merge (a stale ref lock)', () => {
  const lockOf = (scene: Scene) => join(scene.a.dir, '.git', `${REF}.lock`)

  test('continue pauses naming the lock file; once it is removed, continue finishes the sync', async (ctx) => {
    const {expect} = ctx
    const scene = await makeScene(ctx)
    const {a, repo, before} = scene
    await killInside(ctx, scene, 'merge', 'is killed too')
    const lock = lockOf(scene)
    expect(existsSync(lock), 'git update-ref was killed holding its lock').toBe(true)

    const stuck = await flow(scene, 'continue', '--json')
    expect(stuck.exitCode, stuck.stderr).toBe(8)
    expect(stuck.json.error).toMatchObject({code: 'RUN_PAUSED', details: {step: 2, cause: {
      code: 'GIT_FAILED', message: `flow/records is locked by ${lock}`, hint: expect.stringContaining(`remove ${lock}`),
    }}})
    expect(a.ref(REF)).toBe(before.local)
    const status = await flow(scene, 'status', '--json')
    expect(status.json.run).toMatchObject({status: 'paused', step: 2, error: {code: 'GIT_FAILED'}})
    expect(status.json.run.interrupted).toBeUndefined()

    rmSync(lock)
    const resumed = await flow(scene, 'continue', '--json')
    expect(resumed.exitCode, resumed.stderr).toBe(0)
    expect(eventFiles(repo, a.dir, a.ref(REF))).toEqual([...scene.aEvents, ...scene.remoteEvents].sort())
    expect(repo.ref(REF, repo.origin)).toBe(a.ref(REF))
    expect(checkout(a)).toBe(before.checkout)
    expectNoRun(expect, scene, await flow(scene, 'status', '--json'), 'done')
  })

  test('undo goes back to the start and leaves the lock file to the user', async (ctx) => {
    const {expect} = ctx
    const scene = await makeScene(ctx)
    const {a, repo, before} = scene
    await killInside(ctx, scene, 'merge', 'is killed too')
    const undo = await flow(scene, 'undo', '--json')
    expect(undo.exitCode, undo.stderr).toBe(0)
    expect(undo.json).toMatchObject({complete: true, notUndone: [], undone: [{step: 2, note: 'it had not taken effect'}, {step: 1}]})
    expect(a.ref(REF)).toBe(before.local)
    expect(a.ref(TRACKING)).toBe(before.tracking)
    expect(repo.ref(REF, repo.origin)).toBe(before.remote)
    expect(existsSync(lockOf(scene))).toBe(true)
    expect(checkout(a)).toBe(before.checkout)
    expectNoRun(expect, scene, await flow(scene, 'status', '--json'), 'undone')
  })
})
