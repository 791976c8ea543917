import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {runFlow, startFlow, type FlowRun} from '../helpers/e2e.js'
import {githubSpec} from '../helpers/fake-github/spec.js'
import {count, harm, limiter} from '../helpers/reliability.js'
import {COMMANDS, copyScene, inProcess, prepare, refs, resume, undo, type CommandCase, type Prepared, type Scene} from '../helpers/reliability-scenes.js'

// The built binary SIGKILLed at every step boundary of every command in COMMANDS: a preload (journal-tap.mjs) kills
// the process right after its Nth journal write (the plan, each step's `running`, each step's `done`, the final
// state), so the kill lands exactly between two steps. The boundaries are found by recording a clean run's journal
// writes, never listed by hand. Afterwards `flow continue` must finish with exactly one pull request / merge /
// release, and `flow undo` must bring every ref of the clone and of origin back, ref by ref (minus what undo says it
// could not undo). Also: a kill in the middle of a running gate.

const TAP = join(import.meta.dirname, '..', 'helpers', 'journal-tap.mjs')
const FULL = process.env.FLOW_RELIABILITY_FULL === '1'
const TUNING = {FLOW_GITHUB_TIMEOUT_MS: '5000', FLOW_GITHUB_RETRY_BASE_MS: '5'}

const prepared = new Map<string, Prepared>()
beforeAll(async () => {
  await githubSpec()
  for (const c of COMMANDS) prepared.set(c.name, await prepare(c))
})
afterAll(async () => {
  for (const p of prepared.values()) await p.dispose()
})

const flow = (scene: Scene, args: string[], env: Record<string, string> = {}): Promise<FlowRun> =>
  runFlow(args, {cwd: scene.repo.dir, env: {...scene.env, ...TUNING, ...env}})

interface Refs {local: Record<string, string>; origin: Record<string, string>}
const allRefs = (scene: Scene): Refs => ({local: refs(scene.repo), origin: refs(scene.repo, scene.repo.origin)})

/** Refs that differ between two snapshots, as `where ref: before → after`. */
function refDiff(before: Refs, after: Refs): string[] {
  const out: string[] = []
  for (const where of ['local', 'origin'] as const) {
    const names = new Set([...Object.keys(before[where]), ...Object.keys(after[where])])
    for (const name of [...names].sort()) {
      // The record store is append-only by design: undo never rewinds it.
      if (name === 'refs/heads/flow/records' || name.startsWith('refs/flow/')) continue
      if (before[where][name] !== after[where][name]) out.push(`${where} ${name}: ${before[where][name] ?? '(none)'} → ${after[where][name] ?? '(none)'}`)
    }
  }
  return out
}

/** The journal writes of a clean run: one line per write, with each step's status. */
type Finished = (fn: () => Promise<void>) => void

async function boundaries(c: CommandCase, onFinished: Finished): Promise<Array<{n: number; steps: string[]}>> {
  const scene = await copyScene(prepared.get(c.name)!, {}, onFinished)
  const log = join(scene.repo.scratch, 'journal.log')
  const run = await flow(scene, c.argv, {NODE_OPTIONS: `--import ${TAP}`, FLOW_TEST_JOURNAL_LOG: log})
  if (run.exitCode !== 0) throw new Error(`a clean ${c.name} failed: ${run.stderr}`)
  return readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
}

type Variant = 'continue' | 'undo'
interface Outcome {label: string; problems: string[]}

