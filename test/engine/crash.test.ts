import {spawnSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {hostname} from 'node:os'
import {describe, expect, test} from 'vitest'
import {enginePaths, lastRun, readJournal} from '../../src/engine/journal.js'
import {continueRun, runPlan} from '../../src/engine/runner.js'
import {gitStepKinds} from '../../src/engine/steps/git-steps.js'
import {featureStepKinds} from '../../src/core/feature/feature-steps.js'
import {runStatus} from '../../src/engine/status.js'
import type {Journal, Plan, StepKind} from '../../src/engine/types.js'
import {undoRun} from '../../src/engine/undo.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'
import {repoDeps} from './engine-deps.js'

const submitPlan: Plan = {
  command: 'feature submit',
  inputs: {name: 'a'},
  steps: [
    {kind: 'git.createBranch', input: {branch: 'feature/a', from: 'main'}},
    {kind: 'git.checkout', input: {branch: 'feature/a'}},
    {kind: 'git.push', input: {remote: 'origin', refspecs: [{src: 'feature/a', dst: 'refs/heads/feature/a'}]}},
  ],
}

/**
 * Runs the plan until step `at` (0-based) is in progress, then "kills" the process: the step's effect is
 * carried out or not (`afterEffect`), the run never goes on, and the journal and lock are left with the pid
 * of a process that is gone, as SIGKILL would leave them.
 */
async function crashAt(repo: TempRepo, at: number, afterEffect: boolean, plan: Plan = submitPlan): Promise<{flowDir: string; deadPid: number}> {
  const stuck = [...gitStepKinds, ...featureStepKinds].map((kind): StepKind => kind.kind !== plan.steps[at]!.kind ? kind : {
    ...kind,
    run: async (ctx, input) => {
      if (afterEffect) await kind.run(ctx, input)
      reached()
      return new Promise(() => {})
    },
  })
  let reached!: () => void
  const inStep = new Promise<void>((resolve) => (reached = resolve))
  const deps = {...repoDeps(repo), stepKinds: async () => stuck}
  void runPlan(deps, plan)
  await inStep
  const {flowDir} = await deps.repo()
  const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!
  const paths = enginePaths(flowDir)
  const journal = JSON.parse(readFileSync(paths.current, 'utf8')) as Journal
  writeFileSync(paths.current, JSON.stringify({...journal, pid: deadPid}))
  writeFileSync(paths.lock, JSON.stringify({pid: deadPid, host: hostname(), command: plan.command, startedAt: journal.startedAt}))
  return {flowDir, deadPid}
}

describe('a run killed mid-step', () => {
  test('the journal says the step was running; status shows it with a dead pid', async () => {
    const repo = tempRepo()
    const {deadPid} = await crashAt(repo, 1, true)
    const status = await runStatus(repoDeps(repo))
    expect(status.run).toMatchObject({status: 'paused', interrupted: true, step: 2, total: 3, pid: deadPid, pidAlive: false})
    expect(status.run!.steps.map((s) => s.status)).toEqual(['done', 'running', 'pending'])
    expect(status.next).toEqual(['flow continue', 'flow undo', 'flow abort'])
    expect(status.lock).toMatchObject({pid: deadPid, alive: false})
  })

  test.each([
    [0, false], [0, true], [1, false], [1, true], [2, false], [2, true],
  ])('continue finishes after a crash in step %i (effect done: %s), without repeating it', async (at, afterEffect) => {
    const repo = tempRepo()
    const {flowDir} = await crashAt(repo, at, afterEffect)
    const deps = repoDeps(repo)
    const result = await continueRun(deps)
    expect(result.status).toBe('done')
    expect(deps.warnings.join('\n')).toMatch(/Removed a stale lock: flow feature submit/)
    expect(repo.currentBranch()).toBe('feature/a')
    expect(repo.ref('feature/a')).toBe(repo.ref('main'))
    expect(repo.ref('refs/heads/feature/a', repo.origin)).toBe(repo.ref('main'))
    expect(await readJournal(flowDir)).toBeNull()
    const last = (await runStatus(deps)).last!
    expect(last.steps.map((s) => s.status)).toEqual(['done', 'done', 'done'])
    // a step done before the crash was done by flow, not found in place: it stays undoable
    expect(last.steps[at]!.skipped).toBeUndefined()
  })

  test.each([
    [0, false], [0, true], [1, false], [1, true], [2, false], [2, true],
  ])('undo restores the start after a crash in step %i (effect done: %s)', async (at, afterEffect) => {
    const repo = tempRepo()
    const main = repo.ref('main')
    await crashAt(repo, at, afterEffect)
    const result = await undoRun(repoDeps(repo))
    expect(result.notUndone).toEqual([])
    expect(result.complete).toBe(true)
    expect(repo.currentBranch()).toBe('main')
    expect(repo.ref('main')).toBe(main)
    expect(repo.ref('refs/heads/feature/a')).toBeNull()
    expect(repo.ref('refs/heads/feature/a', repo.origin)).toBeNull()
  })
})

describe('a run killed after its last step, before its journal was archived', () => {
  test('continue archives it and reports the run done (exit 0), without running any step again', async () => {
    const repo = tempRepo()
    const deps = repoDeps(repo)
    await runPlan(deps, submitPlan)
    const {flowDir} = await deps.repo()
    const finished = await lastRun(flowDir)
    writeFileSync(enginePaths(flowDir).current, JSON.stringify(finished))
    const said = deps.progress.length
    const result = await continueRun(deps)
    expect(result).toMatchObject({runId: finished!.id, command: 'feature submit', status: 'done'})
    expect(result.steps.map((s) => s.status)).toEqual(['done', 'done', 'done'])
    expect(deps.progress.slice(said)).toEqual([])
    expect(await readJournal(flowDir)).toBeNull()
    expect((await lastRun(flowDir))!.id).toBe(finished!.id)
  })
})

describe('a run killed in git.switchCreate (feature start creates and switches in one step)', () => {
  const startPlan: Plan = {
    command: 'feature start',
    inputs: {name: 's'},
    steps: [
      {kind: 'git.switchCreate', input: {branch: 'feature/s', from: 'main'}},
      {kind: 'git.push', input: {remote: 'origin', refspecs: [{src: 'feature/s', dst: 'refs/heads/feature/s'}]}},
    ],
  }

  test.each([[0, false], [0, true], [1, false], [1, true]])('continue finishes after a crash in step %i (effect done: %s); undo restores the start', async (at, afterEffect) => {
    const repo = tempRepo()
    const main = repo.ref('main')
    await crashAt(repo, at, afterEffect, startPlan)
    const result = await continueRun(repoDeps(repo))
    expect(result.status).toBe('done')
    expect(repo.currentBranch()).toBe('feature/s')
    expect(repo.ref('feature/s')).toBe(main)
    expect(repo.ref('refs/heads/feature/s', repo.origin)).toBe(main)

    const again = tempRepo()
    await crashAt(again, at, afterEffect, startPlan)
    const undone = await undoRun(repoDeps(again))
    expect(undone).toMatchObject({complete: true, notUndone: []})
    expect(again.currentBranch()).toBe('main')
    expect(again.ref('refs/heads/feature/s')).toBeNull()
    expect(again.ref('refs/heads/feature/s', again.origin)).toBeNull()
  })

  test('killed after git made the branch but before it moved HEAD: continue switches to it, undo deletes it', async () => {
    const repo = tempRepo()
    const half: Plan = {...startPlan, steps: [startPlan.steps[0]!]}
    const main = repo.ref('main')
    // The effect half done: the branch is there, HEAD still on main.
    const {flowDir} = await crashAt(repo, 0, false, half)
    repo.git('branch', 'feature/s', 'main')
    expect((await readJournal(flowDir))!.steps[0]!.status).toBe('running')
    const result = await continueRun(repoDeps(repo))
    expect(result.status).toBe('done')
    expect(repo.currentBranch()).toBe('feature/s')
    expect(repo.ref('feature/s')).toBe(main)

    const again = tempRepo()
    await crashAt(again, 0, false, half)
    again.git('branch', 'feature/s', 'main')
    const undone = await undoRun(repoDeps(again))
    expect(undone).toMatchObject({complete: true, notUndone: []})
    expect(again.currentBranch()).toBe('main')
    expect(again.ref('refs/heads/feature/s')).toBeNull()
  })
})

describe('a run killed in feature.startBranch (feature start: create, switch and record the parent in one step)', () => {
  const startPlan: Plan = {
    command: 'feature start',
    inputs: {name: 's'},
    steps: [{kind: 'feature.startBranch', input: {branch: 'feature/s', from: 'main', parentKey: 'branch.feature/s.flow-parent', parent: 'main'}}],
  }
  const parentOf = (repo: ReturnType<typeof tempRepo>) => {
    try {
      return repo.git('config', '--local', '--get', 'branch.feature/s.flow-parent')
    } catch {
      return null
    }
  }

  test.each([false, true])('continue finishes after a crash (effect done: %s); undo leaves neither branch nor key', async (afterEffect) => {
    const repo = tempRepo()
    const main = repo.ref('main')
    await crashAt(repo, 0, afterEffect, startPlan)
    expect((await continueRun(repoDeps(repo, featureStepKinds))).status).toBe('done')
    expect(repo.currentBranch()).toBe('feature/s')
    expect(repo.ref('feature/s')).toBe(main)
    expect(parentOf(repo)).toBe('main')

    const again = tempRepo()
    await crashAt(again, 0, afterEffect, startPlan)
    expect(await undoRun(repoDeps(again, featureStepKinds))).toMatchObject({complete: true, notUndone: []})
    expect(again.currentBranch()).toBe('main')
    expect(again.ref('refs/heads/feature/s')).toBeNull()
    expect(parentOf(again)).toBeNull()
  })

  test('killed between its two effects (branch made and checked out, no parent yet): continue records the parent, undo removes the branch', async () => {
    const repo = tempRepo()
    const {flowDir} = await crashAt(repo, 0, false, startPlan)
    repo.git('switch', '-q', '-c', 'feature/s')
    expect((await readJournal(flowDir))!.steps[0]!.status).toBe('running')
    expect((await continueRun(repoDeps(repo, featureStepKinds))).status).toBe('done')
    expect(repo.currentBranch()).toBe('feature/s')
    expect(parentOf(repo)).toBe('main')

    const again = tempRepo()
    await crashAt(again, 0, false, startPlan)
    again.git('switch', '-q', '-c', 'feature/s')
    expect(await undoRun(repoDeps(again, featureStepKinds))).toMatchObject({complete: true, notUndone: []})
    expect(again.currentBranch()).toBe('main')
    expect(again.ref('refs/heads/feature/s')).toBeNull()
    expect(parentOf(again)).toBeNull()
  })
})
