import {describe, expect, test} from 'vitest'
import {hookScript, isFlowHook} from './hook-script.js'

describe('hookScript', () => {
  test('chains the hook it replaced first, then flow on PATH, else npx --no-install', () => {
    const text = hookScript('pre-push')
    expect(text.startsWith('#!/bin/sh\n# flow hooks: ')).toBe(true)
    expect(isFlowHook(text)).toBe(true)
    const lines = text.split('\n')
    const local = lines.findIndex((l) => l.includes('"$hook_dir/pre-push.local" "$@" || exit $?'))
    const flow = lines.findIndex((l) => l === '  exec flow gates run pre-push </dev/null')
    const npx = lines.findIndex((l) => l === 'exec npx --no-install flow gates run pre-push </dev/null')
    expect(local).toBeGreaterThan(0)
    expect(flow).toBeGreaterThan(local)
    expect(npx).toBeGreaterThan(flow)
  })

  test('commit-msg passes the message file, quoted', () => {
    expect(hookScript('commit-msg')).toContain('flow gates run commit-msg --message-file "$1" </dev/null')
  })

  test('refuses anything but a hook name', () => {
    expect(() => hookScript('pre-push; rm -rf /')).toThrow()
    expect(isFlowHook('#!/bin/sh\nnpm test\n')).toBe(false)
  })
})
