import {describe, expect, test} from 'vitest'
import {GitCli} from '../../src/providers/git-cli.js'
import {tempRepo} from '../helpers/temp-repo.js'

describe('GitCli', () => {
  test('an argument with a NUL byte is refused as usage, never handed to spawn (found by the hostile-input tests)', async () => {
    const repo = tempRepo()
    const git = new GitCli(repo.dir, repo.env)
    await expect(git.exec(['rev-parse', 'nul\u0000byte'])).rejects.toMatchObject({code: 'USAGE', message: expect.stringContaining('NUL byte')})
    await expect(git.run(['log', 'a\u0000b'])).rejects.toMatchObject({code: 'USAGE', exit: 2})
    await expect(git.stream(['log', 'a\u0000b'], () => {})).rejects.toMatchObject({code: 'USAGE'})
    expect((await git.exec(['rev-parse', 'HEAD'])).exitCode).toBe(0)
  })
})
