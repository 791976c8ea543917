import {existsSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {runFlow, startFlow, type FlowRun} from '../helpers/e2e.js'
import {githubSpec} from '../helpers/fake-github/spec.js'
import {count, harm} from '../helpers/reliability.js'
import {COMMANDS, copyScene, prepare, type Prepared, type Scene} from '../helpers/reliability-scenes.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'

// Several flow processes at once (built binary): two in one worktree (the second is refused with a clear lock
// error, the first finishes unharmed), two worktrees of one clone (each its own run), two clones writing records
// and syncing them at the same moment (nothing lost, nothing doubled).

const submit = COMMANDS.find((c) => c.name === 'feature submit')!
let prepared: Prepared
beforeAll(async () => {
  await githubSpec()
  prepared = await prepare(submit)
})
afterAll(() => prepared.dispose())

const flow = (scene: Scene, args: string[], cwd = scene.repo.dir): Promise<FlowRun> => runFlow(args, {cwd, env: scene.env})

function finished(child: ReturnType<typeof startFlow>): Promise<{code: number | null; stdout: string; stderr: string}> {
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  return new Promise((resolve) => child.on('close', (code) => resolve({code, stdout, stderr})))
}

describe('concurrent flow processes (built binary)', () => {
  test('two in one worktree: the second gets one clear lock error, whatever it tries; the first finishes unharmed', async () => {
    const scene = await copyScene(prepared)
    const hold = join(scene.repo.scratch, 'gate.hold')
    const first = startFlow([...submit.argv, '--json'], {cwd: scene.repo.dir, env: {...scene.env, RELIABILITY_GATE_HOLD: hold}})
    const done = finished(first)
    for (let i = 0; i < 400 && !existsSync(hold); i++) await new Promise((r) => setTimeout(r, 25))
    expect(existsSync(hold), 'the first run is inside its gate').toBe(true)
    const head = scene.repo.ref('HEAD')
    try {
    for (const args of [['feature', 'start', 'other'], ['continue'], ['undo', '--yes'], ['abort', '--yes'], [...submit.argv]]) {
      const second = await flow(scene, [...args, '--json'])
      count('concurrencyRuns')
      expect(second.exitCode, `${args.join(' ')}: ${second.stderr}`).toBe(1)
      expect(second.json.error.code).toMatch(/^RUN_(LOCKED|IN_PROGRESS)$/)
      expect(second.json.error.message).not.toContain('\n')
      expect(second.json.error.message).toMatch(/flow feature submit`?.*(in progress|running)/)
    }
    expect(scene.repo.ref('HEAD'), 'the second process changed nothing').toBe(head)
    } finally {
      rmSync(hold, {force: true})
    }
    const result = await done
    count('concurrencyRuns')
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({number: 1, created: true})
    expect(harm('duplicates', submit.made(scene) !== 1)).toBe(false)
    expect((await flow(scene, ['status', '--json'])).json).toMatchObject({run: null, last: {command: 'feature submit', status: 'done'}})
  })

  test('two worktrees of one clone at once: each its own run and journal, one pull request each', async () => {
    const scene = await copyScene(prepared)
    const other = join(scene.repo.scratch, 'wt2')
    scene.repo.git('worktree', 'add', '-q', '-b', 'feature/other', other, 'main')
    scene.repo.git('config', 'branch.feature/other.flow-parent', 'main')
    scene.repo.gitIn(other, 'commit', '-q', '--allow-empty', '-m', 'feat: other')
    const [a, b] = await Promise.all([flow(scene, [...submit.argv, '--json']), flow(scene, [...submit.argv, '--json'], other)])
    count('concurrencyRuns', 2)
    expect(a.exitCode, a.stderr).toBe(0)
    expect(b.exitCode, b.stderr).toBe(0)
    const pulls = scene.state().pulls.map((p) => p.head).sort()
    expect(pulls).toEqual(['feature/other', 'feature/search'])
    expect(harm('duplicates', pulls.length !== 2)).toBe(false)
    expect((await flow(scene, ['status', '--json'], other)).json).toMatchObject({run: null, last: {command: 'feature submit', status: 'done'}})
  })

  test('two clones writing records and syncing at the same moment: every event once, everywhere', async () => {
    const origin = tempRepo()
    const env = {...origin.env, FLOW_OFFLINE: '1'}
    const clones: TempRepo[] = [origin.clone('a'), origin.clone('b')]
    await Promise.all(clones.map(async (clone, i) => {
      for (const n of [1]) {
        expect((await runFlow(['feature', 'start', `c${i}-${n}`], {cwd: clone.dir, env})).exitCode).toBe(0)
        clone.commit(`feat: change ${i}-${n}`)
        const sub = await runFlow(['feature', 'submit', '--json'], {cwd: clone.dir, env})
        expect(sub.exitCode, sub.stderr).toBe(0)
        clone.git('checkout', '-q', 'main')
      }
    }))
    const events = (dir: string) => origin.gitIn(dir, 'ls-tree', '-r', '--name-only', 'refs/heads/flow/records').split('\n').filter(Boolean).sort()
    const written = clones.flatMap((c) => events(c.dir))
    const syncs = await Promise.all(clones.map((c) => runFlow(['records', 'sync', '--json'], {cwd: c.dir, env})))
    count('concurrencyRuns', 2)
    // One of two pushes racing may be refused (non-fast-forward): that run pauses; continue (or a new sync) completes it.
    for (const [i, s] of syncs.entries()) {
      if (s.exitCode === 8) expect((await runFlow(['continue', '--json'], {cwd: clones[i]!.dir, env})).exitCode).toBe(0)
      else expect(s.exitCode, s.stderr).toBe(0)
    }
    for (const c of clones) expect((await runFlow(['records', 'sync', '--json'], {cwd: c.dir, env})).exitCode).toBe(0)
    const everywhere = [events(clones[0]!.dir), events(clones[1]!.dir), events(origin.origin)]
    expect(everywhere[0]).toEqual(everywhere[1])
    expect(everywhere[0]).toEqual(everywhere[2])
    expect(harm('dataLoss', written.some((f) => !everywhere[0]!.includes(f)))).toBe(false)
    expect(harm('duplicates', new Set(everywhere[0]).size !== everywhere[0]!.length)).toBe(false)
    expect(everywhere[0]!.length).toBe(new Set(written).size)
  })
})
