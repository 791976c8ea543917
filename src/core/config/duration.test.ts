import {describe, expect, test} from 'vitest'
import {isDuration, parseDuration} from './duration.js'
import {parseFreezeWindow} from './freeze.js'

describe('parseDuration', () => {
  test.each([
    ['500ms', 500],
    ['2s', 2000],
    ['30m', 1_800_000],
    ['64h', 230_400_000],
    ['7d', 604_800_000],
    ['1w', 604_800_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })

  test.each(['', 'fast', '30', 's', '30 s', '-5s', '5x', '1h 30m', '30S'])('rejects %j', (text) => {
    expect(isDuration(text)).toBe(false)
    expect(() => parseDuration(text)).toThrow(/not a duration/)
  })
})

describe('parseFreezeWindow', () => {
  test('a recurring cron window with a length', () => {
    expect(parseFreezeWindow('cron: 0 16 * * 5 for 64h')).toEqual({kind: 'cron', cron: '0 16 * * 5', durationMs: 64 * 3_600_000, timeZone: 'UTC', text: 'cron: 0 16 * * 5 for 64h'})
    expect(parseFreezeWindow('cron: */15 9-17 * * MON-FRI for 30m')?.kind).toBe('cron')
  })

  test('a date range', () => {
    expect(parseFreezeWindow('2026-12-20..2027-01-04')).toMatchObject({kind: 'range', start: '2026-12-20', end: '2027-01-04'})
    expect(parseFreezeWindow('2026-12-20T18:00..2026-12-21T08:00')?.kind).toBe('range')
  })

  test.each(['fridays', 'cron: 0 16 * * 5', 'cron: 0 16 * 5 for 64h', 'cron: 0 16 * * 5 for ever', '2027-01-04..2026-12-20', '2026-13-45..2027-01-04', '2026-12-20..'])('rejects %j', (text) => {
    expect(parseFreezeWindow(text)).toBeUndefined()
  })
})
