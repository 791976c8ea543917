import {describe, expect, test} from 'vitest'
import {checkOrder, parseTime} from './times.js'

const now = new Date('2026-03-01T12:00:00.000Z')

describe('parseTime', () => {
  test.each([
    ['now', '2026-03-01T12:00:00.000Z'],
    ['15m ago', '2026-03-01T11:45:00.000Z'],
    ['1h30m ago', '2026-03-01T10:30:00.000Z'],
    ['-2h', '2026-03-01T10:00:00.000Z'],
    ['09:30', '2026-03-01T09:30:00.000Z'],
    ['2026-03-01T08:00:00Z', '2026-03-01T08:00:00.000Z'],
    ['2026-03-01 08:00', '2026-03-01T08:00:00.000Z'],
    ['2026-03-01T08:00:00+02:00', '2026-03-01T06:00:00.000Z'],
  ])('%s', (text, iso) => {
    expect(parseTime(text, now)).toBe(iso)
  })

  test('anything else is a usage error with a hint', () => {
    expect(() => parseTime('yesterday-ish', now, '--started')).toThrow(expect.objectContaining({code: 'USAGE', message: '--started "yesterday-ish" is not a time flow understands', hint: expect.stringContaining('15m ago')}))
    expect(() => parseTime('25:00', now)).toThrow(expect.objectContaining({code: 'USAGE'}))
  })
})

describe('checkOrder', () => {
  test('accepts times in order and missing ones', () => {
    expect(() => checkOrder({impactStartedAt: '2026-03-01T09:00:00Z', declaredAt: '2026-03-01T10:00:00Z', resolvedAt: '2026-03-01T11:00:00Z'}, now)).not.toThrow()
  })

  test('a resolution before the declaration is refused with the reason', () => {
    expect(() => checkOrder({declaredAt: '2026-03-01T10:00:00Z', resolvedAt: '2026-03-01T09:00:00Z'}, now)).toThrow(expect.objectContaining({
      code: 'USAGE', message: 'The resolution (2026-03-01T09:00:00Z) would be before the declaration (2026-03-01T10:00:00Z)',
    }))
  })

  test('an impact start after detection, or a time in the future, is refused', () => {
    expect(() => checkOrder({impactStartedAt: '2026-03-01T10:00:00Z', detectedAt: '2026-03-01T09:00:00Z'}, now)).toThrow(/detection .* would be before the impact start/i)
    expect(() => checkOrder({acknowledgedAt: '2026-03-01T13:00:00Z'}, now)).toThrow(/in the future/)
  })
})
