import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {runFlow} from '../helpers/e2e.js'
import {tempRepo} from '../helpers/temp-repo.js'

const node = (code: string) => JSON.stringify([process.execPath, '-e', code])

describe('flow metrics workflow (binary)', () => {
  test('figures from real gate runs and a feature cycle equal those computed from the history by hand', async () => {
    const repo = tempRepo()
    const marker = join(repo.scratch, 'failed-once')
    // `flaky` fails the first time it runs and passes after, on the same inputs; `steady` always passes.
    repo.write('flow.yml', `gates:
  steady: {run: ${node('0')}, inputs: ["src/**"]}
  flaky:
    run: ${node(`const fs = require('fs'); if (!fs.existsSync(${JSON.stringify(marker)})) { fs.writeFileSync(${JSON.stringify(marker)}, '1'); process.exit(1) }`)}
    inputs: ["src/**"]
stages:
  submit: [steady, flaky]
`)
    repo.write('src/a.txt', 'a')
    repo.commit('chore: gates')
    const env = {...repo.env, FLOW_OFFLINE: '1'}
    const flow = (...args: string[]) => runFlow(args, {cwd: repo.dir, env})

    expect((await flow('gates', 'run', 'submit')).exitCode).toBe(5)
    expect((await flow('gates', 'run', 'submit')).exitCode).toBe(0) // flaky passes; steady is cached
    expect((await flow('gates', 'run', 'submit')).exitCode).toBe(0) // both cached

    expect((await flow('feature', 'start', 'report')).exitCode).toBe(0)
    repo.commit('feat: report', {'src/b.txt': 'b'})
    const submitted = await flow('feature', 'submit', '--json') // runs the submit stage: both gates run again (new inputs)
    expect(submitted.exitCode, submitted.stderr).toBe(0)
    expect((await flow('feature', 'approve', '1')).exitCode).toBe(0)
    const finished = await flow('feature', 'finish', '--json')
    expect(finished.exitCode, finished.stderr).toBe(0)

    const report = await flow('metrics', 'workflow', '--json')
    expect(report.exitCode, report.stderr).toBe(0)

    // By hand, from the history file.
    const lines = readFileSync(join(repo.dir, '.git', 'flow', 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    const results = (name: string) => lines.filter((l) => l.type === 'gate' && l.gate === name).map((l) => l.status)
    const flakyStatuses = results('flaky')
    const steadyStatuses = results('steady')
    expect(flakyStatuses).toEqual(['failed', 'passed', 'cached', 'passed', 'cached'])
    expect(steadyStatuses).toEqual(['passed', 'cached', 'cached', 'passed', 'cached'])
    const start = lines.find((l) => l.type === 'run' && l.command === 'feature start')
    const finish = lines.find((l) => l.type === 'run' && l.command === 'feature finish')
    const submit = lines.find((l) => l.type === 'run' && l.command === 'feature submit')
    expect(start.created).toEqual(['feature/report'])
    expect(submit.pullRequest).toEqual({number: 1, opened: true})

    const json = report.json
    expect(json.gates.find((g: {gate: string}) => g.gate === 'flaky')).toMatchObject({ran: 3, failed: 1, passed: 2, cached: 2, flaky: 1, cacheHitRate: 0.4})
    expect(json.gates.find((g: {gate: string}) => g.gate === 'steady')).toMatchObject({ran: 2, failed: 0, cached: 3, flaky: 0, cacheHitRate: 0.6})
    expect(json.flakyGates).toBe(1)
    expect(json.flakiest).toEqual(['flaky'])
    const stageRuns = lines.filter((l) => l.type === 'gates' && l.stage === 'submit')
    expect(json.stages[0]).toMatchObject({stage: 'submit', runs: stageRuns.length, failedRuns: 1, totalMs: stageRuns.reduce((t: number, l: {durationMs: number}) => t + l.durationMs, 0)})
    expect(json.featureLeadTime).toEqual({count: 1, medianMs: Date.parse(finish.finishedAt) - Date.parse(start.startedAt), p90Ms: Date.parse(finish.finishedAt) - Date.parse(start.startedAt)})
    expect(json.reviewWait.count).toBe(1)
    expect(json.commands).toEqual(expect.arrayContaining([{command: 'feature finish', done: 1, undone: 0, aborted: 0}]))

    const human = await flow('metrics', 'workflow')
    expect(human.stdout).toContain('flaky gates: flaky')
    expect(human.stdout).toMatch(/feature start → finish: median/)
    const bad = await flow('metrics', 'workflow', '--since', 'yesterday')
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toContain('not a duration')
  })
})
