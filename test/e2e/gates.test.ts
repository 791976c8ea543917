import {spawnSync} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {parse} from 'yaml'
import {BIN, runFlow} from '../helpers/e2e.js'
import {tempRepo} from '../helpers/temp-repo.js'

const node = (code: string) => JSON.stringify([process.execPath, '-e', code])

const FLOW_YML = `gates:
  ok: {run: ${node('console.log("fine")')}, inputs: ["src/**"]}
  bad:
    run: ${node('for (let i = 1; i <= 40; i++) console.log("out " + i); console.error("the real reason"); process.exit(2)')}
  after: {run: ${node('0')}, needs: [bad]}
  soft: {run: "exit 1", optional: true}
stages:
  submit: [ok, after, soft]
  green: [ok]
`

describe('flow gates (binary)', () => {
  test('a failing gate: exit 5, its tail on stderr, the whole output in the log; JUnit; GitHub annotations and job summary', async () => {
    const repo = tempRepo()
    repo.write('flow.yml', FLOW_YML)
    repo.write('src/a.txt', 'a')
    const summary = join(repo.scratch, 'summary.md')
    const run = await runFlow(['gates', 'run', '--junit', 'out/junit.xml'], {cwd: repo.dir, env: {...repo.env, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary}})
    expect(run.exitCode).toBe(5)
    expect(run.stderr).toContain('✗ bad failed')
    expect(run.stderr).toContain('  │ the real reason')
    expect(run.stderr).not.toContain('│ out 20\n')
    expect(run.stderr).toContain('Error: required gates failed: bad, after')
    expect(run.stdout).toMatch(/^::error title=Gate bad failed::bad: exit code 2%0A/m)
    expect(run.stdout).toMatch(/^::warning title=Gate soft failed::/m)
    expect(run.stdout).toMatch(/✗ bad +failed/)
    const log = readFileSync(join(repo.dir, '.git', 'flow', 'gates', 'bad.log'), 'utf8')
    expect(log).toContain('out 1\n')
    expect(log).toContain('the real reason')
    expect(readFileSync(join(repo.dir, 'out', 'junit.xml'), 'utf8')).toContain('<testcase name="bad" classname="flow.gates"')
    expect(readFileSync(summary, 'utf8')).toContain('| bad | ❌ failed: exit code 2 |')
  })

  test('--json: the run document, exit 5 on failure; a green stage exits 0 and is cached the second time', async () => {
    const repo = tempRepo()
    repo.write('flow.yml', FLOW_YML)
    repo.write('src/a.txt', 'a')
    const failed = await runFlow(['gates', 'run', '--json', '--only', 'bad', '--only', 'soft'], {cwd: repo.dir, env: repo.env})
    expect(failed.exitCode).toBe(5)
    expect(failed.json).toMatchObject({ok: false, failed: ['bad'], gates: [{name: 'bad', status: 'failed', exitCode: 2, optional: false}, {name: 'soft', status: 'failed', optional: true}]})
    expect(failed.json.gates[0].tail.at(-1)).toBe('the real reason')
    const first = await runFlow(['gates', 'run', 'green', '--json'], {cwd: repo.dir, env: repo.env})
    expect(first.exitCode).toBe(0)
    expect(first.json).toMatchObject({ok: true, stage: 'green', failed: [], gates: [{name: 'ok', status: 'passed'}]})
    const second = await runFlow(['gates', 'run', 'green', '--json'], {cwd: repo.dir, env: repo.env})
    expect(second.json.gates[0].status).toBe('cached')
    const forced = await runFlow(['gates', 'run', 'green', '--json', '--no-cache'], {cwd: repo.dir, env: repo.env})
    expect(forced.json.gates[0].status).toBe('passed')

    const list = await runFlow(['gates', 'list', '--json'], {cwd: repo.dir, env: repo.env})
    expect(list.exitCode).toBe(0)
    expect(list.json.stages).toEqual({submit: ['ok', 'after', 'soft'], green: ['ok']})
    expect(list.json.gates.find((g: {name: string}) => g.name === 'ok')).toMatchObject({inputs: ['src/**'], stages: ['submit', 'green'], last: {status: 'passed', stage: 'green'}})
    expect(list.json.gates.find((g: {name: string}) => g.name === 'after')).toMatchObject({needs: ['bad'], does: expect.stringContaining('-e 0')})
    expect(list.json.gates.find((g: {name: string}) => g.name === 'after').last).toBeUndefined()
    const human = await runFlow(['gates', 'list'], {cwd: repo.dir, env: repo.env})
    expect(human.stdout).toContain('stage green: ok')
  })

  test('an unknown stage or gate is a usage error (exit 2)', async () => {
    const repo = tempRepo()
    repo.write('flow.yml', FLOW_YML)
    const run = await runFlow(['gates', 'run', 'nope'], {cwd: repo.dir, env: repo.env})
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain('no stage named nope')
  })
})

