import {chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, test} from 'vitest'
import {resolveToken} from '../../src/core/forge/token.js'
import {redact} from '../../src/core/redact.js'
import {ExecaShell} from '../../src/providers/execa-shell.js'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true})
})

/** A directory holding a fake `gh` that logs its arguments and runs `body`; PATH has only it and /usr/bin:/bin. */
function fakeGh(body: string): {env: Record<string, string>; argsFile: string} {
  const dir = mkdtempSync(join(tmpdir(), 'flow-gh-'))
  dirs.push(dir)
  const argsFile = join(dir, 'args')
  writeFileSync(join(dir, 'gh'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${argsFile}'\nprintf 'prompt=%s\\n' "$GH_PROMPT_DISABLED" >> '${argsFile}'\n${body}\n`)
  chmodSync(join(dir, 'gh'), 0o755)
  return {env: {PATH: `${dir}:/usr/bin:/bin`}, argsFile}
}

const deps = (env: Record<string, string | undefined>) => ({env, shell: new ExecaShell(tmpdir(), env)})

describe('resolveToken', () => {
  test('GH_TOKEN wins over GITHUB_TOKEN and gh, and is registered for redaction', async () => {
    const gh = fakeGh('echo gho_from_gh_cli_0000000000000000000000')
    const token = 'ghx_precedence_token_one'
    const result = await resolveToken(deps({...gh.env, GH_TOKEN: token, GITHUB_TOKEN: 'ghx_second_token_2222'}))
    expect(result).toEqual({token, source: 'GH_TOKEN'})
    expect(() => readFileSync(gh.argsFile)).toThrow()
    expect(redact(`Authorization failed for ${token}.`)).toBe('Authorization failed for ***.')
  })

  test('GITHUB_TOKEN when GH_TOKEN is unset or blank', async () => {
    const result = await resolveToken(deps({PATH: '/usr/bin:/bin', GH_TOKEN: '  ', GITHUB_TOKEN: 'ghx_actions_token_3333'}))
    expect(result).toEqual({token: 'ghx_actions_token_3333', source: 'GITHUB_TOKEN'})
    expect(redact('x ghx_actions_token_3333 y')).toBe('x *** y')
  })

  test('gh auth token when gh is on PATH: non-interactive, host-aware through GH_HOST, and redacted', async () => {
    const gh = fakeGh("echo 'ghx_from_gh_for_enterprise_44'")
    const result = await resolveToken(deps({...gh.env, GH_HOST: 'ghe.example.com'}))
    expect(result).toEqual({token: 'ghx_from_gh_for_enterprise_44', source: 'gh auth token'})
    expect(readFileSync(gh.argsFile, 'utf8').split('\n')).toEqual(['auth', 'token', '--hostname', 'ghe.example.com', 'prompt=1', ''])
    expect(redact('token=ghx_from_gh_for_enterprise_44')).toBe('token=***')
  })

  test('gh without GH_HOST is asked without --hostname', async () => {
    const gh = fakeGh("echo 'ghx_default_host_token_55'")
    expect((await resolveToken(deps(gh.env))).source).toBe('gh auth token')
    expect(readFileSync(gh.argsFile, 'utf8').split('\n').slice(0, 2)).toEqual(['auth', 'token'])
  })

  test('none when gh is missing, fails (not logged in), prints nothing, or hangs past the timeout', async () => {
    expect(await resolveToken(deps({PATH: '/nonexistent'}))).toEqual({source: 'none'})
    expect(await resolveToken(deps(fakeGh('echo "not logged in" >&2; exit 1').env))).toEqual({source: 'none'})
    expect(await resolveToken(deps(fakeGh('exit 0').env))).toEqual({source: 'none'})
    const started = Date.now()
    expect(await resolveToken(deps(fakeGh('exec sleep 5').env), {timeoutMs: 300})).toEqual({source: 'none'})
    expect(Date.now() - started).toBeLessThan(3000)
  })
})
