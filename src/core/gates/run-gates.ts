import {availableParallelism} from 'node:os'
import {mkdir, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import type {GateConfig} from '../config/schema.js'
import {parseDuration} from '../config/duration.js'
import type {Deps} from '../deps.js'
import type {Git} from '../ports.js'
import {redact} from '../redact.js'
import {appendHistory} from '../analytics/history.js'
import {resolveBase, runBuiltin} from './builtins.js'
import {gateCacheKey, hashInputFiles, matchInputs, readCache, writeCache} from './cache.js'
import {planGates} from './plan.js'
import {plainProgress, type GateEvent} from './progress.js'

/** How a gate ended. */
export type GateStatus = 'passed' | 'failed' | 'cached' | 'skipped' | 'cancelled'

/** One gate's result in a run. */
export interface GateResult {
  name: string
  status: GateStatus
  optional: boolean
  durationMs: number
  /** The command's exit code (run gates that ran). */
  exitCode?: number
  timedOut?: boolean
  /** Why it was skipped, cancelled or failed, in words. */
  reason?: string
  /** The full output, on disk. */
  log: string
  /** The last lines of the output of a failed gate. */
  tail?: string[]
  /** The cache key, for gates with inputs. */
  cacheKey?: string
}

/** What `flow gates run` did: the --json document. */
export interface GatesRun {
  ok: boolean
  stage?: string
  concurrency: number
  durationMs: number
  /** Required gates that failed (or were cancelled or skipped because of a failure). */
  failed: string[]
  gates: GateResult[]
  logDir: string
}

/** What to run and how. */
export interface RunGatesInput {
  stage?: string
  only?: string[]
  concurrency?: number
  failFast?: boolean
  noCache?: boolean
  /** The base commit for the builtin checks (default: merge-base with the main branch). */
  base?: string
  /** A commit message file for conventional-commits (the commit-msg hook). */
  messageFile?: string
  /** Told as gates start and finish (e.g. a live display); default: plain progress lines on the reporter. */
  onEvent?: (event: GateEvent) => void
}

/** Lines of a failed gate's output shown on the terminal. */
export const TAIL_LINES = 20

/** A gate name as a file name. */
export function gateFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}

