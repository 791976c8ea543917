import {spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {expect, test} from 'vitest'
import {tempRepo} from '../helpers/temp-repo.js'

test('npm run demo (the README main job) succeeds offline, with no token, every command as expected', () => {
  const {env} = tempRepo({empty: true})
  const root = join(import.meta.dirname, '..', '..')
  const run = spawnSync(process.execPath, [join(root, 'scripts', 'demo.mjs')], {cwd: root, env: {...env, GH_TOKEN: '', GITHUB_TOKEN: ''}, encoding: 'utf8', timeout: 120_000})
  expect(run.status, run.stdout + run.stderr).toBe(0)
  expect(run.stdout).toContain('All commands succeeded.')
  expect(run.stdout).toContain('Released v0.1.0')
  expect(run.stdout).toMatch(/paused at step 1\/3/)
})
