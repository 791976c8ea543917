import {describe, expect, test} from 'vitest'
import {GateSchema} from '../config/schema.js'
import {gateCacheKey, matchInputs, stableJson} from './cache.js'

const gate = (value: unknown) => GateSchema.parse(value)

describe('gate cache key', () => {
  const lint = gate({run: ['eslint', '.'], inputs: ['src/**/*.ts']})
  const files: Array<[string, string]> = [['src/a.ts', 'aaa'], ['src/b.ts', 'bbb']]

  test('the same definition and contents give the same key, whatever the order', () => {
    expect(gateCacheKey(lint, files)).toBe(gateCacheKey(gate({inputs: ['src/**/*.ts'], run: ['eslint', '.']}), [...files].reverse()))
  })

  test('a changed file, a renamed file, a changed command or env change the key; the description does not', () => {
    const key = gateCacheKey(lint, files)
    expect(gateCacheKey(lint, [['src/a.ts', 'aaa'], ['src/b.ts', 'ccc']])).not.toBe(key)
    expect(gateCacheKey(lint, [['src/a.ts', 'aaa'], ['src/c.ts', 'bbb']])).not.toBe(key)
    expect(gateCacheKey(gate({run: ['eslint', 'src'], inputs: ['src/**/*.ts']}), files)).not.toBe(key)
    expect(gateCacheKey(gate({run: ['eslint', '.'], inputs: ['src/**/*.ts'], env: {X: 1}}), files)).not.toBe(key)
    expect(gateCacheKey(gate({run: ['eslint', '.'], inputs: ['src/**/*.ts'], description: 'Lint'}), files)).toBe(key)
  })

  test('stableJson sorts keys', () => {
    expect(stableJson({b: 1, a: [{d: 2, c: 3}]})).toBe('{"a":[{"c":3,"d":2}],"b":1}')
  })

  test('matchInputs uses globs with dotfiles', () => {
    expect(matchInputs(['src/a.ts', 'src/.env.ts', 'lib/b.ts', 'README.md'], ['src/**/*.ts', '*.md'])).toEqual(['src/a.ts', 'src/.env.ts', 'README.md'])
    expect(matchInputs(['a'], [])).toEqual([])
  })
})
