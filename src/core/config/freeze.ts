import {isDuration, parseDuration} from './duration.js'

/** A freeze window of flow.yml, parsed: a recurring cron start with a length, or a fixed range. */
export type FreezeWindow =
  | {kind: 'cron'; cron: string; durationMs: number; text: string}
  | {kind: 'range'; start: string; end: string; text: string}

const CRON_FIELD = /^(?:\*|[0-9A-Za-z]+(?:-[0-9A-Za-z]+)?)(?:\/\d+)?(?:,(?:\*|[0-9A-Za-z]+(?:-[0-9A-Za-z]+)?)(?:\/\d+)?)*$/
const DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?$/

/** What a freeze window looks like, in words, for error messages. */
export const FREEZE_EXPECTED = 'a freeze window like "cron: 0 16 * * 5 for 64h" or "2026-12-20..2027-01-04"'

/** Parses a freeze window string; returns undefined when it is not one. */
export function parseFreezeWindow(text: string): FreezeWindow | undefined {
  const trimmed = text.trim()
  const cron = /^cron:\s*(.+?)\s+for\s+(\S+)$/.exec(trimmed)
  if (cron) {
    const expression = cron[1] as string
    const fields = expression.split(/\s+/)
    if (fields.length !== 5 || !fields.every((f) => CRON_FIELD.test(f))) return undefined
    if (!isDuration(cron[2] as string)) return undefined
    return {kind: 'cron', cron: expression, durationMs: parseDuration(cron[2] as string), text}
  }
  const range = /^(\S+)\s*\.\.\s*(\S+)$/.exec(trimmed)
  if (range) {
    const [start, end] = [range[1] as string, range[2] as string]
    if (!DATE.test(start) || !DATE.test(end)) return undefined
    const s = Date.parse(start)
    const e = Date.parse(end)
    if (Number.isNaN(s) || Number.isNaN(e) || e < s) return undefined
    return {kind: 'range', start, end, text}
  }
  return undefined
}
