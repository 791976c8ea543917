import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {parse} from 'yaml'
import {runFlow} from '../helpers/e2e.js'
import {tempRepo} from '../helpers/temp-repo.js'

const FIVE_MISTAKES = `version: 1
review:
  merge: sqaush
gates:
  lint: {run: [npm, run, lint]}
  test:
    run: npm test
    timeout: 5
stages:
  submit: [lint, tests]
environments:
  production:
    healh:
      url: http://localhost/health
  staging:
    health: {url: "http://x", interval: fast}
`

const STACK = /\n\s+at .+:\d+:\d+/

describe('flow config validate', () => {
  test('a valid file: exit 0, and {valid: true} under --json', async () => {
    const repo = tempRepo()
    repo.write('flow.yml', 'gates:\n  test: {run: [npm, test]}\nstages:\n  submit: [test]\n')
    const human = await runFlow(['config', 'validate'], {cwd: repo.dir, env: repo.env})
    expect(human.exitCode).toBe(0)
    expect(human.stdout).toBe('flow.yml is valid.\n')
    const json = await runFlow(['config', 'validate', '--json'], {cwd: repo.dir, env: repo.env})
    expect(json.exitCode).toBe(0)
    expect(json.json).toEqual({valid: true, file: 'flow.yml', problems: []})
  })

  test('five mistakes: all five, one line each with line and column, exit 3, no stack', async () => {
    const repo = tempRepo()
    repo.write('flow.yml', FIVE_MISTAKES)
    const run = await runFlow(['config', 'validate'], {cwd: repo.dir, env: repo.env})
    expect(run.exitCode).toBe(3)
    expect(run.stdout.trimEnd().split('\n')).toEqual([
      'flow.yml:3:10 review.merge: expected one of squash, rebase, merge, found "sqaush" (did you mean squash?)',
      'flow.yml:8:14 gates.test.timeout: expected a duration like 30s, found 5',
      'flow.yml:10:18 stages.submit[1]: expected a gate defined under gates (defined: lint, test), found "tests" (did you mean test?)',
      'flow.yml:13:5 environments.production.healh: unknown key "healh" (did you mean health?)',
      'flow.yml:16:41 environments.staging.health.interval: expected a duration like 30s, found "fast"',
    ])
    expect(run.stderr).toContain('5 problems in flow.yml')
    expect(run.stderr).not.toMatch(STACK)
  })

  test('--json: one document {valid: false, file, problems}, exit 3', async () => {
    const repo = tempRepo()
    repo.write('flow.yml', FIVE_MISTAKES)
    const run = await runFlow(['config', 'validate', '--json'], {cwd: repo.dir, env: repo.env})
    expect(run.exitCode).toBe(3)
    expect(run.json.valid).toBe(false)
    expect(run.json.file).toBe('flow.yml')
    expect(run.json.problems).toHaveLength(5)
    expect(run.json.problems[3]).toEqual({file: 'flow.yml', line: 13, column: 5, path: 'environments.production.healh', message: 'unknown key "healh"', expected: expect.stringContaining('one of:'), found: '"healh"', suggestion: 'health'})
  })

  test('--file checks another file, found relative to the current directory', async () => {
    const repo = tempRepo()
    repo.write('ci/other.yml', 'review: {merge: fast-forward}\n')
    const run = await runFlow(['config', 'validate', '--file', 'ci/other.yml', '--json'], {cwd: repo.dir, env: repo.env})
    expect(run.exitCode).toBe(3)
    expect(run.json.problems).toEqual([expect.objectContaining({file: 'ci/other.yml', line: 1, column: 17, path: 'review.merge'})])
  })

  test('finds .flow.yml from a subdirectory', async () => {
    const repo = tempRepo()
    repo.write('.flow.yml', 'review: {merge: rebase}\n')
    repo.write('src/x.ts', '')
    const run = await runFlow(['config', 'validate', '--json'], {cwd: `${repo.dir}/src`, env: repo.env})
    expect(run.exitCode).toBe(0)
    expect(run.json).toEqual({valid: true, file: `${repo.dir}/.flow.yml`, problems: []})
  })

  test('no file: CONFIG_NOT_FOUND, exit 3, hint flow init', async () => {
    const repo = tempRepo()
    const run = await runFlow(['config', 'validate', '--json'], {cwd: repo.dir, env: repo.env})
    expect(run.exitCode).toBe(3)
    expect(run.json).toEqual({error: {code: 'CONFIG_NOT_FOUND', message: expect.stringContaining('no flow.yml'), hint: 'Run flow init to write one.'}})
    const human = await runFlow(['config', 'validate'], {cwd: repo.dir, env: repo.env})
    expect(human.exitCode).toBe(3)
    expect(human.stderr).toMatch(/Hint: Run flow init/)
  })
})

