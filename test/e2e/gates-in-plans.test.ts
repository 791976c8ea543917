import {existsSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {runFlow} from '../helpers/e2e.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'

const flow = (repo: TempRepo, ...args: string[]) => runFlow(args, {cwd: repo.dir, env: {...repo.env, FLOW_OFFLINE: '1'}})

/** A repo whose `submit` and `release` stages run one gate that passes only while the file `green` exists. */
function repoWithGate(): TempRepo {
  const repo = tempRepo()
  repo.write('flow.yml', [
    'review: {approvals: 0}',
    'gates:',
    "  check: {run: [node, -e, \"process.exit(require('fs').existsSync('green') ? 0 : (console.log('not green yet'), 1))\"]}",
    'stages:',
    '  submit: [check]',
    '  release: [check]',
    '',
  ].join('\n'))
  repo.write('.gitignore', 'green\n')
  repo.commit('chore: flow.yml with a gate')
  return repo
}

describe('gate stages inside plans (built binary)', () => {
  test('feature submit runs the submit gates first: red pauses before anything is pushed or opened; continue finishes', async () => {
    const repo = repoWithGate()
    expect((await flow(repo, 'feature', 'start', 'gated')).exitCode).toBe(0)
    repo.commit('feat: gated change')
    const red = await flow(repo, 'feature', 'submit', '--json')
    expect(red.exitCode).toBe(8)
    expect(red.json.error.message).toContain('the submit gates failed: check')
    expect(red.stderr).toContain('not green yet')
    expect(repo.ref('refs/heads/flow/records')).toBeNull()

    repo.write('green', '')
    const resumed = await flow(repo, 'continue', '--json')
    expect(resumed.exitCode, resumed.stderr).toBe(0)
    expect(resumed.json.steps[0]).toMatchObject({kind: 'gates.run', status: 'done'})
    const again = await flow(repo, 'feature', 'submit', '--json')
    expect(again.json, again.stderr).toMatchObject({number: 1, created: false, gates: 'passed'})

    const listed = await flow(repo, 'feature', 'list', '--json')
    expect(listed.json.branches[0]).toMatchObject({branch: 'feature/gated', gates: {stage: 'submit', ok: true, failed: [], current: true}})
    repo.commit('feat: one more')
    const moved = await flow(repo, 'feature', 'list', '--json')
    expect(moved.json.branches[0].gates).toMatchObject({ok: true, current: false})
  })

  test('feature finish runs the submit gates again before merging', async () => {
    const repo = repoWithGate()
    repo.write('green', '')
    await flow(repo, 'feature', 'start', 'finishing')
    repo.commit('fix: a fix')
    const submitted = await flow(repo, 'feature', 'submit')
    expect(submitted.exitCode, submitted.stderr).toBe(0)
    const mainBefore = repo.ref('main')
    rmSync(join(repo.dir, 'green'))
    const red = await flow(repo, 'feature', 'finish', '--json')
    expect(red.exitCode).toBe(8)
    expect(repo.ref('main')).toBe(mainBefore)
    expect((await flow(repo, 'abort', '--yes')).exitCode).toBe(0)
  })

  test('release plan lists the release gates; release cut runs them first and stops on red', async () => {
    const repo = repoWithGate()
    repo.commit('feat: something to release')
    const plan = await flow(repo, 'release', 'plan', '--json')
    expect(plan.exitCode, plan.stderr).toBe(0)
    expect(plan.json.steps[0]).toBe('Run the release gates')
    const red = await flow(repo, 'release', 'cut', '--yes', '--json')
    expect(red.exitCode).toBe(8)
    expect(repo.git('tag', '--list')).toBe('')
    expect(existsSync(join(repo.dir, 'CHANGELOG.md'))).toBe(false)
    repo.write('green', '')
    const resumed = await flow(repo, 'continue', '--json')
    expect(resumed.exitCode, resumed.stderr).toBe(0)
    expect(repo.git('tag', '--list')).toMatch(/^v\d+\.\d+\.\d+$/)
  })
})
