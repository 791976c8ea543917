import {spawn} from 'node:child_process'
import {chmodSync, existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import type {Journal, Plan} from '../../src/engine/types.js'
import {runFlow} from '../helpers/e2e.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'

const plan: Plan = {
  command: 'feature submit',
  inputs: {},
  steps: [
    {kind: 'git.createBranch', input: {branch: 'feature/k', from: 'main'}},
    {kind: 'git.checkout', input: {branch: 'feature/k'}},
    {kind: 'git.push', input: {remote: 'origin', refspecs: [{src: 'feature/k', dst: 'refs/heads/feature/k'}]}},
  ],
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) return
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** Starts the plan in another process, holds it inside the push (a blocking pre-receive hook), and SIGKILLs it there. */
async function killDuringPush(repo: TempRepo): Promise<void> {
  const entered = join(repo.scratch, 'hook-entered')
  const release = join(repo.scratch, 'hook-release')
  const hook = join(repo.origin, 'hooks', 'pre-receive')
  writeFileSync(hook, `#!/bin/sh\ncat >/dev/null\ntouch '${entered}'\nwhile [ ! -e '${release}' ]; do sleep 0.05; done\nexit 1\n`)
  chmodSync(hook, 0o755)
  const child = spawn(process.execPath, [join(import.meta.dirname, 'fixtures', 'run-plan.mjs'), JSON.stringify(plan)], {cwd: repo.dir, env: repo.env, stdio: 'ignore'})
  const exited = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)))
  await until(() => existsSync(entered), 'the push to reach the hook')
  const journal = JSON.parse(readFileSync(join(repo.dir, '.git', 'flow', 'run.json'), 'utf8')) as Journal
  expect(journal.steps.map((s) => s.status)).toEqual(['done', 'done', 'running'])
  child.kill('SIGKILL')
  expect(await exited).toBe('SIGKILL')
  // the hook rejects the push that was under way, so the remote never got it
  writeFileSync(release, '')
  writeFileSync(hook, '#!/bin/sh\nexit 0\n')
}

describe('SIGKILL in the middle of a step (another process, the built engine)', () => {
  test('flow continue finishes the run', async () => {
    const repo = tempRepo()
    await killDuringPush(repo)
    const status = await runFlow(['status', '--json'], {cwd: repo.dir, env: repo.env})
    expect(status.json.run).toMatchObject({status: 'paused', interrupted: true, pidAlive: false, step: 3})
    const run = await runFlow(['continue', '--json'], {cwd: repo.dir, env: repo.env})
    expect(run.exitCode).toBe(0)
    expect(run.json.status).toBe('done')
    expect(repo.ref('refs/heads/feature/k', repo.origin)).toBe(repo.ref('main'))
    expect(repo.currentBranch()).toBe('feature/k')
  })

  test('flow undo restores the starting state', async () => {
    const repo = tempRepo()
    await killDuringPush(repo)
    const run = await runFlow(['undo', '--json'], {cwd: repo.dir, env: repo.env})
    expect(run.exitCode).toBe(0)
    expect(run.json).toMatchObject({complete: true, notUndone: []})
    expect(repo.currentBranch()).toBe('main')
    expect(repo.ref('refs/heads/feature/k')).toBeNull()
    expect(repo.ref('refs/heads/feature/k', repo.origin)).toBeNull()
  })
})
