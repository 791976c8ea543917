import {isDuration, parseDuration} from './duration.js'

/** A freeze window of flow.yml, parsed: a recurring cron start with a length (in a time zone), or a fixed range. */
export type FreezeWindow =
  | {kind: 'cron'; cron: string; durationMs: number; timeZone: string; text: string}
  | {kind: 'range'; start: string; end: string; text: string}

const CRON_FIELD = /^(?:\*|[0-9A-Za-z]+(?:-[0-9A-Za-z]+)?)(?:\/\d+)?(?:,(?:\*|[0-9A-Za-z]+(?:-[0-9A-Za-z]+)?)(?:\/\d+)?)*$/
const DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?$/

/** What a freeze window looks like, in words, for error messages. */
export const FREEZE_EXPECTED = 'a freeze window like "cron: 0 16 * * 5 for 64h", "cron: 0 16 * * 5 for 64h in Europe/Berlin" or "2026-12-20..2027-01-04"'

const MINUTE = 60_000
const DAY = 86_400_000

/** Parses a freeze window string; returns undefined when it is not one. */
export function parseFreezeWindow(text: string): FreezeWindow | undefined {
  const trimmed = text.trim()
  const cron = /^cron:\s*(.+?)\s+for\s+(\S+)(?:\s+in\s+(\S+))?$/.exec(trimmed)
  if (cron) {
    const expression = cron[1] as string
    if (!isDuration(cron[2] as string)) return undefined
    const timeZone = cron[3] ?? 'UTC'
    if (!isTimeZone(timeZone)) return undefined
    if (compileCron(expression) === undefined) return undefined
    return {kind: 'cron', cron: expression, durationMs: parseDuration(cron[2] as string), timeZone, text}
  }
  const range = /^(\S+)\s*\.\.\s*(\S+)$/.exec(trimmed)
  if (range) {
    const [start, end] = [range[1] as string, range[2] as string]
    if (!DATE.test(start) || !DATE.test(end)) return undefined
    const bounds = rangeBounds(start, end)
    if (Number.isNaN(bounds.start) || Number.isNaN(bounds.end) || bounds.end <= bounds.start) return undefined
    return {kind: 'range', start, end, text}
  }
  return undefined
}

/** One freeze window as it applies at a moment: when it began and when it ends. */
export interface FreezeSpan {
  window: FreezeWindow
  start: Date
  end: Date
}

/** The freeze in force at `at`, if any (the one that ends last when several overlap). */
export function activeFreeze(windows: readonly FreezeWindow[], at: Date): FreezeSpan | undefined {
  let found: FreezeSpan | undefined
  for (const window of windows) {
    const span = spanAt(window, at.getTime())
    if (span && (!found || span.end > found.end)) found = span
  }
  return found
}

/** The freeze in force at `at`, else the next one that starts within `horizonMs` (the earliest). */
export function nextFreeze(windows: readonly FreezeWindow[], at: Date, horizonMs: number): FreezeSpan | undefined {
  const active = activeFreeze(windows, at)
  if (active) return active
  let found: FreezeSpan | undefined
  const now = at.getTime()
  for (const window of windows) {
    let start: number | undefined
    if (window.kind === 'range') {
      const bounds = rangeBounds(window.start, window.end)
      if (bounds.start > now && bounds.start <= now + horizonMs) start = bounds.start
      if (start !== undefined && (!found || start < found.start.getTime())) found = {window, start: new Date(start), end: new Date(bounds.end)}
      continue
    }
    const matches = compileCron(window.cron)!
    const local = localClock(window.timeZone)
    for (let t = Math.floor(now / MINUTE) * MINUTE + MINUTE; t <= now + horizonMs; t += MINUTE) {
      if (found && t >= found.start.getTime()) break
      if (matches(local(t))) {
        found = {window, start: new Date(t), end: new Date(t + window.durationMs)}
        break
      }
    }
  }
  return found
}

function spanAt(window: FreezeWindow, now: number): FreezeSpan | undefined {
  if (window.kind === 'range') {
    const bounds = rangeBounds(window.start, window.end)
    return now >= bounds.start && now < bounds.end ? {window, start: new Date(bounds.start), end: new Date(bounds.end)} : undefined
  }
  const matches = compileCron(window.cron)!
  const local = localClock(window.timeZone)
  // The latest start within the window's length before now: later starts end later.
  for (let t = Math.floor(now / MINUTE) * MINUTE; t > now - window.durationMs; t -= MINUTE) {
    if (matches(local(t))) return {window, start: new Date(t), end: new Date(t + window.durationMs)}
  }
  return undefined
}