async function killAt(c: CommandCase, n: number, variant: Variant, at: string, onFinished: Finished): Promise<Outcome> {
  const label = `${c.name} killed after journal write ${n} (${at}), then ${variant}`
  const scene = await copyScene(prepared.get(c.name)!, {}, onFinished)
  const start = allRefs(scene)
  const problems: string[] = []
  const killed = await flow(scene, c.argv, {NODE_OPTIONS: `--import ${TAP}`, FLOW_TEST_KILL_AT: String(n)})
  if (killed.signal !== 'SIGKILL') return {label, problems: [`not killed: exit ${killed.exitCode} ${killed.stderr}`]}
  count('killPoints')
  if (variant === 'continue') {
    // continue and undo run in-process (the same services the binary's commands call), to keep the sweep cheap.
    const resumed = await inProcess(scene, resume, TUNING)
    if (resumed.exit !== 0) problems.push(`continue exit ${resumed.exit}: ${JSON.stringify(resumed.error)}`)
    const made = c.made(scene)
    if (harm('duplicates', made > 1)) problems.push(`${made} ${c.thing}s`)
    if (made === 0) problems.push(`no ${c.thing}`)
  } else {
    const undone = await inProcess(scene, undo, TUNING)
    if (undone.exit !== 0) problems.push(`undo exit ${undone.exit}: ${JSON.stringify(undone.error)}`)
    const diff = refDiff(start, allRefs(scene))
    // What undo honestly reports it could not undo (a merge on GitHub) may stay; any other ref must be back.
    const notUndone: Array<{kind: string}> = (undone.result as {notUndone?: Array<{kind: string}>} | undefined)?.notUndone ?? []
    if (diff.length > 0 && (notUndone.length === 0 || c.recordsOnly)) problems.push(`refs not restored: ${diff.join('; ')}`)
    // Record steps (append-only) and forge mirrors say why they stay: each must come with a reason.
    for (const n of notUndone as Array<{kind: string; reason?: string}>) if (!n.reason) problems.push(`undo lists ${n.kind} without a reason`)
    if (harm('dataLoss', Object.entries(start.local).some(([name, sha]) => name.startsWith('refs/heads/') && !reachable(scene, sha)))) problems.push('a starting branch tip is lost')
    if (notUndone.length === 0 && (c.live ?? c.made)(scene) > 0) problems.push(`a ${c.thing} is left after a complete undo`)
  }
  if (existsSync(join(scene.repo.dir, '.git', 'flow', 'run.json'))) problems.push('a run is still open')
  if (scene.api.github.violations.length > 0) problems.push(...scene.api.github.violations)
  return {label, problems}
}

function reachable(scene: Scene, sha: string): boolean {
  const tips = [...Object.values(refs(scene.repo))]
  return tips.some((tip) => {
    try {
      scene.repo.git('merge-base', '--is-ancestor', sha, tip)
      return true
    } catch {
      return false
    }
  })
}

/** The commands' sweeps run at once (each in its own scenes), sharing a few slots for binaries: 2 cores. */
const slot = limiter(3)

/** The kills of each command: every journal write (FULL), or for npm test each kind of step boundary once over all commands. */
function plan(writesOf: Map<string, Array<{n: number; steps: string[]}>>): Map<string, Array<[number, Variant, string]>> {
  const kinds = new Set<string>()
  const out = new Map<string, Array<[number, Variant, string]>>()
  for (const c of COMMANDS) {
    const writes = writesOf.get(c.name)!
    const cases: Array<[number, Variant, string]> = []
    for (const {n, steps} of writes) {
      const running = steps.findIndex((s) => s.endsWith(':running'))
      const at = running >= 0 ? `before ${steps[running]!.replace(/:running$/, '')}` : steps.every((s) => s.endsWith(':done')) ? 'all done' : steps.filter((s) => s.endsWith(':done')).pop() ?? 'plan written'
      if (FULL) cases.push([n, 'continue', at], [n, 'undo', at])
      // npm test: each kind of boundary between two steps once over all commands (the write that starts the next
      // step: a boundary between the same two kinds of step, as in a rolling deploy's second batch or a records push
      // ending several commands, is killed once), and each command's final write, alternating continue and undo;
      // FLOW_RELIABILITY_FULL=1 kills after every journal write of every command and tries both.
      else if (running >= 0) {
        const kind = `${running > 0 ? steps[running - 1]!.replace(/:\w+$/, '') : 'plan'} > ${steps[running]!.replace(/:\w+$/, '')}`
        if (kinds.has(kind)) continue
        kinds.add(kind)
        cases.push([n, kinds.size % 2 === 1 ? 'continue' : 'undo', at])
      } else if (n === writes.length) cases.push([n, 'continue', at])
    }
    out.set(c.name, cases)
  }
  return out
}

let planned = new Map<string, Array<[number, Variant, string]>>()

describe.concurrent('SIGKILL at every step boundary (built binary): continue finishes once, undo restores every ref', () => {
  beforeAll(async () => {
    const writesOf = new Map<string, Array<{n: number; steps: string[]}>>()
    const keep: Array<() => Promise<void>> = []
    await Promise.all(COMMANDS.map(async (c) => writesOf.set(c.name, await slot(() => boundaries(c, (fn) => keep.push(fn))))))
    for (const close of keep) await close()
    // At least the write before the first effect and the final one (a one-step plan writes no more since the engine stopped writing before the first checks).
    for (const c of COMMANDS) expect(writesOf.get(c.name)!.length, c.name).toBeGreaterThanOrEqual(2)
    planned = plan(writesOf)
  }, 300_000)
  for (const c of COMMANDS) {
    test(c.name, async ({onTestFinished}) => {
      const cases = planned.get(c.name)!
      const outcomes = await Promise.all(cases.map(([n, variant, at]) => slot(() => killAt(c, n, variant, at, onTestFinished))))
      expect(outcomes.filter((o) => o.problems.length > 0).map((o) => `${o.label}: ${o.problems.join(' | ')}`)).toEqual([])
    }, 300_000)
  }
})

