import {describe, expect, test} from 'vitest'
import {runFlow} from '../helpers/e2e.js'
import {tempRepo} from '../helpers/temp-repo.js'

describe('the flow binary', () => {
  test('prints its version', async () => {
    const repo = tempRepo()
    const run = await runFlow(['--version'], {cwd: repo.dir, env: repo.env})
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toMatch(/flow\/\d+\.\d+\.\d+/)
  })

  test('an unknown flag is a usage error: exit 2, one JSON error document, no stack', async () => {
    const repo = tempRepo()
    const run = await runFlow(['status', '--bogus', '--json'], {cwd: repo.dir, env: repo.env})
    expect(run.exitCode).toBe(2)
    expect(run.json).toEqual({error: {code: 'USAGE', message: expect.stringContaining('--bogus'), hint: expect.any(String)}})
    expect(run.stderr).not.toMatch(/at .*\.js:\d+/)
  })
})
