import {describe, expect, test} from 'vitest'
import {environmentOf} from './implement-change.js'
import type {Change} from './model.js'

const change = (environments: string[]) => ({id: 'CHG-4', environments} as Pick<Change, 'id' | 'environments'> as Change)

describe('environmentOf', () => {
  test('the only environment, or the one named among several', () => {
    expect(environmentOf(change(['staging']))).toBe('staging')
    expect(environmentOf(change(['staging', 'production']), 'production')).toBe('production')
    expect(environmentOf(change([]), 'staging')).toBe('staging')
  })

  test('none, several without a name, or a name the change is not about: a usage error that says what to pass', () => {
    expect(() => environmentOf(change([]))).toThrow('CHG-4 names no environment, so there is no deployment to run')
    expect(() => environmentOf(change(['staging', 'production']))).toThrow('CHG-4 is about several environments (staging, production)')
    expect(() => environmentOf(change(['staging']), 'production')).toThrow('CHG-4 is about staging, not production')
  })
})
