// The fast lane (src/cli/fast-lane.ts) answers `status`, the hooks' `gates run STAGE` and cached `--help` without
// oclif: each is compared with the same command run through oclif (an extra flag the lane does not take sends it
// there), so both ways print the same and exit the same.
import {existsSync, readdirSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {runFlow} from '../helpers/e2e.js'
import {tempRepo} from '../helpers/temp-repo.js'
import {seedFacts} from '../helpers/metrics-seed.js'

const node = (code: string) => JSON.stringify([process.execPath, '-e', code])
const FLOW_YML = `gates:
  ok: {run: ${node('console.log("fine")')}, inputs: ["src/**"]}
  bad: {run: ${node('console.error("the real reason"); process.exit(2)')}}
stages:
  green: [ok]
  red: [ok, bad]
`
// Durations differ from run to run.
const stable = (text: string) => text.replace(/\d+(\.\d+)?m?s\b/g, 'T')

describe('the fast lane prints what oclif prints', () => {
  test('flow status and status --json, in a repository and outside one', async () => {
    const repo = tempRepo()
    for (const json of [[], ['--json']]) {
      const lane = await runFlow(['status', ...json], {cwd: repo.dir, env: repo.env})
      const oclif = await runFlow(['status', ...json, '--yes'], {cwd: repo.dir, env: repo.env})
      expect(lane.exitCode).toBe(0)
      expect(lane.stdout).toBe(oclif.stdout)
    }
    const outside = mkdtempSync(join(tmpdir(), 'flow-nowhere-'))
    for (const json of [[], ['--json']]) {
      const lane = await runFlow(['status', ...json], {cwd: outside, env: repo.env})
      const oclif = await runFlow(['status', ...json, '--yes'], {cwd: outside, env: repo.env})
      expect(lane.exitCode).toBe(oclif.exitCode)
      expect(lane.exitCode).not.toBe(0)
      expect(lane.stdout).toBe(oclif.stdout)
      expect(lane.stderr).toBe(oclif.stderr)
    }
  })

  test('flow gates run STAGE: a green stage, then cached; a red one exits 5 with the same error (and --json)', async () => {
    const repo = tempRepo()
    repo.write('flow.yml', FLOW_YML)
    repo.write('src/a.txt', 'a')
    const first = await runFlow(['gates', 'run', 'green'], {cwd: repo.dir, env: repo.env})
    expect(first.exitCode).toBe(0)
    const cached = await runFlow(['gates', 'run', 'green'], {cwd: repo.dir, env: repo.env})
    expect(cached.stdout).toMatch(/ok +cached/)
    const viaOclif = await runFlow(['gates', 'run', 'green', '--concurrency', '2'], {cwd: repo.dir, env: repo.env})
    expect(stable(cached.stdout)).toBe(stable(viaOclif.stdout))
    const red = await runFlow(['gates', 'run', 'red'], {cwd: repo.dir, env: repo.env})
    const redOclif = await runFlow(['gates', 'run', 'red', '--concurrency', '2'], {cwd: repo.dir, env: repo.env})
    expect(red.exitCode).toBe(5)
    expect(redOclif.exitCode).toBe(5)
    expect(red.stderr).toContain('Error: required gate failed: bad')
    expect(stable(red.stderr)).toBe(stable(redOclif.stderr))
    const redJson = await runFlow(['gates', 'run', 'red', '--json'], {cwd: repo.dir, env: repo.env})
    expect(redJson.exitCode).toBe(5)
    expect(redJson.json).toMatchObject({ok: false, failed: ['bad']})
  })

  test('flow feature start: the same branch, output, journal and errors as through oclif (--cwd sends it there)', async () => {
    const repo = tempRepo()
    for (const json of [[], ['--json']]) {
      const name = `lane${json.length}`
      const lane = await runFlow(['feature', 'start', name, '--yes', ...json], {cwd: repo.dir, env: repo.env})
      repo.git('checkout', '-q', 'main')
      const oclif = await runFlow(['feature', 'start', `${name}-o`, '--yes', ...json, '--cwd', repo.dir], {cwd: repo.dir, env: repo.env})
      repo.git('checkout', '-q', 'main')
      expect(lane.exitCode).toBe(0)
      expect(oclif.exitCode).toBe(0)
      expect(lane.stdout.replaceAll(name, 'X')).toBe(oclif.stdout.replaceAll(`${name}-o`, 'X'))
      expect(lane.stderr.replaceAll(name, 'X')).toBe(oclif.stderr.replaceAll(`${name}-o`, 'X'))
      expect(repo.git('config', `branch.feature/${name}.flow-parent`)).toBe('main')
    }
    // undo goes back from a run the lane made: the journal is the engine's as usual
    const undo = await runFlow(['undo', '--yes', '--json'], {cwd: repo.dir, env: repo.env})
    expect(undo.exitCode).toBe(0)
    // errors: an existing branch (usage, exit 2) and a dirty work tree, the same both ways
    for (const argv of [['feature', 'start', 'lane0'], ['feature', 'start', 'lane0', '--json']]) {
      const lane = await runFlow(argv, {cwd: repo.dir, env: repo.env})
      const oclif = await runFlow([...argv, '--cwd', repo.dir], {cwd: repo.dir, env: repo.env})
      expect(lane.exitCode).toBe(oclif.exitCode)
      expect(lane.exitCode).not.toBe(0)
      expect(lane.stdout).toBe(oclif.stdout)
      expect(lane.stderr).toBe(oclif.stderr)
    }
    repo.write('dirty.txt', 'x')
    const dirty = await runFlow(['feature', 'start', 'other'], {cwd: repo.dir, env: repo.env})
    const dirtyOclif = await runFlow(['feature', 'start', 'other', '--cwd', repo.dir], {cwd: repo.dir, env: repo.env})
    expect(dirty.exitCode).toBe(dirtyOclif.exitCode)
    expect(dirty.stderr).toBe(dirtyOclif.stderr)
    expect(dirty.stderr).toContain('uncommitted changes')
  })

  test('flow metrics dora: the same report in every format, and the same errors, as through oclif', async () => {
    const repo = tempRepo()
    const sha = repo.git('rev-parse', 'HEAD')
    const at = (h: number) => new Date(Date.UTC(2026, 0, 5, h)).toISOString()
    await seedFacts(repo, {deployments: [0, 1, 2, 3].map((i) => ({
      id: `DEP-${i + 1}`, environment: 'production', services: ['web'], sha, kind: 'deploy' as const, outcome: i === 2 ? 'rolled_back' as const : 'success' as const,
      startedAt: at(i * 3), finishedAt: at(i * 3 + 1), health: [],
    }))})
    const window = ['--since', '2026-01-01', '--until', '2026-01-12']
    for (const extra of [[], ['--json'], ['--format', 'md'], ['--format=json', '--service', 'web'], ['--env', 'nowhere'], ['--since', 'soon']]) {
      const argv = ['metrics', 'dora', ...window, ...extra]
      const lane = await runFlow(argv, {cwd: repo.dir, env: repo.env})
      const oclif = await runFlow([...argv, '--cwd', repo.dir], {cwd: repo.dir, env: repo.env})
      expect(lane.exitCode).toBe(oclif.exitCode)
      expect(lane.stdout).toBe(oclif.stdout)
      expect(lane.stderr).toBe(oclif.stderr)
    }
  })

  test('--help: the second run prints the cached text, byte for byte, and a failed help is not cached', async () => {
    const repo = tempRepo()
    const env = {...repo.env, XDG_CACHE_HOME: join(repo.scratch, 'cache')}
    for (const argv of [['--help'], ['gates', 'run', '--help']]) {
      const first = await runFlow(argv, {cwd: repo.dir, env})
      const second = await runFlow(argv, {cwd: repo.dir, env})
      expect(first.exitCode).toBe(0)
      expect(second.stdout).toBe(first.stdout)
      expect(first.stdout).toContain(argv.length === 1 ? 'COMMANDS' : 'gates run')
    }
    expect(readdirSync(join(env.XDG_CACHE_HOME, 'flow', 'help'))).toHaveLength(2)
    const unknown = await runFlow(['nosuchcommand', '--help'], {cwd: repo.dir, env})
    expect(unknown.exitCode).not.toBe(0)
    expect(readdirSync(join(env.XDG_CACHE_HOME, 'flow', 'help'))).toHaveLength(2)
    expect(existsSync(join(env.XDG_CACHE_HOME, 'flow'))).toBe(true)
  })
})