/** A range's bounds in ms: times without an offset are UTC; a date-only end includes that whole day. */
function rangeBounds(start: string, end: string): {start: number; end: number} {
  const parse = (text: string): number => Date.parse(/[Zz]|[+-]\d{2}:?\d{2}$/.test(text) || !text.includes(':') ? text.replace(' ', 'T') : `${text.replace(' ', 'T')}Z`)
  const endMs = parse(end)
  return {start: parse(start), end: end.includes(':') ? endMs : endMs + DAY}
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', {timeZone: zone})
    return true
  } catch {
    return false
  }
}

/** Wall-clock fields of a moment in a time zone. */
interface LocalTime {
  minute: number
  hour: number
  day: number
  month: number
  weekday: number
}

/** A converter from epoch ms to wall-clock fields in `timeZone`, caching the zone's offset per hour. */
function localClock(timeZone: string): (ms: number) => LocalTime {
  const utc = (ms: number): LocalTime => {
    const d = new Date(ms)
    return {minute: d.getUTCMinutes(), hour: d.getUTCHours(), day: d.getUTCDate(), month: d.getUTCMonth() + 1, weekday: d.getUTCDay()}
  }
  if (timeZone === 'UTC') return utc
  const format = new Intl.DateTimeFormat('en-US', {timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric'})
  const offsets = new Map<number, number>()
  const offsetAt = (ms: number): number => {
    const hour = Math.floor(ms / 3_600_000)
    let offset = offsets.get(hour)
    if (offset === undefined) {
      const parts = Object.fromEntries(format.formatToParts(new Date(hour * 3_600_000)).map((p) => [p.type, p.value]))
      const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute))
      offset = wall - hour * 3_600_000
      offsets.set(hour, offset)
    }
    return offset
  }
  return (ms) => utc(ms + offsetAt(ms))
}

const NAMES: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
  sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6,
}

/** Compiles one cron field to the set of values it allows, or undefined when it is not valid. */
function cronField(field: string, min: number, max: number): Set<number> | undefined {
  const values = new Set<number>()
  const value = (text: string): number | undefined => {
    const n = /^\d+$/.test(text) ? Number(text) : NAMES[text.toLowerCase()]
    return n === undefined || n < min || n > max ? undefined : n
  }
  for (const part of field.split(',')) {
    const [range, stepText] = part.split('/') as [string, string | undefined]
    const step = stepText === undefined ? 1 : Number(stepText)
    if (!Number.isInteger(step) || step < 1) return undefined
    let from = min
    let to = max
    if (range !== '*') {
      const [a, b] = range.split('-')
      const lo = value(a!)
      const hi = b === undefined ? (stepText === undefined ? lo : max) : value(b)
      if (lo === undefined || hi === undefined || hi < lo) return undefined
      from = lo
      to = hi
    }
    for (let v = from; v <= to; v += step) values.add(v)
  }
  return values
}

/** Compiles a five-field cron expression (minute hour day-of-month month day-of-week; names and 7 = Sunday allowed). */
export function compileCron(expression: string): ((t: LocalTime) => boolean) | undefined {
  const fields = expression.trim().split(/\s+/)
  if (fields.length !== 5 || !fields.every((f) => CRON_FIELD.test(f))) return undefined
  const [minute, hour, day, month, weekdayRaw] = [cronField(fields[0]!, 0, 59), cronField(fields[1]!, 0, 23), cronField(fields[2]!, 1, 31), cronField(fields[3]!, 1, 12), cronField(fields[4]!, 0, 7)]
  if (!minute || !hour || !day || !month || !weekdayRaw) return undefined
  const weekday = new Set([...weekdayRaw].map((d) => d % 7))
  const dayRestricted = fields[2] !== '*'
  const weekdayRestricted = fields[4] !== '*'
  return (t) => {
    if (!minute.has(t.minute) || !hour.has(t.hour) || !month.has(t.month)) return false
    // As in cron: when both day fields are restricted, either may match.
    if (dayRestricted && weekdayRestricted) return day.has(t.day) || weekday.has(t.weekday)
    return day.has(t.day) && weekday.has(t.weekday)
  }
}
