import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {FlowConfigSchema, type FlowConfigInput} from '../../src/core/config/schema.js'
import {runGates} from '../../src/core/gates/run-gates.js'
import {resolveRepo} from '../../src/core/repo.js'
import {ExecaShell} from '../../src/providers/execa-shell.js'
import {GitCli} from '../../src/providers/git-cli.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'

const TESTDATA = join(import.meta.dirname, '..', '..', 'src', 'core', 'gates', 'testdata')

function gateDeps(repo: TempRepo, input: FlowConfigInput, now: string) {
  const git = new GitCli(repo.dir, repo.env)
  const config = FlowConfigSchema.parse(input)
  return {
    git,
    shell: new ExecaShell(repo.dir, repo.env),
    reporter: {progress: () => {}, warn: () => {}, info: () => {}},
    config: async () => ({config}),
    repo: () => resolveRepo(git),
    clock: {now: () => new Date(now)},
  }
}

const logOf = (run: Awaited<ReturnType<typeof runGates>>, name: string) => readFileSync(run.gates.find((g) => g.name === name)!.log, 'utf8')

describe('dependency-audit on a recorded audit (the clock injected)', () => {
  // npm audit exits 1 when it finds advisories; the recorded output is printed the same way.
  const recorded = (file: string) => [process.execPath, '-e', `process.stdout.write(require('fs').readFileSync(${JSON.stringify(join(TESTDATA, file))}, 'utf8')); process.exit(1)`]
  const config = (exceptions: unknown[] = []): FlowConfigInput => ({
    gates: {audit: {builtin: 'dependency-audit', command: recorded('npm-audit-high.json'), max_severity: 'moderate', exceptions} as never},
    stages: {submit: ['audit']},
  })

  test('fails on a high advisory, passes with an unexpired exception, fails again once its date has passed', async () => {
    const repo = tempRepo()
    const failed = await runGates(gateDeps(repo, config(), '2026-11-26T12:00:00Z'), {noCache: true})
    expect(failed.failed).toEqual(['audit'])
    expect(logOf(failed, 'audit')).toContain('high GHSA-grv7-fg5c-xmjg in braces: Uncontrolled resource consumption in braces')

    const exception = {advisory: 'GHSA-grv7-fg5c-xmjg', reason: 'dev server only', expires: '2026-12-31'}
    const excepted = await runGates(gateDeps(repo, config([exception]), '2026-11-26T12:00:00Z'), {noCache: true})
    expect(excepted.ok).toBe(true)
    expect(logOf(excepted, 'audit')).toContain('excepted until 2026-12-31 (dev server only)')

    const expired = await runGates(gateDeps(repo, config([exception]), '2027-01-02T08:00:00Z'), {noCache: true})
    expect(expired.failed).toEqual(['audit'])
    expect(logOf(expired, 'audit')).toContain('its exception expired on 2026-12-31 (dev server only)')
  })

  test('never cached, even with inputs: the advisories and the date change, not the files', async () => {
    const repo = tempRepo()
    const exception = {advisory: 'GHSA-grv7-fg5c-xmjg', reason: 'dev server only', expires: '2026-12-31'}
    const input: FlowConfigInput = {gates: {audit: {builtin: 'dependency-audit', command: recorded('npm-audit-high.json'), exceptions: [exception], inputs: ['README.md']}}, stages: {submit: ['audit']}}
    expect((await runGates(gateDeps(repo, input, '2026-11-26T12:00:00Z'), {})).gates[0]?.status).toBe('passed')
    expect((await runGates(gateDeps(repo, input, '2027-01-02T12:00:00Z'), {})).gates[0]?.status).toBe('failed')
  })

  test('an audit that cannot run fails the gate with its reason', async () => {
    const repo = tempRepo()
    const run = await runGates(gateDeps(repo, {
      gates: {audit: {builtin: 'dependency-audit', command: recorded('npm-audit-error.json')}},
      stages: {submit: ['audit']},
    }, '2026-11-26T12:00:00Z'), {noCache: true})
    expect(run.failed).toEqual(['audit'])
    expect(logOf(run, 'audit')).toContain('the audit failed: This command requires an existing lockfile.')
  })

  test('the schema: an exception needs a reason and a real date', () => {
    const parse = (exceptions: unknown) => FlowConfigSchema.safeParse({gates: {audit: {builtin: 'dependency-audit', exceptions}}})
    expect(parse([{advisory: 'GHSA-x', reason: 'r', expires: '2026-12-31'}]).success).toBe(true)
    expect(parse([{advisory: 'GHSA-x', expires: '2026-12-31'}]).success).toBe(false)
    expect(parse([{advisory: 'GHSA-x', reason: 'r', expires: 'next year'}]).success).toBe(false)
  })
})

describe('api-compatibility between the base and the branch', () => {
  const SPEC = readFileSync(join(TESTDATA, 'petstore.yaml'), 'utf8')
  const config: FlowConfigInput = {gates: {api: {builtin: 'api-compatibility', specs: ['api/openapi.yaml']}}, stages: {submit: ['api']}}

  function branchWithSpec(): TempRepo {
    const repo = tempRepo()
    repo.commit('feat: the api', {'api/openapi.yaml': SPEC})
    repo.git('push', '-q', 'origin', 'main')
    repo.git('switch', '-q', '-c', 'feature/api')
    return repo
  }

  test('a removed response field fails with its JSON path; declaring the break (feat!:) lets it pass', async () => {
    const repo = branchWithSpec()
    repo.commit('refactor: drop owner email', {'api/openapi.yaml': SPEC.replace('                email: {type: string}\n', '')})
    const run = await runGates(gateDeps(repo, config, '2026-11-26T12:00:00Z'), {noCache: true})
    expect(run.failed).toEqual(['api'])
    const log = logOf(run, 'api')
    expect(log).toContain('api/openapi.yaml: $.paths["/pets"].get.responses["200"].content["application/json"].schema.items.properties.owner.properties.email: GET /pets: response field "email" removed')
    expect(log).toContain('3 breaking changes to the API')

    repo.commit('feat(api)!: owners are private now', {'NOTES.md': 'x'})
    const declared = await runGates(gateDeps(repo, config, '2026-11-26T12:00:00Z'), {noCache: true})
    expect(declared.ok).toBe(true)
    expect(logOf(declared, 'api')).toMatch(/3 breaking changes, declared by [0-9a-f]{12} feat\(api\)!: owners are private now: the next release is a major/)
  })

  test('a BREAKING CHANGE footer declares it too; an additive change passes without one', async () => {
    const repo = branchWithSpec()
    repo.commit('feat: new store listing', {'api/openapi.yaml': SPEC.replace('components:\n', '  /stores:\n    get:\n      responses:\n        \'200\': {description: Stores}\ncomponents:\n')})
    const additive = await runGates(gateDeps(repo, config, '2026-11-26T12:00:00Z'), {noCache: true})
    expect(additive.ok).toBe(true)
    expect(logOf(additive, 'api')).toContain('api/openapi.yaml: no breaking change')

    repo.git('rm', '-q', 'api/openapi.yaml')
    repo.git('commit', '-q', '-m', 'chore: retire the api\n\nBREAKING CHANGE: the HTTP API is gone')
    const removed = await runGates(gateDeps(repo, config, '2026-11-26T12:00:00Z'), {noCache: true})
    expect(removed.ok).toBe(true)
    expect(logOf(removed, 'api')).toContain('api/openapi.yaml: $: the document was removed')
  })
})
