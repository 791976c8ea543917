import {describe, expect, test} from 'vitest'
import {ulidFactory} from './ids.js'

describe('ulidFactory', () => {
  test('ids are 26 Crockford characters and sort by time', () => {
    let now = 1_700_000_000_000
    const ids = ulidFactory({now: () => new Date(now)})
    const a = ids.ulid()
    now += 1
    const b = ids.ulid()
    expect(a).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/)
    expect(a < b).toBe(true)
  })

  test('stay unique and increasing within one millisecond', () => {
    const ids = ulidFactory({now: () => new Date(1_700_000_000_000)}, () => new Uint8Array(16).fill(255))
    const list = Array.from({length: 1000}, () => ids.ulid())
    expect(new Set(list).size).toBe(1000)
    expect([...list].sort()).toEqual(list)
  })

  test('encode the time in the first ten characters', () => {
    const ids = ulidFactory({now: () => new Date(0)})
    expect(ids.ulid().slice(0, 10)).toBe('0000000000')
  })
})