/** Seconds with two decimals, for people. */
export function formatDuration(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(2)}s` : `${(ms / 1000).toFixed(1)}s`
}

/** The last `count` non-empty-ending lines of a text. */
export function tailLines(text: string, count = TAIL_LINES): string[] {
  const lines = text.replace(/\s+$/, '').split('\n')
  return lines.slice(-count)
}

/** The directory of gate logs, the cache and the last results. */
export function gatesDirOf(flowDir: string): string {
  return join(flowDir, 'gates')
}

/** Runs a stage's gates (or `only` those) as a DAG, in parallel up to the concurrency, with the cache. */
export async function runGates(deps: Pick<Deps, 'git' | 'shell' | 'reporter' | 'config' | 'repo' | 'clock'>, input: RunGatesInput): Promise<GatesRun> {
  const {config} = await deps.config()
  const repo = await deps.repo()
  const plan = planGates(config, {stage: input.stage, only: input.only})
  const concurrency = Math.max(1, input.concurrency ?? availableParallelism())
  const gatesDir = gatesDirOf(repo.flowDir)
  await mkdir(gatesDir, {recursive: true})
  const started = Date.now()
  const gates = config.gates
  const useCache = !input.noCache
  const hashes = useCache ? await hashInputFiles(deps.git, repo.root, plan.order.map((n) => (gates[n] as GateConfig).inputs)) : new Map<string, string>()
  const needsBuiltinBase = plan.order.some((n) => 'builtin' in (gates[n] as GateConfig))
  const base = needsBuiltinBase ? await resolveBase(deps.git, config.branches.main, input.base) : undefined

  const results = new Map<string, GateResult>()
  const running = new Map<string, Promise<void>>()
  const abort = new AbortController()
  let stopping = false
  const versions = new Map<string, Promise<string>>()
  // Each named tool is asked once per run, as an argv (never through a shell).
  const toolVersion = (tool: string) => {
    let version = versions.get(tool)
    if (!version) {
      version = deps.shell.run([tool, '--version'], {cwd: repo.root, timeoutMs: 10_000})
        .then((r) => `${tool}=${r.exitCode === 0 ? r.stdout.trim() : 'unavailable'}`, () => `${tool}=unavailable`)
      versions.set(tool, version)
    }
    return version
  }
  const logOf = (name: string) => join(gatesDir, `${gateFileName(name)}.log`)

  const emit = input.onEvent ?? plainProgress(deps.reporter)
  emit({type: 'planned', gates: plan.order.map((n) => ({name: n, optional: (gates[n] as GateConfig).optional}))})

  const finish = (result: GateResult) => {
    results.set(result.name, result)
    emit({type: 'finished', result})
    if (result.status === 'failed' && !result.optional && input.failFast && !stopping) {
      stopping = true
      abort.abort()
    }
  }

  const runOne = async (name: string): Promise<void> => {
    const gate = gates[name] as GateConfig
    const log = logOf(name)
    const inputs = gate.inputs.length > 0 ? matchInputs([...hashes.keys()], gate.inputs).map((p) => [p, hashes.get(p) as string] as [string, string]) : []
    // An audit's answer changes with the advisory database and the date (exceptions expire), not with the files.
    const cacheable = !('builtin' in gate && gate.builtin === 'dependency-audit')
    const cacheKey = useCache && cacheable && gate.inputs.length > 0 ? gateCacheKey(gate, inputs, await Promise.all(gate.tools.map(toolVersion))) : undefined
    if (cacheKey && (await readCache(gatesDir, cacheKey))) {
      finish({name, status: 'cached', optional: gate.optional, durationMs: 0, log, cacheKey})
      return
    }
    const t0 = Date.now()
    emit({type: 'started', name, at: t0})
    let ok: boolean
    let text: string
    let exitCode: number | undefined
    let timedOut = false
    let cancelled = false
    if ('run' in gate) {
      const shown = typeof gate.run === 'string' ? gate.run : gate.run.map((a) => (/^[\w./=:@%+-]+$/.test(a) ? a : JSON.stringify(a))).join(' ')
      const result = await deps.shell.run(gate.run, {
        cwd: gate.cwd ? join(repo.root, gate.cwd) : repo.root,
        env: {FLOW_GATE: name, FLOW_STAGE: plan.stage ?? '', ...gate.env},
        timeoutMs: parseDuration(gate.timeout),
        signal: abort.signal,
      })
      exitCode = result.exitCode
      timedOut = result.timedOut
      cancelled = Boolean(result.cancelled)
      ok = result.exitCode === 0 && !timedOut && !cancelled
      text = `$ ${shown}\n${result.output ?? `${result.stdout}\n${result.stderr}`}\n`
    } else {
      try {
        const outcome = await runBuiltin({git: deps.git, root: repo.root, config, base, messageFile: input.messageFile, shell: deps.shell, clock: deps.clock}, gate)
        ok = outcome.ok
        text = `builtin ${gate.builtin}\n${outcome.lines.join('\n')}\n`
      } catch (error) {
        ok = false
        text = `builtin ${gate.builtin}\n${error instanceof Error ? error.message : String(error)}\n`
      }
    }
    const durationMs = Date.now() - t0
    text = redact(text)
    await writeFile(log, text)
    if (ok) {
      if (cacheKey) await writeCache(gatesDir, {gate: name, key: cacheKey, at: deps.clock.now().toISOString(), durationMs})
      finish({name, status: 'passed', optional: gate.optional, durationMs, exitCode, log, cacheKey})
    } else if (cancelled) {
      finish({name, status: 'cancelled', optional: gate.optional, durationMs, exitCode, log, reason: 'stopped by --fail-fast', cacheKey})
    } else {
      const reason = timedOut ? `timed out after ${gate.timeout}` : exitCode !== undefined ? `exit code ${exitCode}` : 'the check failed'
      finish({name, status: 'failed', optional: gate.optional, durationMs, exitCode, timedOut, log, reason, tail: tailLines(text.split('\n').slice(1).join('\n')), cacheKey})
    }
  }

  for (;;) {
    let progressed = true
    while (progressed) {
      progressed = false
      for (const name of plan.order) {
        if (results.has(name) || running.has(name)) continue
        const gate = gates[name] as GateConfig
        const needs = plan.needs[name] ?? []
        if (!needs.every((d) => results.has(d))) continue
        const broken = needs.filter((d) => !['passed', 'cached'].includes(results.get(d)?.status ?? ''))
        if (broken.length > 0 || stopping) {
          const reason = broken.length > 0 ? `needs ${broken.join(', ')}, which did not pass` : 'stopped by --fail-fast'
          finish({name, status: stopping && broken.length === 0 ? 'cancelled' : 'skipped', optional: gate.optional, durationMs: 0, log: logOf(name), reason})
          progressed = true
          continue
        }
        if (running.size >= concurrency) continue
        running.set(name, runOne(name).finally(() => running.delete(name)))
        progressed = true
      }
    }
    if (running.size === 0) break
    await Promise.race(running.values())
  }

  const ordered = plan.order.map((n) => results.get(n) as GateResult)
  const failed = ordered.filter((r) => !r.optional && !['passed', 'cached'].includes(r.status)).map((r) => r.name)
  const at = deps.clock.now().toISOString()
  await saveLastResults(gatesDir, plan.stage, ordered, at)
  const checkedOut = await saveBranchResult(deps.git, gatesDir, {stage: plan.stage, ok: failed.length === 0, failed, at})
  const durationMs = Date.now() - started
  await appendHistory(repo.flowDir, [{type: 'gates', at, ...(plan.stage ? {stage: plan.stage} : {}), ok: failed.length === 0, durationMs}, ...ordered.map((r) => ({
    type: 'gate' as const, at, gate: r.name, ...(plan.stage ? {stage: plan.stage} : {}), status: r.status, durationMs: r.durationMs,
    ...(r.cacheKey ? {inputs: r.cacheKey} : checkedOut.head ? {inputs: `head:${checkedOut.head}`} : {}),
    ...(checkedOut.branch ? {branch: checkedOut.branch} : {}),
  }))])
  return {ok: failed.length === 0, stage: plan.stage, concurrency, durationMs, failed, gates: ordered, logDir: gatesDir}
}

/** The last result of each gate, for `flow gates list`. */
export interface LastResults {
  [gate: string]: {status: GateStatus; durationMs: number; at: string; stage?: string}
}

/** Reads the last results (empty when there were no runs). */
export async function readLastResults(gatesDir: string): Promise<LastResults> {
  try {
    return JSON.parse(await readFile(join(gatesDir, 'last.json'), 'utf8')) as LastResults
  } catch {
    return {}
  }
}

async function saveLastResults(gatesDir: string, stage: string | undefined, results: GateResult[], at: string): Promise<void> {
  const last = await readLastResults(gatesDir)
  for (const r of results) last[r.name] = {status: r.status, durationMs: r.durationMs, at, ...(stage ? {stage} : {})}
  await writeFile(join(gatesDir, 'last.json'), `${JSON.stringify(last, null, 2)}\n`)
}

/** The last gate run on a branch, for `flow feature list`: which stage, green or not, and at which commit. */
export interface BranchGateResult {
  stage?: string
  ok: boolean
  failed: string[]
  at: string
  /** The commit checked out when the gates ran (the work tree may have had changes on top). */
  head: string
}

/** Reads the last gate run of each branch (empty when there were none). */
export async function readBranchResults(gatesDir: string): Promise<Record<string, BranchGateResult>> {
  try {
    return JSON.parse(await readFile(join(gatesDir, 'branches.json'), 'utf8')) as Record<string, BranchGateResult>
  } catch {
    return {}
  }
}

/** Saves the run as its branch's last; returns the branch and commit checked out (either may be absent). */
async function saveBranchResult(git: Git, gatesDir: string, result: Omit<BranchGateResult, 'head'>): Promise<{branch?: string; head?: string}> {
  // One git process: the commit, then the branch's full name ("HEAD" when detached; a failure on an unborn branch).
  const found = await git.exec(['rev-parse', 'HEAD', '--symbolic-full-name', 'HEAD'])
  const [head = '', ref = ''] = found.stdout.split('\n')
  const checkedOut = {
    ...(ref.startsWith('refs/heads/') ? {branch: ref.slice('refs/heads/'.length)} : {}),
    ...(found.exitCode === 0 && /^[0-9a-f]{40,64}$/.test(head) ? {head} : {}),
  }
  if (!checkedOut.branch || !checkedOut.head) return checkedOut
  const all = await readBranchResults(gatesDir)
  all[checkedOut.branch] = {...result, head: checkedOut.head}
  await writeFile(join(gatesDir, 'branches.json'), `${JSON.stringify(all, null, 2)}\n`)
  return checkedOut
}
