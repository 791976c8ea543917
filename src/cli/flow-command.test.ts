import {describe, expect, test} from 'vitest'
import {describeError} from './flow-command.js'
import {FlowError} from '../core/errors.js'

describe('describeError', () => {
  test('a FlowError keeps its code, hint and exit code', () => {
    const {doc, exit, bug} = describeError(new FlowError('CONFIG_INVALID', 'flow.yml:1:1 bad', {hint: 'fix it'}))
    expect(doc).toEqual({error: {code: 'CONFIG_INVALID', message: 'flow.yml:1:1 bad', hint: 'fix it', details: undefined}})
    expect(exit).toBe(3)
    expect(bug).toBe(false)
  })

  test('a paused run exits 8 whatever its cause', () => {
    expect(describeError(new FlowError('RUN_PAUSED', 'paused', {exit: 8})).exit).toBe(8)
  })

  test('anything else is a bug: exit 1, INTERNAL', () => {
    const {doc, exit, bug} = describeError(new TypeError('x is undefined'))
    expect(doc.error.code).toBe('INTERNAL')
    expect(exit).toBe(1)
    expect(bug).toBe(true)
  })
})
