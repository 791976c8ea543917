import {describe, expect, test} from 'vitest'
import {activeFreeze, compileCron, nextFreeze, parseFreezeWindow, type FreezeWindow} from './freeze.js'

const w = (text: string): FreezeWindow => {
  const parsed = parseFreezeWindow(text)
  if (!parsed) throw new Error(`not a window: ${text}`)
  return parsed
}
const iso = (span: {start: Date; end: Date} | undefined) => span && {start: span.start.toISOString(), end: span.end.toISOString()}

describe('activeFreeze', () => {
  // 2026-11-27 is a Friday.
  const weekend = w('cron: 0 16 * * 5 for 64h')

  test('a recurring window covers its start and its length, not the minute it ends', () => {
    expect(activeFreeze([weekend], new Date('2026-11-27T15:59:00Z'))).toBeUndefined()
    expect(iso(activeFreeze([weekend], new Date('2026-11-27T16:00:00Z')))).toEqual({start: '2026-11-27T16:00:00.000Z', end: '2026-11-30T08:00:00.000Z'})
    expect(iso(activeFreeze([weekend], new Date('2026-11-29T23:00:00Z')))?.end).toBe('2026-11-30T08:00:00.000Z')
    expect(activeFreeze([weekend], new Date('2026-11-30T08:00:00Z'))).toBeUndefined()
  })

  test('a time zone moves the window to that wall clock, daylight saving included', () => {
    const berlin = w('cron: 0 16 * * 5 for 2h in Europe/Berlin')
    expect(berlin).toMatchObject({timeZone: 'Europe/Berlin'})
    // Winter: Berlin is UTC+1, so 16:00 there is 15:00Z.
    expect(iso(activeFreeze([berlin], new Date('2026-11-27T15:30:00Z')))?.start).toBe('2026-11-27T15:00:00.000Z')
    expect(activeFreeze([berlin], new Date('2026-11-27T17:30:00Z'))).toBeUndefined()
    // Summer: UTC+2, 16:00 there is 14:00Z.
    expect(iso(activeFreeze([berlin], new Date('2026-07-03T14:10:00Z')))?.start).toBe('2026-07-03T14:00:00.000Z')
  })

  test('a date range includes the whole last day; times without an offset are UTC', () => {
    const holidays = w('2026-12-20..2027-01-04')
    expect(activeFreeze([holidays], new Date('2026-12-19T23:59:59Z'))).toBeUndefined()
    expect(iso(activeFreeze([holidays], new Date('2027-01-04T23:00:00Z')))).toEqual({start: '2026-12-20T00:00:00.000Z', end: '2027-01-05T00:00:00.000Z'})
    expect(activeFreeze([w('2026-12-20T18:00..2026-12-21T08:00')], new Date('2026-12-21T08:00:00Z'))).toBeUndefined()
    expect(activeFreeze([w('2026-12-20T18:00+01:00..2026-12-21T08:00+01:00')], new Date('2026-12-20T17:30:00Z'))).toBeDefined()
  })

  test('of overlapping windows the one ending last is reported', () => {
    const span = activeFreeze([w('2026-11-27..2026-11-27'), weekend], new Date('2026-11-27T17:00:00Z'))
    expect(span?.window.text).toBe('cron: 0 16 * * 5 for 64h')
  })
})

describe('nextFreeze', () => {
  test('the active window, else the earliest that starts within the horizon', () => {
    const windows = [w('cron: 0 16 * * 5 for 64h'), w('2026-12-20..2027-01-04')]
    const at = new Date('2026-11-26T12:00:00Z')
    expect(iso(nextFreeze(windows, at, 2 * 86_400_000))?.start).toBe('2026-11-27T16:00:00.000Z')
    expect(nextFreeze(windows, at, 3_600_000)).toBeUndefined()
    expect(iso(nextFreeze([windows[1]!], new Date('2026-12-19T12:00:00Z'), 86_400_000))?.start).toBe('2026-12-20T00:00:00.000Z')
  })
})

describe('compileCron', () => {
  const t = (minute: number, hour: number, day: number, month: number, weekday: number) => ({minute, hour, day, month, weekday})

  test('ranges, steps, lists, names and Sunday as 7', () => {
    const m = compileCron('*/15 9-17 * * MON-FRI')!
    expect(m(t(30, 9, 2, 3, 1))).toBe(true)
    expect(m(t(31, 9, 2, 3, 1))).toBe(false)
    expect(m(t(0, 18, 2, 3, 1))).toBe(false)
    expect(m(t(0, 9, 2, 3, 6))).toBe(false)
    expect(compileCron('0 0 * * 7')!(t(0, 0, 1, 1, 0))).toBe(true)
    expect(compileCron('0 0 1,15 JAN,dec *')!(t(0, 0, 15, 12, 3))).toBe(true)
  })

  test('when day of month and day of week are both restricted, either matches (as in cron)', () => {
    const m = compileCron('0 0 13 * 5')!
    expect(m(t(0, 0, 13, 1, 2))).toBe(true)
    expect(m(t(0, 0, 9, 1, 5))).toBe(true)
    expect(m(t(0, 0, 9, 1, 4))).toBe(false)
  })

  test.each(['60 * * * *', '* 24 * * *', '* * 0 * *', '* * * 13 *', '* * * * 8', '5-1 * * * *', '*/0 * * * *', '* * * * FOO'])('rejects %j', (expr) => {
    expect(compileCron(expr)).toBeUndefined()
  })

  test('an unknown time zone is not a window', () => {
    expect(parseFreezeWindow('cron: 0 16 * * 5 for 2h in Mars/Olympus')).toBeUndefined()
  })
})
