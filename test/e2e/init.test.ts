import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {runFlow} from '../helpers/e2e.js'
import {tempRepo} from '../helpers/temp-repo.js'

describe('flow init', () => {
  test('without a TTY and without --template: PROMPT_NEEDED, exit 2, naming --template; nothing written', async () => {
    const repo = tempRepo()
    const run = await runFlow(['init', '--json'], {cwd: repo.dir, env: repo.env})
    expect(run.exitCode).toBe(2)
    expect(run.json.error).toMatchObject({code: 'PROMPT_NEEDED', hint: expect.stringContaining('--template')})
    expect(existsSync(join(repo.dir, 'flow.yml'))).toBe(false)
  })

  test('--template github-flow --yes writes a flow.yml that validates, prefilled from package.json', async () => {
    const repo = tempRepo()
    repo.commit('chore: package', {'package.json': JSON.stringify({scripts: {lint: 'eslint .', test: 'vitest run'}})})
    const run = await runFlow(['init', '--template', 'github-flow', '--yes', '--json'], {cwd: repo.dir, env: repo.env})
    expect(run.exitCode).toBe(0)
    expect(run.json).toMatchObject({path: join(repo.dir, 'flow.yml'), template: 'github-flow', written: true, gates: ['lint', 'test', 'commits', 'secrets'], detected: {defaultBranch: 'main', forge: 'local'}})
    const text = readFileSync(join(repo.dir, 'flow.yml'), 'utf8')
    expect(text.startsWith('# yaml-language-server: $schema=./node_modules/flow/flow.schema.json\n')).toBe(true)
    const validate = await runFlow(['config', 'validate'], {cwd: repo.dir, env: repo.env})
    expect(validate.exitCode).toBe(0)
  })

  test('--yes alone picks trunk', async () => {
    const repo = tempRepo()
    const run = await runFlow(['init', '--yes'], {cwd: repo.dir, env: repo.env})
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain('(trunk;')
    expect(readFileSync(join(repo.dir, 'flow.yml'), 'utf8')).toContain('strategy: trunk')
  })

  test('refuses to overwrite: CONFIG_EXISTS exit 1 with the --force hint; --force replaces', async () => {
    const repo = tempRepo()
    repo.write('flow.yaml', 'version: 1\n')
    const refused = await runFlow(['init', '--template', 'trunk', '--json'], {cwd: repo.dir, env: repo.env})
    expect(refused.exitCode).toBe(1)
    expect(refused.json.error).toMatchObject({code: 'CONFIG_EXISTS', hint: expect.stringContaining('--force')})
    expect(readFileSync(join(repo.dir, 'flow.yaml'), 'utf8')).toBe('version: 1\n')
    const forced = await runFlow(['init', '--template', 'git-flow', '--force', '--json'], {cwd: repo.dir, env: repo.env})
    expect(forced.exitCode).toBe(0)
    expect(forced.json).toMatchObject({path: join(repo.dir, 'flow.yaml'), overwritten: true})
    expect(readFileSync(join(repo.dir, 'flow.yaml'), 'utf8')).toContain('strategy: git-flow')
  })

  test('--dry-run prints the file and writes nothing; with --json the content is data', async () => {
    const repo = tempRepo()
    const human = await runFlow(['init', '--template', 'trunk', '--dry-run'], {cwd: repo.dir, env: repo.env})
    expect(human.exitCode).toBe(0)
    expect(human.stdout).toMatch(/^# yaml-language-server/)
    expect(human.stdout).toContain('strategy: trunk')
    expect(human.stderr).toContain('nothing written')
    const json = await runFlow(['init', '--template', 'trunk', '--dry-run', '--json'], {cwd: repo.dir, env: repo.env})
    expect(json.json).toMatchObject({dryRun: true, written: false, content: expect.stringContaining('strategy: trunk')})
    expect(existsSync(join(repo.dir, 'flow.yml'))).toBe(false)
  })

  test('a bad --template is a usage error', async () => {
    const repo = tempRepo()
    const run = await runFlow(['init', '--template', 'waterfall', '--json'], {cwd: repo.dir, env: repo.env})
    expect(run.exitCode).toBe(2)
    expect(run.json.error.code).toBe('USAGE')
  })

  test('outside a repository: NOT_A_REPOSITORY and nothing written', async () => {
    const repo = tempRepo()
    const outside = join(repo.scratch, 'home')
    const run = await runFlow(['init', '--yes', '--json'], {cwd: outside, env: {...repo.env, GIT_CEILING_DIRECTORIES: repo.scratch}})
    expect(run.exitCode).toBe(1)
    expect(run.json.error.code).toBe('NOT_A_REPOSITORY')
    expect(existsSync(join(outside, 'flow.yml'))).toBe(false)
  })
})
