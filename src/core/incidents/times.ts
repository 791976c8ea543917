import {FlowError} from '../errors.js'

/** The moments of an incident, in the order they must happen. */
export const MILESTONES = ['impactStartedAt', 'detectedAt', 'declaredAt', 'acknowledgedAt', 'mitigatedAt', 'resolvedAt', 'closedAt'] as const

/** One moment of an incident. */
export type Milestone = (typeof MILESTONES)[number]

/** How each moment is named in messages. */
export const MILESTONE_NAMES: Record<Milestone, string> = {
  impactStartedAt: 'the impact start',
  detectedAt: 'the detection',
  declaredAt: 'the declaration',
  acknowledgedAt: 'the acknowledgement',
  mitigatedAt: 'the mitigation',
  resolvedAt: 'the resolution',
  closedAt: 'the closing',
}

const TIME_HINT = 'Give an ISO-8601 time (2026-11-26T09:30:00Z; without an offset it is UTC), a time of day today in UTC (09:30), or a time ago (15m ago, 2h).'

const UNIT_MS: Record<string, number> = {s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000}

/** Reads a time given on the command line (`--started`): ISO-8601, `HH:MM` today (UTC), `now`, or `15m ago`; throws USAGE otherwise. */
export function parseTime(text: string, now: Date, flag = 'time'): string {
  const value = text.trim()
  if (value === 'now') return now.toISOString()
  const ago = /^-?((?:\d+[smhd]\s*)+)(?:\s*ago)?$/i.exec(value)
  if (ago) {
    let ms = 0
    for (const [, n, unit] of ago[1]!.matchAll(/(\d+)([smhd])/gi)) ms += Number(n) * UNIT_MS[unit!.toLowerCase()]!
    return new Date(now.getTime() - ms).toISOString()
  }
  const clock = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(value)
  if (clock) {
    const [h, m, s] = [Number(clock[1]), Number(clock[2]), Number(clock[3] ?? 0)]
    if (h < 24 && m < 60 && s < 60) {
      const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), h, m, s))
      return day.toISOString()
    }
  }
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(value)) {
    const iso = value.replace(' ', 'T')
    const withZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(iso) || !iso.includes('T') ? iso : `${iso}Z`
    const ms = Date.parse(withZone)
    if (!Number.isNaN(ms)) return new Date(ms).toISOString()
  }
  throw new FlowError('USAGE', `${flag} ${JSON.stringify(text)} is not a time flow understands`, {hint: TIME_HINT})
}

/**
 * Checks that the moments of an incident are in order (impact start ≤ detection ≤ declaration ≤ acknowledgement ≤
 * mitigation ≤ resolution ≤ closing) and none is in the future; throws USAGE naming the first pair out of order.
 */
export function checkOrder(times: Partial<Record<Milestone, string>>, now: Date): void {
  const skew = now.getTime() + 60_000
  for (const m of MILESTONES) {
    const t = times[m]
    if (t && Date.parse(t) > skew) {
      throw new FlowError('USAGE', `${capital(MILESTONE_NAMES[m])} (${t}) is in the future (now ${now.toISOString()})`, {hint: 'Give a time that has passed, e.g. --at "10m ago".'})
    }
  }
  for (let i = 0; i < MILESTONES.length; i++) {
    for (let j = i + 1; j < MILESTONES.length; j++) {
      const [a, b] = [MILESTONES[i]!, MILESTONES[j]!]
      const [ta, tb] = [times[a], times[b]]
      if (ta && tb && Date.parse(tb) < Date.parse(ta)) {
        throw new FlowError('USAGE', `${capital(MILESTONE_NAMES[b])} (${tb}) would be before ${MILESTONE_NAMES[a]} (${ta})`, {
          hint: `An incident's times go: impact start, detection, declaration, acknowledgement, mitigation, resolution, closing. Give a time after ${ta}.`,
        })
      }
    }
  }
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
