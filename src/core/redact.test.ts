import {describe, expect, test} from 'vitest'
import {redact, redactValue, registerSecret} from './redact.js'

describe('redact', () => {
  test('removes token-shaped strings of every GitHub kind', () => {
    for (const token of ['ghp_0123456789abcdefghijABCDEFGHIJ012345', 'gho_0123456789abcdefghijABCDEFGHIJ', 'ghs_0123456789abcdefghijABCDEFGHIJ', 'github_pat_11AAAAAAA0123456789_abcdefghijklmnopqrstuvwxyz']) {
      expect(redact(`token is ${token}.`)).toBe('token is ***.')
    }
  })

  test('removes credentials in URLs and authorization headers', () => {
    expect(redact('https://x-access-token:abc123secret@github.com/o/r.git')).toBe('https://x-access-token:***@github.com/o/r.git')
    expect(redact('Authorization: Bearer abcdef123456')).toBe('Authorization: Bearer ***')
  })

  test('removes registered secrets of any shape, everywhere in a value', () => {
    registerSecret('plain-secret-value-42')
    expect(redactValue({a: ['x plain-secret-value-42 y'], b: {c: 'plain-secret-value-42'}, n: 3})).toEqual({a: ['x *** y'], b: {c: '***'}, n: 3})
  })

  test('leaves ordinary text alone', () => {
    expect(redact('feature/login-form at 1a2b3c4d')).toBe('feature/login-form at 1a2b3c4d')
  })
})
