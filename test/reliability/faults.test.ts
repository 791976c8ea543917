import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import type {FaultSpec} from '../helpers/fake-github/index.js'
import {githubSpec} from '../helpers/fake-github/spec.js'
import {count, harm, pool} from '../helpers/reliability.js'
import {COMMANDS, copyScene, inProcess, prepare, refs, resume, type CommandCase, type Prepared, type Scene} from '../helpers/reliability-scenes.js'

// Every forge call of every command in COMMANDS, found by recording a clean run, answered once (transient) or on
// every retry (persistent) by each of GitHub's documented failure modes. flow must retry what is safe to retry, or
// pause (exit 8), or fail before changing anything; then `flow continue` (or a second run when nothing had started)
// must end with exactly one pull request / merge / release, and no branch tip of the start may be lost.
// Runs in-process (the services with the binary's own deps) for speed; the built binary is swept by kill.test.ts.

/** Fast retries and timeouts through the binary's own knobs. */
const TUNING = {FLOW_GITHUB_TIMEOUT_MS: '400', FLOW_GITHUB_RETRY_BASE_MS: '5'}
/** `npm run test:reliability` sweeps the whole product; `npm test` a sample that still hits every call and every fault. */
const FULL = process.env.FLOW_RELIABILITY_FULL === '1'

const SECONDARY = {
  message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID FAKE.',
  documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
}

/** The failure modes, as data: adding one adds a column to the sweep. */
const FAULTS: Array<{name: string; spec: FaultSpec; persistent?: boolean; afterEffect?: boolean}> = [
  {name: '500', spec: {status: 500}, persistent: true},
  {name: '502', spec: {status: 502, body: {message: 'Server Error'}}, afterEffect: true},
  {name: '403 secondary rate limit', spec: {status: 403, headers: {'retry-after': '1'}, body: SECONDARY}, persistent: true},
  {name: '429 with retry-after', spec: {status: 429, headers: {'retry-after': '1'}, body: {message: 'Too Many Requests', documentation_url: 'https://docs.github.com/rest'}}},
  {name: 'hang past the timeout', spec: {delayMs: 1500, status: 504}, afterEffect: true},
  {name: 'dropped connection', spec: {network: true}, persistent: true, afterEffect: true},
]

interface Call {operationId: string; method: string; nth: number}
interface Case {command: CommandCase; call: Call; fault: (typeof FAULTS)[number]; mode: 'transient' | 'persistent' | 'after the effect'}

/** What the npm test sample has covered so far (the commands' tests run in order). */
const sampled = {operations: new Set<string>(), faults: {read: new Set<string>(), write: new Set<string>()}}

const prepared = new Map<string, Prepared>()
const clean = new Map<string, {calls: Call[]; lost: string[]}>()

beforeAll(async () => {
  await githubSpec()
  for (const c of COMMANDS) {
    const p = await prepare(c)
    prepared.set(c.name, p)
  }
})
afterAll(async () => {
  for (const p of prepared.values()) await p.dispose()
})

/** The forge calls of a clean run, in order, each with its occurrence number among calls of its operation. */
async function discover(c: CommandCase): Promise<{calls: Call[]; lost: string[]}> {
  const scene = await copyScene(prepared.get(c.name)!, TUNING)
  const before = tips(scene)
  const start = scene.api.github.requests.length
  const run = await inProcess(scene, c.run)
  if (run.exit !== 0) throw new Error(`a clean ${c.name} failed: ${JSON.stringify(run.error)}`)
  const seen = new Map<string, number>()
  const calls = scene.api.github.requests.slice(start).map((r) => {
    const nth = seen.get(r.operationId!) ?? 0
    seen.set(r.operationId!, nth + 1)
    return {operationId: r.operationId!, method: r.method, nth}
  })
  // What a clean run itself leaves unreachable (a squash-merged branch it deletes) is not data loss.
  return {calls, lost: lost(scene, before)}
}

/** The cases of one command: the full product, or every call once and every fault once (plus the risky modes on writes). */
function casesOf(command: CommandCase, calls: Call[]): Case[] {
  const cases: Case[] = []
  if (FULL) {
    for (const call of calls) {
      for (const fault of FAULTS) {
        cases.push({command, call, fault, mode: 'transient'})
        if (fault.persistent) cases.push({command, call, fault, mode: 'persistent'})
        if (fault.afterEffect && call.method !== 'GET') cases.push({command, call, fault, mode: 'after the effect'})
      }
    }
    return cases
  }
  // npm test: every call type (operation) once, by the first command that makes it, each fault on a read and on a
  // write at least once; a write also persistently and after its effect. Commands that only repeat calls already
  // covered (feature finish's pulls/list after feature submit's) add only their new ones.
  const kind = (c: Call) => (c.method === 'GET' ? 'read' : 'write')
  const fresh = calls.filter((c) => c.nth === 0 && !sampled.operations.has(c.operationId))
  for (const call of fresh) {
    sampled.operations.add(call.operationId)
    const faults = sampled.faults[kind(call)]
    const fault = FAULTS.find((f) => !faults.has(f.name)) ?? FAULTS[sampled.operations.size % FAULTS.length]!
    faults.add(fault.name)
    cases.push({command, call, fault, mode: 'transient'})
    if (call.method === 'GET') continue
    const persistent = FAULTS.filter((f) => f.persistent)
    const after = FAULTS.filter((f) => f.afterEffect)
    cases.push({command, call, fault: persistent[sampled.operations.size % persistent.length]!, mode: 'persistent'})
    cases.push({command, call, fault: after[sampled.operations.size % after.length]!, mode: 'after the effect'})
  }
  // Faults not yet seen on a call kind go on this command's first call of that kind.
  for (const k of ['read', 'write'] as const) {
    const call = calls.find((c) => kind(c) === k)
    if (!call) continue
    for (const fault of FAULTS.filter((f) => !sampled.faults[k].has(f.name))) {
      sampled.faults[k].add(fault.name)
      cases.push({command, call, fault, mode: 'transient'})
    }
  }
  return cases
}

