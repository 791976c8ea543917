import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, test, type TestContext} from 'vitest'
import {ExecaShell} from '../../src/providers/execa-shell.js'

function scratch(ctx: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'flow-shell-'))
  ctx.onTestFinished(() => rmSync(dir, {recursive: true, force: true}))
  return dir
}

describe.concurrent('ExecaShell', () => {
  test('a timeout stops the whole process group: a shell line\'s later commands never run', async (ctx) => {
    const dir = scratch(ctx)
    const shell = new ExecaShell(dir, {...process.env, SHELL: '/bin/sh'})
    const result = await shell.run(`sleep 1.5; touch ${join(dir, 'late')}`, {timeoutMs: 300})
    expect(result.timedOut).toBe(true)
    expect(result.exitCode).not.toBe(0)
    expect(result.durationMs).toBeLessThan(1400)
    await new Promise((r) => setTimeout(r, 1700))
    expect(existsSync(join(dir, 'late'))).toBe(false)
  })

  test('a grandchild started by an argv command is stopped with it', async (ctx) => {
    const dir = scratch(ctx)
    const shell = new ExecaShell(dir)
    const child = `require('node:child_process').spawn('sh', ['-c', 'sleep 1.5; touch late'], {stdio: 'ignore'}); setTimeout(() => {}, 5000)`
    const result = await shell.run([process.execPath, '-e', child], {timeoutMs: 400})
    expect(result.timedOut).toBe(true)
    await new Promise((r) => setTimeout(r, 1700))
    expect(existsSync(join(dir, 'late'))).toBe(false)
  })

  test('an abort signal stops the command and reports it cancelled', async (ctx) => {
    const shell = new ExecaShell(scratch(ctx))
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 200)
    const result = await shell.run([process.execPath, '-e', 'setTimeout(() => {}, 5000)'], {signal: controller.signal})
    expect(result.cancelled).toBe(true)
    expect(result.durationMs).toBeLessThan(3000)
  })

  test('output interleaves stdout and stderr in order', async (ctx) => {
    const shell = new ExecaShell(scratch(ctx))
    // Two pipes carry no order between them: the writes are spaced so that the order they were made in is clear.
    const result = await shell.run([process.execPath, '-e', 'console.log("a"); setTimeout(() => { console.error("b"); setTimeout(() => console.log("c"), 150) }, 150)'])
    expect(result.exitCode).toBe(0)
    expect(result.output).toBe('a\nb\nc')
  })
})
