/** Small statistics and time helpers shared by the metrics. */

const HOUR = 3_600_000
const DAY = 86_400_000

/** The median of the values (mean of the two middle ones for an even count), or undefined for none. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** The p-th percentile by the nearest-rank method (the value at rank ceil(p/100 × n)), or undefined for none. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[rank - 1]
}

/** Milliseconds between two ISO times (b − a), or undefined when either is missing or unreadable. */
export function between(a: string | undefined, b: string | undefined): number | undefined {
  if (a === undefined || b === undefined) return undefined
  const ms = Date.parse(b) - Date.parse(a)
  return Number.isNaN(ms) ? undefined : ms
}

/** A duration in milliseconds for people: `45s`, `12m`, `3.5h`, `2.1d`. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '–'
  const abs = Math.abs(ms)
  const sign = ms < 0 ? '-' : ''
  if (abs < 60_000) return `${sign}${Math.round(abs / 1000)}s`
  if (abs < HOUR) return `${sign}${Math.round(abs / 60_000)}m`
  if (abs < DAY) return `${sign}${round1(abs / HOUR)}h`
  return `${sign}${round1(abs / DAY)}d`
}

/** A ratio as a percentage for people: `12.5%`. */
export function formatPercent(ratio: number | undefined): string {
  return ratio === undefined ? '–' : `${round1(ratio * 100)}%`
}

/** Rounds to one decimal. */
export function round1(n: number): number {
  return Math.round(n * 10) / 10
}

/** Rounds to three decimals (for JSON figures). */
export function round3(n: number): number {
  return Math.round(n * 1000) / 1000
}

/** Milliseconds in an hour and in a day. */
export const MS = {hour: HOUR, day: DAY, week: 7 * DAY}