/** Tips of local branches and of origin's branches and tags: each must still be reachable from some ref afterwards. */
function tips(scene: Scene): string[] {
  const local = refs(scene.repo)
  const origin = refs(scene.repo, scene.repo.origin)
  const keep = (r: Record<string, string>) => Object.entries(r).filter(([n]) => n.startsWith('refs/heads/') || n.startsWith('refs/tags/')).map(([, sha]) => sha)
  return [...new Set([...keep(local), ...keep(origin)])]
}

function lost(scene: Scene, before: string[]): string[] {
  const all = [...Object.values(refs(scene.repo)), ...Object.values(refs(scene.repo, scene.repo.origin))]
  return before.filter((sha) => !all.some((tip) => {
    try {
      scene.repo.git('merge-base', '--is-ancestor', sha, tip)
      return true
    } catch {
      try {
        scene.repo.gitIn(scene.repo.origin, 'merge-base', '--is-ancestor', sha, tip)
        return true
      } catch {
        return false
      }
    }
  }))
}

interface Outcome {label: string; first: number; firstCode?: string; resumes: number; made: number; lost: string[]; fired: number; violations: string[]}

async function sweepOne(k: Case, expectedLost: string[]): Promise<Outcome> {
  const scene = await copyScene(prepared.get(k.command.name)!, TUNING)
  const before = tips(scene)
  const times = k.mode === 'persistent' ? 50 : 1
  scene.api.github.fail(k.call.operationId, {...k.fault.spec, times, skip: k.call.nth, ...(k.mode === 'after the effect' ? {after: true} : {})})
  const first = await inProcess(scene, k.command.run)
  const fired = scene.api.github.requests.filter((r) => r.fault).length
  scene.api.github.clearFaults()
  let resumes = 0
  let last = first
  while (last.exit !== 0 && resumes < 3) {
    resumes++
    // A paused run is resumed; a run that stopped before its first step (no journal) is simply run again.
    last = last.exit === 8 ? await inProcess(scene, resume) : await inProcess(scene, k.command.run)
  }
  const label = `${k.command.name} · ${k.call.operationId}#${k.call.nth + 1} · ${k.fault.name} · ${k.mode}`
  if (last.exit !== 0) throw new Error(`${label}: still failing after ${resumes} resumes: ${JSON.stringify(last.error)} (first: ${JSON.stringify(first.error)})`)
  return {label, first: first.exit, firstCode: first.error?.code, resumes, made: k.command.made(scene), lost: lost(scene, before).filter((sha) => !expectedLost.includes(sha)), fired, violations: [...scene.api.github.violations]}
}

describe('every forge call × every GitHub failure mode: retried, or paused and continued, never duplicated', () => {
  for (const command of COMMANDS) {
    test(`${command.name}`, async () => {
      const found = await discover(command)
      clean.set(command.name, found)
      expect(found.calls.length).toBeGreaterThan(0)
      const cases = casesOf(command, found.calls)
      if (cases.length === 0) return
      const outcomes = await pool(cases, 3, (k) => sweepOne(k, found.lost))
      for (const o of outcomes) {
        count('faults', o.fired)
        harm('duplicates', o.made !== 1)
        harm('dataLoss', o.lost.length > 0)
      }
      // A call a clean run makes may not come again when an earlier answer differed (fired 0): nothing was injected then.
      const bad = outcomes.filter((o) => o.made !== 1 || o.lost.length > 0 || o.violations.length > 0 || ![0, 1, 8].includes(o.first))
      expect(bad.map((o) => `${o.label}: made ${o.made} ${command.thing}(s), first exit ${o.first} ${o.firstCode ?? ''}, lost ${o.lost.length}, fired ${o.fired}, ${o.violations.join('; ')}`)).toEqual([])
      // Transient faults are absorbed by retries: nothing pauses for a single 5xx, rate limit, timeout or dropped connection.
      const transient = outcomes.filter((o) => o.label.endsWith('transient') && o.first !== 0 && o.fired > 0)
      expect(transient.map((o) => `${o.label}: exit ${o.first} ${o.firstCode}`)).toEqual([])
    }, 300_000)
  }
})
