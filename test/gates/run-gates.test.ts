import {chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {FlowConfigSchema, type FlowConfigInput} from '../../src/core/config/schema.js'
import {runGates} from '../../src/core/gates/run-gates.js'
import {resolveRepo} from '../../src/core/repo.js'
import {ExecaShell} from '../../src/providers/execa-shell.js'
import {GitCli} from '../../src/providers/git-cli.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'

function gateDeps(repo: TempRepo, input: FlowConfigInput) {
  const git = new GitCli(repo.dir, repo.env)
  const progress: string[] = []
  const config = FlowConfigSchema.parse(input)
  return {
    progress,
    git,
    shell: new ExecaShell(repo.dir, repo.env),
    reporter: {progress: (m: string) => progress.push(m), warn: (m: string) => progress.push(m), info: () => {}},
    config: async () => ({config}),
    repo: () => resolveRepo(git),
    clock: {now: () => new Date()},
  }
}

const node = (code: string) => [process.execPath, '-e', code]
const sleep = (ms: number, out = '') => node(`setTimeout(() => console.log(${JSON.stringify(out)}), ${ms})`)

describe('runGates on a real repository', () => {
  test('needs order the gates; independent ones run in parallel; FLOW_GATE, FLOW_STAGE and env reach the command', async () => {
    const repo = tempRepo()
    const deps = gateDeps(repo, {
      gates: {
        a: {run: sleep(600, 'a')},
        b: {run: sleep(600, 'b')},
        c: {run: node('console.log(process.env.FLOW_GATE, process.env.FLOW_STAGE, process.env.EXTRA)'), needs: ['a', 'b'], env: {EXTRA: 'x'}},
      },
      stages: {submit: ['c']},
    })
    const run = await runGates(deps, {concurrency: 2})
    expect(run.ok).toBe(true)
    expect(run.gates.map((g) => [g.name, g.status])).toEqual([['a', 'passed'], ['b', 'passed'], ['c', 'passed']])
    expect(readFileSync(run.gates[2]!.log, 'utf8')).toContain('c submit x')
    expect(run.gates[0]!.log).toBe(join(repo.dir, '.git', 'flow', 'gates', 'a.log'))
    // a and b started before either finished
    const starts = deps.progress.filter((l) => /started|passed/.test(l)).slice(0, 3)
    expect(starts.slice(0, 2).sort()).toEqual(['▸ a started', '▸ b started'])
  })

  test('a failure: the tail of its output, dependants skipped, optional failures reported but not blocking', async () => {
    const repo = tempRepo()
    const deps = gateDeps(repo, {
      gates: {
        bad: {run: node('for (let i = 1; i <= 30; i++) console.log("line " + i); process.exit(3)')},
        after: {run: node('0'), needs: ['bad']},
        flaky: {run: 'exit 1', optional: true},
      },
      stages: {submit: ['after', 'flaky']},
    })
    const run = await runGates(deps, {})
    expect(run.ok).toBe(false)
    expect(run.failed).toEqual(['bad', 'after'])
    const bad = run.gates.find((g) => g.name === 'bad')!
    expect(bad).toMatchObject({status: 'failed', exitCode: 3, reason: 'exit code 3'})
    expect(bad.tail).toHaveLength(20)
    expect(bad.tail!.at(-1)).toBe('line 30')
    expect(readFileSync(bad.log, 'utf8')).toContain('line 1\n')
    expect(run.gates.find((g) => g.name === 'after')).toMatchObject({status: 'skipped', reason: 'needs bad, which did not pass'})
    expect(run.gates.find((g) => g.name === 'flaky')).toMatchObject({status: 'failed', optional: true})
    expect(deps.progress).toContain('  │ line 30')
  })

  test('--fail-fast stops a running gate and starts nothing more', async () => {
    const repo = tempRepo()
    const deps = gateDeps(repo, {
      gates: {
        fails: {run: node('setTimeout(() => process.exit(1), 100)')},
        slow: {run: sleep(5000)},
        later: {run: node('0'), needs: ['slow']},
      },
      stages: {submit: ['fails', 'later']},
    })
    const t0 = Date.now()
    const run = await runGates(deps, {failFast: true, concurrency: 4})
    expect(Date.now() - t0).toBeLessThan(4000)
    expect(run.gates.map((g) => [g.name, g.status])).toEqual([['fails', 'failed'], ['slow', 'cancelled'], ['later', 'skipped']])
  })

  test('a timeout fails the gate and says so', async () => {
    const repo = tempRepo()
    const deps = gateDeps(repo, {gates: {hang: {run: 'sleep 5', timeout: '300ms'}}, stages: {submit: ['hang']}})
    const run = await runGates(deps, {})
    expect(run.gates[0]).toMatchObject({status: 'failed', timedOut: true, reason: 'timed out after 300ms'})
  })

  test('the cache: a second run skips green gates; editing one file re-runs only the gates whose inputs match it', async () => {
    const repo = tempRepo()
    repo.commit('feat: code', {'src/a.ts': 'a', 'docs/x.md': 'x'})
    const counter = (name: string) => node(`require('node:fs').appendFileSync(${JSON.stringify(join(repo.scratch, name))}, 'x')`)
    const deps = gateDeps(repo, {
      gates: {
        code: {run: counter('code'), inputs: ['src/**']},
        docs: {run: counter('docs'), inputs: ['docs/**', '*.md']},
        always: {run: counter('always')},
      },
      stages: {submit: ['code', 'docs', 'always']},
    })
    const statuses = async (options = {}) => Object.fromEntries((await runGates(deps, options)).gates.map((g) => [g.name, g.status]))
    expect(await statuses()).toEqual({always: 'passed', code: 'passed', docs: 'passed'})
    expect(await statuses()).toEqual({always: 'passed', code: 'cached', docs: 'cached'})
    repo.write('src/a.ts', 'changed, not committed')
    expect(await statuses()).toEqual({always: 'passed', code: 'passed', docs: 'cached'})
    repo.write('docs/new.md', 'untracked file')
    expect(await statuses()).toEqual({always: 'passed', code: 'cached', docs: 'passed'})
    expect(await statuses({noCache: true})).toEqual({always: 'passed', code: 'passed', docs: 'passed'})
    expect(readFileSync(join(repo.scratch, 'code'), 'utf8')).toBe('xxx')
    expect(readFileSync(join(repo.scratch, 'docs'), 'utf8')).toBe('xxx')
    expect(readFileSync(join(repo.scratch, 'always'), 'utf8')).toBe('xxxxx')
  })

  test('a tool named in tools is part of the cache key: a new version re-runs the gate', async () => {
    const repo = tempRepo()
    const bin = join(repo.scratch, 'bin')
    mkdirSync(bin)
    writeFileSync(join(bin, 'mytool'), `#!/bin/sh\ncat "${join(repo.scratch, 'version')}"\n`)
    chmodSync(join(bin, 'mytool'), 0o755)
    writeFileSync(join(repo.scratch, 'version'), '1.0.0\n')
    repo.env.PATH = `${bin}:${repo.env.PATH}`
    const deps = gateDeps(repo, {gates: {g: {run: node('0'), inputs: ['**'], tools: ['mytool']}}, stages: {submit: ['g']}})
    const status = async () => (await runGates(deps, {})).gates[0]!.status
    expect(await status()).toBe('passed')
    expect(await status()).toBe('cached')
    writeFileSync(join(repo.scratch, 'version'), '2.0.0\n')
    expect(await status()).toBe('passed')
    expect(await status()).toBe('cached')
  })

  test('a failed gate is not cached', async () => {
    const repo = tempRepo()
    const deps = gateDeps(repo, {gates: {f: {run: 'exit 1', inputs: ['**']}}, stages: {submit: ['f']}})
    expect((await runGates(deps, {})).gates[0]!.status).toBe('failed')
    expect((await runGates(deps, {})).gates[0]!.status).toBe('failed')
  })

  test('builtin gates against the merge-base with main', async () => {
    const repo = tempRepo()
    repo.git('checkout', '-q', '-b', 'wip')
    repo.commit('feat: fine', {'a.txt': 'a'})
    const bad = repo.commit('added stuff', {'b.txt': `token = "ghp_${'Z9'.repeat(18)}"\n`})
    const deps = gateDeps(repo, {
      gates: {cc: {builtin: 'conventional-commits'}, name: {builtin: 'branch-name'}, secrets: {builtin: 'no-secrets'}, files: {builtin: 'required-files', files: ['CHANGELOG.md'], when: ['*.txt']}},
      stages: {submit: ['cc', 'name', 'secrets', 'files']},
    })
    const run = await runGates(deps, {})
    const log = (name: string) => readFileSync(run.gates.find((g) => g.name === name)!.log, 'utf8')
    expect(run.gates.every((g) => g.status === 'failed')).toBe(true)
    expect(log('cc')).toContain(`${bad.slice(0, 12)} "added stuff": the header "added stuff" is not`)
    expect(log('cc')).toContain('1 of 2 commits since')
    expect(log('name')).toContain('branch "wip" matches none of feature/{slug}, hotfix/{slug}')
    expect(log('secrets')).toContain('b.txt:1: looks like a GitHub token (value not shown)')
    expect(log('secrets')).not.toContain('ghp_')
    expect(log('files')).toContain('no file matching CHANGELOG.md changed')
    repo.write('CHANGELOG.md', 'x')
    expect(existsSync(join(repo.dir, 'CHANGELOG.md'))).toBe(true)
    const again = await runGates(deps, {only: ['files']})
    expect(again.gates[0]!.status).toBe('passed')
  })
})