describe('flow hooks (binary)', () => {
  test('install keeps an existing pre-push hook; uninstall puts it back', async () => {
    const repo = tempRepo()
    repo.write('flow.yml', 'hooks: {install: [pre-push]}\n')
    const hook = join(repo.dir, '.git', 'hooks', 'pre-push')
    writeFileSync(hook, '#!/bin/sh\nexit 0\n')
    chmodSync(hook, 0o755)
    const dry = await runFlow(['hooks', 'install', '--dry-run'], {cwd: repo.dir, env: repo.env})
    expect(dry.stdout).toContain('Rename .git/hooks/pre-push to .git/hooks/pre-push.local')
    expect(readFileSync(hook, 'utf8')).toBe('#!/bin/sh\nexit 0\n')
    const install = await runFlow(['hooks', 'install', '--json'], {cwd: repo.dir, env: repo.env})
    expect(install.exitCode).toBe(0)
    expect(install.json.hooks).toEqual([{hook: 'pre-push', action: 'installed', chained: '.git/hooks/pre-push.local'}])
    expect(readFileSync(hook, 'utf8')).toContain('# flow hooks:')
    const doctor = await runFlow(['doctor', '--json'], {cwd: repo.dir, env: repo.env})
    expect(doctor.json.checks.find((c: {id: string}) => c.id === 'hooks')).toMatchObject({status: 'ok'})
    const uninstall = await runFlow(['hooks', 'uninstall'], {cwd: repo.dir, env: repo.env})
    expect(uninstall.exitCode).toBe(0)
    expect(uninstall.stdout).toContain('pre-push: removed (.git/hooks/pre-push restored)')
    expect(readFileSync(hook, 'utf8')).toBe('#!/bin/sh\nexit 0\n')
    expect(existsSync(`${hook}.local`)).toBe(false)
  })
})

describe('flow ci generate (binary)', () => {
  test('writes the workflow; --check passes, then catches a hand edit with exit 1 and CI_DRIFT', async () => {
    const repo = tempRepo()
    repo.write('flow.yml', 'gates:\n  build: {run: [npm, run, build]}\n  test: {run: [npm, test], needs: [build]}\nstages:\n  submit: [test]\n')
    const gen = await runFlow(['ci', 'generate', '--json'], {cwd: repo.dir, env: repo.env})
    expect(gen.exitCode).toBe(0)
    expect(gen.json).toEqual({path: '.github/workflows/flow.yml', stage: 'submit', jobs: ['build', 'test'], status: 'written'})
    const file = join(repo.dir, '.github', 'workflows', 'flow.yml')
    expect(parse(readFileSync(file, 'utf8')).jobs.test.needs).toEqual(['build'])
    const again = await runFlow(['ci', 'generate'], {cwd: repo.dir, env: repo.env})
    expect(again.stdout).toContain('already up to date')
    expect((await runFlow(['ci', 'generate', '--check'], {cwd: repo.dir, env: repo.env})).exitCode).toBe(0)
    writeFileSync(file, readFileSync(file, 'utf8').replace('npm ci', 'npm install'))
    const drift = await runFlow(['ci', 'generate', '--check', '--json'], {cwd: repo.dir, env: repo.env})
    expect(drift.exitCode).toBe(1)
    expect(drift.json.error).toMatchObject({code: 'CI_DRIFT', message: '.github/workflows/flow.yml differs from what flow.yml generates', hint: expect.stringContaining('flow ci generate')})
    const single = await runFlow(['ci', 'generate', '--single-job', '--json'], {cwd: repo.dir, env: repo.env})
    expect(single.json.jobs).toEqual(['gates'])
  })
})

describe('the commit-msg hook with the real binary', () => {
  test('a commit whose message breaks the convention is refused, with the reason; a good one goes through', async () => {
    const repo = tempRepo()
    repo.write('flow.yml', 'hooks: {install: [commit-msg]}\ngates:\n  commits: {builtin: conventional-commits}\nstages:\n  commit-msg: [commits]\n')
    const bin = join(repo.scratch, 'bin')
    mkdirSync(bin)
    writeFileSync(join(bin, 'flow'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`)
    chmodSync(join(bin, 'flow'), 0o755)
    const env = {...repo.env, PATH: `${bin}:${repo.env.PATH}`}
    expect((await runFlow(['hooks', 'install'], {cwd: repo.dir, env})).exitCode).toBe(0)
    const bad = spawnSync('git', ['commit', '--allow-empty', '-m', 'did things'], {cwd: repo.dir, env, encoding: 'utf8'})
    expect(bad.status).not.toBe(0)
    expect(bad.stderr).toContain('commit message: the header "did things" is not "type(scope): subject"')
    const good = spawnSync('git', ['commit', '-q', '--allow-empty', '-m', 'feat: do things'], {cwd: repo.dir, env, encoding: 'utf8'})
    expect(good.status, good.stderr).toBe(0)
    expect(repo.git('log', '-1', '--format=%s')).toBe('feat: do things')
  })
})
