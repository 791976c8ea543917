import {existsSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {runFlow} from '../helpers/e2e.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'

const flow = (repo: TempRepo, env: Record<string, string>, ...args: string[]) => runFlow(args, {cwd: repo.dir, env: {...repo.env, ...env}})

describe('flow feature: sync conflicts and hostile input through the built binary', () => {
  test('a conflict during sync pauses with exit 8; after resolving, flow continue completes', async () => {
    const repo = tempRepo()
    repo.commit('chore: base', {'a.txt': 'one\n'})
    repo.git('push', '-q', 'origin', 'main')
    await flow(repo, {}, 'feature', 'start', 'x')
    repo.commit('feat: mine', {'a.txt': 'mine\n'})
    const other = repo.clone('other')
    other.commit('feat: theirs', {'a.txt': 'theirs\n'})
    other.git('push', '-q', 'origin', 'main')
    const paused = await flow(repo, {}, 'feature', 'sync', '--json')
    expect(paused.exitCode).toBe(8)
    expect(paused.json.error.message).toContain('a.txt')
    writeFileSync(join(repo.dir, 'a.txt'), 'both\n')
    repo.git('add', 'a.txt')
    const resumed = await flow(repo, {}, 'continue', '--json')
    expect(resumed.exitCode, resumed.stderr).toBe(0)
    expect(repo.git('show', 'feature/x:a.txt')).toBe('both')
    expect(repo.git('log', '--format=%s', 'origin/main..feature/x')).toBe('feat: mine')
  })

  test('hostile names and titles: exit 2 or passed through as data, never run by a shell', async () => {
    const repo = tempRepo()
    const env = {FLOW_OFFLINE: '1'}
    for (const name of ['x;touch canary', '$(touch canary)', '`touch canary`', '-rf', 'a\nb']) {
      const run = await flow(repo, env, 'feature', 'start', name, '--json')
      expect(run.exitCode, `${name}: ${run.stdout}`).toBe(2)
      expect(run.json.error.code).toBe('USAGE')
    }
    const base = await flow(repo, env, 'feature', 'start', 'ok', '--base', '$(touch canary)', '--json')
    expect(base.exitCode).toBe(2)
    await flow(repo, env, 'feature', 'start', 'ok')
    repo.commit('fix: something')
    const title = '$(touch canary); `touch canary` | x'
    const submitted = await flow(repo, env, 'feature', 'submit', '--title', title, '--label', '$(touch canary)', '--json')
    expect(submitted.exitCode, submitted.stderr).toBe(0)
    expect(submitted.json.title).toBe(title)
    expect(existsSync(join(repo.dir, 'canary'))).toBe(false)
    expect(existsSync(join(repo.scratch, 'canary'))).toBe(false)
  })
})

