import {spawnSync} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {FlowConfigSchema} from '../../src/core/config/schema.js'
import {runDoctor} from '../../src/core/doctor/run-doctor.js'
import {fileStepKinds} from '../../src/core/files/file-steps.js'
import {installHooks, uninstallHooks} from '../../src/core/hooks/install-hooks.js'
import {repoDeps, rejection} from '../engine/engine-deps.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'

function hookDeps(repo: TempRepo, install = ['pre-commit', 'pre-push']) {
  const config = FlowConfigSchema.parse({hooks: {install}})
  return {...repoDeps(repo, fileStepKinds), config: async () => ({config, path: join(repo.dir, 'flow.yml')})}
}

/** A flow stand-in on PATH that records its arguments and exits with FAKE_FLOW_EXIT. */
function fakeFlow(repo: TempRepo): Record<string, string> {
  const bin = join(repo.scratch, 'bin')
  mkdirSync(bin, {recursive: true})
  writeFileSync(join(bin, 'flow'), `#!/bin/sh\necho "flow $*" >> "${join(repo.scratch, 'calls')}"\nexit "\${FAKE_FLOW_EXIT:-0}"\n`)
  chmodSync(join(bin, 'flow'), 0o755)
  return {...repo.env, PATH: `${bin}:${repo.env.PATH}`}
}

const calls = (repo: TempRepo) => (existsSync(join(repo.scratch, 'calls')) ? readFileSync(join(repo.scratch, 'calls'), 'utf8') : '')

describe('flow hooks install / uninstall', () => {
  test('an existing pre-push hook is kept, run first with its stdin, and its failure still blocks the push', async () => {
    const repo = tempRepo()
    const hooks = join(repo.dir, '.git', 'hooks')
    const mine = `#!/bin/sh\ncat > "${join(repo.scratch, 'stdin')}"\necho mine >> "${join(repo.scratch, 'calls')}"\nexit "\${MINE_EXIT:-0}"\n`
    writeFileSync(join(hooks, 'pre-push'), mine)
    chmodSync(join(hooks, 'pre-push'), 0o755)
    const result = await installHooks(hookDeps(repo), {})
    expect(result.hooks).toEqual([{hook: 'pre-commit', action: 'installed'}, {hook: 'pre-push', action: 'installed', chained: '.git/hooks/pre-push.local'}])
    expect(readFileSync(join(hooks, 'pre-push.local'), 'utf8')).toBe(mine)
    expect(statSync(join(hooks, 'pre-push')).mode & 0o111).toBeTruthy()

    const env = fakeFlow(repo)
    repo.git('commit', '-q', '--no-verify', '--allow-empty', '-m', 'feat: more')
    const push = spawnSync('git', ['push', '-q', 'origin', 'main'], {cwd: repo.dir, env, encoding: 'utf8'})
    expect(push.status).toBe(0)
    expect(calls(repo)).toBe('mine\nflow gates run pre-push\n')
    expect(readFileSync(join(repo.scratch, 'stdin'), 'utf8')).toMatch(/^refs\/heads\/main [0-9a-f]{40} refs\/heads\/main/)

    repo.git('commit', '-q', '--no-verify', '--allow-empty', '-m', 'feat: blocked by my hook')
    const blocked = spawnSync('git', ['push', '-q', 'origin', 'main'], {cwd: repo.dir, env: {...env, MINE_EXIT: '3'}, encoding: 'utf8'})
    expect(blocked.status).not.toBe(0)
    expect(calls(repo)).toBe('mine\nflow gates run pre-push\nmine\n')
    const gateFails = spawnSync('git', ['push', '-q', 'origin', 'main'], {cwd: repo.dir, env: {...env, FAKE_FLOW_EXIT: '5'}, encoding: 'utf8'})
    expect(gateFails.status).not.toBe(0)

    expect((await installHooks(hookDeps(repo), {})).hooks.map((h) => h.action)).toEqual(['unchanged', 'unchanged'])
    const removed = await uninstallHooks(hookDeps(repo), {})
    expect(removed.hooks).toEqual([{hook: 'pre-commit', action: 'removed'}, {hook: 'pre-push', action: 'removed', restored: '.git/hooks/pre-push'}])
    expect(readFileSync(join(hooks, 'pre-push'), 'utf8')).toBe(mine)
    expect(existsSync(join(hooks, 'pre-push.local'))).toBe(false)
    expect(existsSync(join(hooks, 'pre-commit'))).toBe(false)
  })

  test('core.hooksPath is honoured; the commit-msg hook passes the message file', async () => {
    const repo = tempRepo()
    repo.git('config', 'core.hooksPath', 'githooks')
    await installHooks(hookDeps(repo, ['commit-msg']), {})
    expect(existsSync(join(repo.dir, 'githooks', 'commit-msg'))).toBe(true)
    expect(existsSync(join(repo.dir, '.git', 'hooks', 'commit-msg'))).toBe(false)
    const env = fakeFlow(repo)
    const commit = spawnSync('git', ['commit', '-q', '--allow-empty', '-m', 'feat: x'], {cwd: repo.dir, env, encoding: 'utf8'})
    expect(commit.status).toBe(0)
    expect(calls(repo)).toBe('flow gates run commit-msg --message-file .git/COMMIT_EDITMSG\n')
  })

  test('doctor warns about a hook listed in hooks.install but not installed, and is ok once installed', async () => {
    const repo = tempRepo()
    const deps = {...hookDeps(repo), env: repo.env, forgeInfo: async () => ({kind: 'local' as const, describe: 'local', tokenSource: 'none' as const, reason: 'test'})}
    const before = (await runDoctor(deps)).checks.find((c) => c.id === 'hooks')
    expect(before).toMatchObject({status: 'warn', fix: 'flow hooks install', message: expect.stringContaining('pre-commit, pre-push')})
    await installHooks(deps, {})
    expect((await runDoctor(deps)).checks.find((c) => c.id === 'hooks')).toMatchObject({status: 'ok', message: 'flow hooks installed: pre-commit, pre-push'})
  })

  test('husky and lefthook are detected and explained; nothing is installed', async () => {
    const repo = tempRepo()
    mkdirSync(join(repo.dir, '.husky'))
    const husky = await rejection(installHooks(hookDeps(repo), {}))
    expect(husky).toMatchObject({code: 'HOOKS_MANAGED', hint: expect.stringContaining('.husky/pre-push')})
    const other = tempRepo()
    writeFileSync(join(other.dir, 'lefthook.yml'), 'pre-push: {}\n')
    expect(await rejection(installHooks(hookDeps(other), {}))).toMatchObject({code: 'HOOKS_MANAGED', hint: expect.stringContaining('lefthook.yml')})
    expect(existsSync(join(other.dir, '.git', 'hooks', 'pre-push'))).toBe(false)
  })
})
