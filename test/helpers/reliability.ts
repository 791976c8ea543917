import {appendFileSync, mkdirSync, readdirSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

/**
 * The counts `npm run test:reliability` prints, collected by the tests themselves: each test process appends one
 * JSON line per count to a file under FLOW_RELIABILITY_DIR (made by the global setup), and the reporter sums them.
 */
export const WORK = ['faults', 'killPoints', 'fuzzCases', 'hostileInputs', 'secretChecks', 'concurrencyRuns'] as const
/** Counts of harm: every one of them must end at zero. */
export const HARM = ['dataLoss', 'duplicates', 'shellExecutions', 'leakedTokens'] as const
export type CountName = (typeof WORK)[number] | (typeof HARM)[number]

export function countsDir(): string {
  return process.env.FLOW_RELIABILITY_DIR ?? join(tmpdir(), 'flow-reliability-counts')
}

/** Adds n to a count (a no-op for n = 0). */
export function count(name: CountName, n = 1): void {
  if (n === 0) return
  const dir = countsDir()
  mkdirSync(dir, {recursive: true})
  appendFileSync(join(dir, `${process.pid}.jsonl`), `${JSON.stringify({name, n})}\n`)
}

/** Counts one harm when `happened` is true; returns `happened` so the test can assert on it too. */
export function harm(name: (typeof HARM)[number], happened: boolean): boolean {
  if (happened) count(name)
  return happened
}

/** Sums every count written to the directory. */
export function readCounts(dir = countsDir()): Record<CountName, number> {
  const sums = Object.fromEntries([...WORK, ...HARM].map((k) => [k, 0])) as Record<CountName, number>
  let files: string[] = []
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'))
  } catch {
    return sums
  }
  for (const file of files) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (!line) continue
      const {name, n} = JSON.parse(line) as {name: CountName; n: number}
      if (name in sums) sums[name] += n
    }
  }
  return sums
}

/** Runs tasks with at most `limit` at once (heavy sweeps on a 2-core machine). */
export async function pool<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await task(items[i]!, i)
    }
  }
  await Promise.all(Array.from({length: Math.min(limit, items.length)}, worker))
  return results
}

/** A limit shared by tasks of several tests that run at once: `run(task)` waits for one of `limit` slots. */
export function limiter(limit: number): <R>(task: () => Promise<R>) => Promise<R> {
  let active = 0
  const waiting: Array<() => void> = []
  return async (task) => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve))
    active++
    try {
      return await task()
    } finally {
      active--
      waiting.shift()?.()
    }
  }
}