describe('flow config show', () => {
  test('prints the effective configuration as YAML, defaults filled in', async () => {
    const repo = tempRepo()
    repo.write('flow.yml', 'branches: {main: trunk}\n')
    const run = await runFlow(['config', 'show'], {cwd: repo.dir, env: repo.env})
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toMatch(/^# effective configuration from .*flow\.yml/)
    const shown = parse(run.stdout)
    expect(shown.branches).toMatchObject({main: 'trunk', strategy: 'trunk', feature: 'feature/{slug}'})
    expect(shown.review.merge).toBe('squash')
  })

  test('--json gives the data; without a file, the defaults and file null', async () => {
    const repo = tempRepo()
    const run = await runFlow(['config', 'show', '--json'], {cwd: repo.dir, env: repo.env})
    expect(run.exitCode).toBe(0)
    expect(run.json.file).toBeNull()
    expect(run.json.config).toMatchObject({version: 1, branches: {main: 'main'}, release: {tag: 'v{version}'}, incidents: {default_severity: 'sev3'}})
  })

  test('an invalid file is CONFIG_INVALID, exit 3, naming file, line and column', async () => {
    const repo = tempRepo()
    repo.write('flow.yml', FIVE_MISTAKES)
    const run = await runFlow(['config', 'show', '--json'], {cwd: repo.dir, env: repo.env})
    expect(run.exitCode).toBe(3)
    expect(run.json.error).toMatchObject({code: 'CONFIG_INVALID', message: 'flow.yml:3:10 review.merge: expected one of squash, rebase, merge, found "sqaush" (did you mean squash?) (and 4 more)', hint: 'Run flow config validate to see every problem.'})
    expect(run.json.error.details.problems).toHaveLength(5)
  })
})

describe('flow config schema', () => {
  test('prints the JSON Schema that ships as flow.schema.json', async () => {
    const repo = tempRepo()
    const run = await runFlow(['config', 'schema'], {cwd: repo.dir, env: repo.env})
    expect(run.exitCode).toBe(0)
    const schema = JSON.parse(run.stdout)
    expect(schema).toMatchObject({title: 'flow.yml', type: 'object', additionalProperties: false})
    expect(schema).toEqual(JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'flow.schema.json'), 'utf8')))
    const json = await runFlow(['config', 'schema', '--json'], {cwd: repo.dir, env: repo.env})
    expect(json.json).toEqual(schema)
  })
})

describe('the built defaults of an absent flow.yml', () => {
  test('dist/core/config/defaults.json is exactly defaultConfig(), and flow config show without a file prints it', async () => {
    const {defaultConfig} = await import('../../src/core/config/schema.js')
    const built = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'dist', 'core', 'config', 'defaults.json'), 'utf8'))
    // Equal up to keys whose value is undefined (metrics.production): JSON drops them, and flow reads them only as values.
    expect(built).toEqual(defaultConfig())
    expect(built).toStrictEqual(JSON.parse(JSON.stringify(defaultConfig())))
    const repo = tempRepo()
    const shown = await runFlow(['config', 'show', '--json'], {cwd: repo.dir, env: repo.env})
    expect(shown.exitCode).toBe(0)
    expect(JSON.stringify(shown.json)).toContain(JSON.stringify(defaultConfig().branches))
  })
})

describe('the validated-config cache (binary)', () => {
  test('a second run reuses the validated flow.yml; an edit, valid or not, is seen at once', async () => {
    const repo = tempRepo()
    repo.write('flow.yml', 'branches: {main: trunk}\n')
    const first = await runFlow(['config', 'show', '--json'], {cwd: repo.dir, env: repo.env})
    expect(first.json.config.branches.main).toBe('trunk')
    expect(readFileSync(join(repo.dir, '.git', 'flow', 'cache', 'config-cache.json'), 'utf8')).toContain('"trunk"')
    const again = await runFlow(['config', 'show', '--json'], {cwd: repo.dir, env: repo.env})
    expect(again.json).toEqual(first.json)
    repo.write('flow.yml', 'branches: {main: develop}\n')
    expect((await runFlow(['config', 'show', '--json'], {cwd: repo.dir, env: repo.env})).json.config.branches.main).toBe('develop')
    repo.write('flow.yml', 'branches: {mian: develop}\n')
    expect((await runFlow(['config', 'show'], {cwd: repo.dir, env: repo.env})).exitCode).toBe(3)
  })
})
