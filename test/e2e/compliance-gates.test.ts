import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {runFlow} from '../helpers/e2e.js'
import {tempRepo} from '../helpers/temp-repo.js'

const TESTDATA = join(import.meta.dirname, '..', '..', 'src', 'core', 'gates', 'testdata')

describe('the dependency-audit and api-compatibility gates (binary)', () => {
  test('a recorded high advisory and a removed API path fail (exit 5); an exception and a feat! commit let both pass', async () => {
    const repo = tempRepo()
    const audit = JSON.stringify([process.execPath, '-e', `process.stdout.write(require('fs').readFileSync(${JSON.stringify(join(TESTDATA, 'npm-audit-high.json'))}, 'utf8')); process.exit(1)`])
    const flowYml = (exceptions: string) => `gates:\n  audit: {builtin: dependency-audit, command: ${audit}, max_severity: moderate, exceptions: ${exceptions}}\n  api: {builtin: api-compatibility, specs: [openapi.yaml]}\nstages:\n  submit: [audit, api]\n`
    repo.commit('feat: api', {'flow.yml': flowYml('[]'), 'openapi.yaml': readFileSync(join(TESTDATA, 'petstore.yaml'), 'utf8')})
    repo.git('push', '-q', 'origin', 'main')
    repo.git('switch', '-q', '-c', 'feature/trim')
    repo.commit('refactor: no deleting pets', {'openapi.yaml': readFileSync(join(TESTDATA, 'petstore.yaml'), 'utf8').replace(/ {4}delete:\n {6}operationId: deletePet\n {6}responses:\n {8}'204': \{description: Deleted\}\n/, '')})

    const failed = await runFlow(['gates', 'run', '--json'], {cwd: repo.dir, env: repo.env})
    expect(failed.exitCode, failed.stderr).toBe(5)
    expect(failed.json.failed).toEqual(['api', 'audit'])
    expect(readFileSync(join(repo.dir, '.git', 'flow', 'gates', 'api.log'), 'utf8')).toContain('openapi.yaml: $.paths["/pets/{petId}"].delete: operation DELETE /pets/{petId} removed')

    // Far-future expiry: the binary runs on the real clock (the expiry itself is tested with an injected clock).
    repo.commit('feat!: pets are forever', {'flow.yml': flowYml('[{advisory: GHSA-grv7-fg5c-xmjg, reason: dev server only, expires: 2999-12-31}]')})
    const passed = await runFlow(['gates', 'run', '--json'], {cwd: repo.dir, env: repo.env})
    expect(passed.exitCode, passed.stderr).toBe(0)
    expect(passed.json.gates.map((g: any) => [g.name, g.status])).toEqual([['api', 'passed'], ['audit', 'passed']])
  })
})