describe('SIGKILL in the middle of a health check (built binary)', () => {
  for (const variant of ['continue', 'undo'] as const) {
    test(`env deploy (rolling) killed while its health check runs, then ${variant}`, async () => {
      const c = COMMANDS.find((x) => x.name === 'env deploy (rolling)')!
      const scene = await copyScene(prepared.get(c.name)!)
      const start = allRefs(scene)
      const hold = join(scene.repo.scratch, 'health.pid')
      const child = startFlow(c.argv, {cwd: scene.repo.dir, env: {...scene.env, ...TUNING, RELIABILITY_HEALTH_HOLD: hold}})
      const exited = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)))
      for (let i = 0; i < 400 && !existsSync(hold); i++) await new Promise((r) => setTimeout(r, 25))
      expect(existsSync(hold), 'the health check started').toBe(true)
      await new Promise((r) => setTimeout(r, 50))
      const journal = JSON.parse(readFileSync(join(scene.repo.dir, '.git', 'flow', 'run.json'), 'utf8'))
      expect(journal.steps.find((s: {status: string}) => s.status === 'running')).toMatchObject({kind: 'env.verify'})
      child.kill('SIGKILL')
      expect(await exited).toBe('SIGKILL')
      count('killPoints')
      try {
        process.kill(Number(readFileSync(hold, 'utf8')), 'SIGKILL')
      } catch {
        // the check died with flow
      }
      if (variant === 'continue') {
        const resumed = await flow(scene, ['continue', '--json'])
        expect(resumed.exitCode, resumed.stderr).toBe(0)
        expect(harm('duplicates', c.made(scene) !== 1)).toBe(false)
        const states = scene.state().statuses.map((s) => s.state)
        expect(states.filter((s) => s === 'success')).toHaveLength(1)
      } else {
        const undone = await flow(scene, ['undo', '--yes', '--json'])
        expect(undone.exitCode, undone.stderr).toBe(0)
        expect(refDiff(start, allRefs(scene))).toEqual([])
        // The deployment record and its GitHub deployment stay (append-only); undo says so, step by step.
        expect(undone.json.notUndone.length).toBeGreaterThan(0)
      }
      expect((await flow(scene, ['status', '--json'])).json.run).toBeNull()
    })
  }
})

describe('SIGKILL in the middle of a running gate (built binary)', () => {
  for (const variant of ['continue', 'undo'] as const) {
    test(`feature submit killed while its gate runs, then ${variant}`, async () => {
      const c = COMMANDS.find((x) => x.name === 'feature submit')!
      const scene = await copyScene(prepared.get(c.name)!)
      const start = allRefs(scene)
      const hold = join(scene.repo.scratch, 'gate.pid')
      const child = startFlow(c.argv, {cwd: scene.repo.dir, env: {...scene.env, ...TUNING, RELIABILITY_GATE_HOLD: hold}})
      const exited = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)))
      for (let i = 0; i < 400 && !existsSync(hold); i++) await new Promise((r) => setTimeout(r, 25))
      expect(existsSync(hold), 'the gate started').toBe(true)
      await new Promise((r) => setTimeout(r, 50))
      const journal = JSON.parse(readFileSync(join(scene.repo.dir, '.git', 'flow', 'run.json'), 'utf8'))
      expect(journal.steps.find((s: {status: string}) => s.status === 'running')).toMatchObject({kind: 'gates.run'})
      child.kill('SIGKILL')
      expect(await exited).toBe('SIGKILL')
      count('killPoints')
      const gatePid = Number(readFileSync(hold, 'utf8'))
      try {
        process.kill(gatePid, 'SIGKILL')
      } catch {
        // the gate died with flow
      }
      if (variant === 'continue') {
        const resumed = await flow(scene, ['continue', '--json'])
        expect(resumed.exitCode, resumed.stderr).toBe(0)
        expect(harm('duplicates', c.made(scene) !== 1)).toBe(false)
      } else {
        const undone = await flow(scene, ['undo', '--yes', '--json'])
        expect(undone.exitCode, undone.stderr).toBe(0)
        expect(refDiff(start, allRefs(scene))).toEqual([])
        expect(c.made(scene)).toBe(0)
      }
      expect((await flow(scene, ['status', '--json'])).json.run).toBeNull()
    })
  }
})
