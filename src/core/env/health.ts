import {parseDuration} from '../config/duration.js'
import type {HealthConfig} from '../config/schema.js'
import type {HealthSample} from '../records/facts.js'
import type {Clock, Shell} from '../ports.js'
import {fillArgv, fillUrl, runEnvCommand, type CommandValues} from './commands.js'

/** The result of one verification: every sample, and whether the failures stayed within the limit. */
export interface Verification {
  ok: boolean
  samples: HealthSample[]
  failures: number
}

/** The value at a dotted path (`checks.db.status`, `items.0.ok`) of parsed JSON. */
export function jsonPath(value: unknown, path: string): unknown {
  let current = value
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined
    current = (current as Record<string, unknown>)[part]
  }
  return current
}

/** Why a response is unhealthy, or undefined when it is healthy (pure: status, body and latency in, verdict out). */
export function judgeResponse(check: Extract<HealthConfig, {url: string}>, response: {status: number; body: string; latencyMs: number}): string | undefined {
  const statuses = Array.isArray(check.expect.status) ? check.expect.status : [check.expect.status]
  if (!statuses.includes(response.status)) return `HTTP ${response.status} (expected ${statuses.join(' or ')})`
  if (check.latency !== undefined && response.latencyMs > parseDuration(check.latency)) return `slow: ${response.latencyMs} ms (limit ${check.latency})`
  if (check.expect.contains !== undefined && !response.body.includes(check.expect.contains)) return `body lacks ${JSON.stringify(check.expect.contains)}`
  if (check.expect.json) {
    let parsed: unknown
    try {
      parsed = JSON.parse(response.body)
    } catch {
      return 'body is not JSON'
    }
    for (const [path, want] of Object.entries(check.expect.json)) {
      const got = jsonPath(parsed, path)
      if (got !== want) return `${path} is ${JSON.stringify(got)} (expected ${JSON.stringify(want)})`
    }
  }
  return undefined
}

async function probeUrl(check: Extract<HealthConfig, {url: string}>, url: string): Promise<string | undefined> {
  const started = performance.now()
  try {
    const response = await fetch(url, {signal: AbortSignal.timeout(parseDuration(check.timeout)), redirect: 'follow'})
    const body = await response.text()
    return judgeResponse(check, {status: response.status, body, latencyMs: Math.round(performance.now() - started)})
  } catch (error) {
    const cause = (error as {cause?: {code?: string}}).cause?.code
    return (error as Error).name === 'TimeoutError' ? `no answer within ${check.timeout}` : `unreachable${cause ? ` (${cause})` : ''}`
  }
}

/** What a check looks like, in one line. */
export function describeCheck(check: HealthConfig, values: CommandValues): string {
  return 'url' in check ? `GET ${fillUrl(check.url, values)}` : `check ${typeof check.command === 'string' ? check.command : fillArgv(check.command, values).join(' ')}`
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Runs a health check `count` times, `interval` apart: an HTTP probe (status, JSON path values, body text, latency)
 * or a check command (healthy when it exits 0). Fails as soon as more than `failure_limit` checks failed.
 */
export async function verifyHealth(deps: {shell: Shell; clock: Clock; cwd: string; env?: Record<string, string>}, check: HealthConfig, values: CommandValues, onSample?: (s: HealthSample) => void): Promise<Verification> {
  const samples: HealthSample[] = []
  let failures = 0
  const interval = parseDuration(check.interval)
  for (let i = 0; i < check.count; i++) {
    if (i > 0 && interval > 0) await sleep(interval)
    let problem: string | undefined
    if ('url' in check) {
      problem = await probeUrl(check, fillUrl(check.url, values))
    } else {
      const result = await runEnvCommand(deps.shell, check.command, values, {cwd: deps.cwd, env: deps.env, timeoutMs: parseDuration(check.timeout), stream: false})
      if (result.exitCode !== 0) problem = result.timedOut ? `check timed out after ${check.timeout}` : `check exited ${result.exitCode}${result.stderr.trim() ? `: ${result.stderr.trim().split('\n').at(-1)}` : ''}`
    }
    const sample: HealthSample = {at: deps.clock.now().toISOString(), ok: problem === undefined, ...(problem ? {detail: problem} : {})}
    samples.push(sample)
    onSample?.(sample)
    if (problem) failures++
    if (failures > check.failure_limit) break
  }
  return {ok: failures <= check.failure_limit, samples, failures}
}
