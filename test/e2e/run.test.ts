import {spawnSync} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {hostname} from 'node:os'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {runPlan} from '../../src/engine/runner.js'
import type {Plan} from '../../src/engine/types.js'
import {rejection, repoDeps} from '../engine/engine-deps.js'
import {runFlow} from '../helpers/e2e.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'

const plan: Plan = {
  command: 'feature submit',
  inputs: {name: 'x', draft: true},
  steps: [
    {kind: 'git.createBranch', input: {branch: 'feature/x', from: 'main'}},
    {kind: 'git.checkout', input: {branch: 'feature/x'}},
    {kind: 'git.push', input: {remote: 'upstream', refspecs: [{src: 'feature/x', dst: 'refs/heads/feature/x'}]}},
  ],
}

/** A repository with a run paused at step 3 (the remote `upstream` does not exist yet), written by the engine. */
async function pausedRepo(): Promise<TempRepo> {
  const repo = tempRepo()
  const paused = await rejection(runPlan(repoDeps(repo), plan))
  expect(paused.code).toBe('RUN_PAUSED')
  return repo
}

const flow = (repo: TempRepo, ...args: string[]) => runFlow(args, {cwd: repo.dir, env: repo.env})

describe('flow status, continue, undo and abort (built binary)', () => {
  test('status --json shows the paused run; continue pauses again (exit 8) until the cause is fixed, then finishes', async () => {
    const repo = await pausedRepo()
    const status = await flow(repo, 'status', '--json')
    expect(status.exitCode).toBe(0)
    expect(status.json.run).toMatchObject({
      command: 'feature submit',
      inputs: {name: 'x', draft: true},
      status: 'paused',
      step: 3,
      total: 3,
      start: {branch: 'main', head: repo.ref('main')},
      error: {code: 'REMOTE_MISSING', message: 'There is no remote named upstream in this repository', hint: expect.stringContaining('git remote add upstream')},
    })
    expect(status.json.run.steps.map((s: any) => [s.step, s.status, s.description])).toEqual([
      [1, 'done', 'Create branch feature/x from main'],
      [2, 'done', 'Check out feature/x'],
      [3, 'failed', 'Push feature/x:refs/heads/feature/x to upstream'],
    ])
    expect(status.json.next).toEqual(['flow continue', 'flow undo', 'flow abort'])

    const human = await flow(repo, 'status')
    expect(human.stdout).toContain('flow feature submit: paused at step 3/3')
    expect(human.stdout).toMatch(/✓ 1 {2}Create branch feature\/x from main\n/)
    expect(human.stdout).toMatch(/✗ 3 {2}Push feature\/x:refs\/heads\/feature\/x to upstream\n/)
    expect(human.stdout).toContain('Next: flow continue, flow undo, flow abort')

    const again = await flow(repo, 'continue', '--json')
    expect(again.exitCode).toBe(8)
    expect(again.json.error).toMatchObject({
      code: 'RUN_PAUSED',
      message: 'flow feature submit paused at step 3/3 (Push feature/x:refs/heads/feature/x to upstream): There is no remote named upstream in this repository',
      hint: expect.stringContaining('flow continue'),
    })

    repo.git('remote', 'add', 'upstream', repo.origin)
    const done = await flow(repo, 'continue', '--json')
    expect(done.stderr).toContain('[3/3] Push feature/x')
    expect(done.exitCode).toBe(0)
    expect(done.json).toMatchObject({command: 'feature submit', status: 'done'})
    expect(done.json.steps.map((s: any) => s.status)).toEqual(['done', 'done', 'done'])
    expect(repo.ref('refs/heads/feature/x', repo.origin)).toBe(repo.ref('main'))

    const after = await flow(repo, 'status', '--json')
    expect(after.json.run).toBeNull()
    expect(after.json.last).toMatchObject({status: 'done', command: 'feature submit'})
  })

  test('undo (no TTY: the command is the request) goes back to the start', async () => {
    const repo = await pausedRepo()
    const run = await flow(repo, 'undo', '--json')
    expect(run.exitCode).toBe(0)
    expect(run.json).toMatchObject({command: 'feature submit', status: 'undone', complete: true, notUndone: [], checkout: {branch: 'main'}})
    expect(run.json.undone.map((s: any) => s.step)).toEqual([3, 2, 1])
    expect(repo.currentBranch()).toBe('main')
    expect(repo.ref('refs/heads/feature/x')).toBeNull()
    const again = await flow(repo, 'undo', '--json')
    expect(again.exitCode).toBe(1)
    expect(again.json.error).toMatchObject({code: 'NO_RUN', message: 'Nothing to undo: no paused run in this worktree'})
  })

  test('abort stops tracking and leaves everything as it is', async () => {
    const repo = await pausedRepo()
    const run = await flow(repo, 'abort', '--yes')
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain('Stopped tracking flow feature submit at step 3/3; nothing was undone.')
    expect(repo.currentBranch()).toBe('feature/x')
    const status = await flow(repo, 'status', '--json')
    expect(status.json).toMatchObject({run: null, last: {status: 'aborted'}})
    for (const verb of ['continue', 'abort']) {
      const none = await flow(repo, verb, '--json')
      expect(none.exitCode).toBe(1)
      expect(none.json.error.code).toBe('NO_RUN')
    }
  })

  test('a journal written by another process that was killed mid-step is finished by continue', async () => {
    const repo = tempRepo()
    const main = repo.ref('main')!
    repo.git('branch', 'feature/k', main)
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!
    const flowDir = join(repo.dir, '.git', 'flow')
    mkdirSync(flowDir, {recursive: true})
    const at = '2026-01-01T00:00:00.000Z'
    writeFileSync(join(flowDir, 'run.json'), JSON.stringify({
      version: 1, id: '01JZZZZZZZZZZZZZZZZZZZZZZZ', command: 'feature start', inputs: {name: 'k'}, status: 'running', cursor: 1,
      startedAt: at, updatedAt: at, start: {branch: 'main', head: main}, pid: dead, host: hostname(),
      plan: [{kind: 'git.createBranch', input: {branch: 'feature/k', from: 'main'}}, {kind: 'git.checkout', input: {branch: 'feature/k'}}],
      steps: [
        {kind: 'git.createBranch', description: 'Create branch feature/k from main', status: 'done', refsBefore: {'refs/heads/feature/k': null}, refsAfter: {'refs/heads/feature/k': main}},
        {kind: 'git.checkout', description: 'Check out feature/k', status: 'running', attempts: 1, refsBefore: {HEAD: main}, prepared: {previous: 'main', head: main}},
      ],
    }))
    writeFileSync(join(flowDir, 'lock'), JSON.stringify({pid: dead, host: hostname(), command: 'feature start', startedAt: at}))
    const status = await flow(repo, 'status', '--json')
    expect(status.json.run).toMatchObject({status: 'paused', interrupted: true, pid: dead, pidAlive: false, step: 2})

    const run = await flow(repo, 'continue', '--json')
    expect(run.exitCode).toBe(0)
    expect(run.stderr).toContain(`Removed a stale lock: flow feature start (pid ${dead}`)
    expect(repo.currentBranch()).toBe('feature/k')
  })

  test('a lock held by a live process refuses continue with RUN_LOCKED', async () => {
    const repo = await pausedRepo()
    writeFileSync(join(repo.dir, '.git', 'flow', 'lock'), JSON.stringify({pid: process.pid, host: hostname(), command: 'release cut', startedAt: '2026-01-01T00:00:00.000Z'}))
    const run = await flow(repo, 'continue', '--json')
    expect(run.exitCode).toBe(1)
    expect(run.json.error.code).toBe('RUN_LOCKED')
    expect(run.json.error.message).toBe(`another flow run (pid ${process.pid}, \`flow release cut\`, started 2026-01-01T00:00:00.000Z) is in progress in this worktree`)
    const status = await flow(repo, 'status', '--json')
    expect(status.json.lock).toMatchObject({pid: process.pid, alive: true})
    expect(status.json.run.status).toBe('paused')
  })
})
