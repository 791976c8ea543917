import {describe, expect, test} from 'vitest'
import {defaultConfig} from '../../src/core/config/schema.js'
import {parseGitVersion, runDoctor} from '../../src/core/doctor/run-doctor.js'
import {runFlow} from '../helpers/e2e.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'
import type {LoadedConfig} from '../../src/core/config/load.js'
import {FlowError} from '../../src/core/errors.js'
import {GitCli} from '../../src/providers/git-cli.js'
import {resolveRepo} from '../../src/core/repo.js'
import type {ForgeInfo} from '../../src/core/ports.js'

describe('parseGitVersion', () => {
  test('reads the numbers of git --version', () => {
    expect(parseGitVersion('git version 2.39.5')).toEqual([2, 39, 5])
    expect(parseGitVersion('git version 2.45.1.windows.1')).toEqual([2, 45, 1])
    expect(parseGitVersion('nonsense')).toBeUndefined()
  })
})

describe('runDoctor', () => {
  const localForge: ForgeInfo = {kind: 'local', describe: 'local records', tokenSource: 'none', reason: 'no origin remote'}
  /** runDoctor on a real repo with the local forge and the given config loader (defaults when omitted). */
  const doctorOn = (repo: TempRepo, config: () => Promise<LoadedConfig> = async () => ({config: defaultConfig()})) => {
    const git = new GitCli(repo.dir, repo.env)
    return runDoctor({git, env: repo.env, repo: () => resolveRepo(git), config, forgeInfo: async () => localForge})
  }

  test('a fresh repository: ok, with a warning for the missing flow.yml', async () => {
    const report = await doctorOn(tempRepo())
    expect(report.ok).toBe(true)
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]))
    expect(byId.config).toMatchObject({status: 'warn', fix: expect.stringContaining('flow init')})
    expect(byId.remote).toMatchObject({status: 'ok', message: expect.stringContaining('origin')})
    expect(byId.forge).toMatchObject({status: 'ok', message: expect.stringContaining('local')})
  })

  test('an invalid flow.yml is a fail', async () => {
    const report = await doctorOn(tempRepo(), async () => {
      throw new FlowError('CONFIG_INVALID', 'flow.yml:3:1 bad')
    })
    expect(report.ok).toBe(false)
    expect(report.checks.find((c) => c.id === 'config')).toMatchObject({status: 'fail', message: 'flow.yml:3:1 bad'})
  })

  test('a credential in the remote URL is redacted', async () => {
    const repo = tempRepo()
    repo.git('remote', 'set-url', 'origin', 'https://x-access-token:ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/o/r.git')
    const report = await doctorOn(repo)
    const remote = report.checks.find((c) => c.id === 'remote')!
    expect(remote.message).not.toContain('ghp_')
    expect(remote.message).toContain('github.com/o/r.git')
  })
})

describe('flow doctor (binary)', () => {
  test('--json on a fresh clone: one document, exit 0, no token anywhere', async () => {
    const repo = tempRepo()
    const run = await runFlow(['doctor', '--json'], {cwd: repo.dir, env: repo.env})
    expect(run.exitCode).toBe(0)
    expect(run.json.ok).toBe(true)
    expect(run.json.checks.map((c: {id: string}) => c.id)).toEqual(['node', 'git', 'repository', 'config', 'remote', 'forge', 'records', 'hooks', 'run'])
  })

  test('reports where the token came from, never the token', async () => {
    const repo = tempRepo()
    const token = 'ghp_SECRETSECRETSECRETSECRETSECRET1234'
    const run = await runFlow(['doctor'], {cwd: repo.dir, env: {...repo.env, GH_TOKEN: token}})
    expect(run.stdout + run.stderr).not.toContain(token)
  })

  test('outside a repository: exit 1 with the fix', async () => {
    const repo = tempRepo()
    const run = await runFlow(['doctor', '--json', '--cwd', repo.scratch], {cwd: repo.dir, env: repo.env})
    expect(run.exitCode).toBe(1)
    expect(run.json.checks.find((c: {id: string}) => c.id === 'repository').status).toBe('fail')
  })
})
