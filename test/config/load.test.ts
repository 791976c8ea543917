import {existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {absentConfigDefaults, findConfigFile, loadConfig, loadConfigFile} from '../../src/core/config/load.js'
import {defaultConfig} from '../../src/core/config/schema.js'
import {pathToFileURL} from 'node:url'
import {isFlowError} from '../../src/core/errors.js'
import {GitCli} from '../../src/providers/git-cli.js'
import {tempRepo} from '../helpers/temp-repo.js'

describe('loadConfig', () => {
  test('without a file it gives the defaults and no path', async () => {
    const repo = tempRepo()
    const loaded = await loadConfig(new GitCli(repo.dir, repo.env), repo.dir)
    expect(loaded.path).toBeUndefined()
    expect(loaded.config.branches.main).toBe('main')
  })

  test('finds flow.yml from a subdirectory up to the repository root', async () => {
    const repo = tempRepo()
    repo.write('flow.yml', 'branches: {main: trunk}\n')
    mkdirSync(join(repo.dir, 'a', 'b'), {recursive: true})
    const sub = join(repo.dir, 'a', 'b')
    const loaded = await loadConfig(new GitCli(sub, repo.env), sub)
    expect(loaded.path).toBe(join(repo.dir, 'flow.yml'))
    expect(loaded.config.branches.main).toBe('trunk')
    expect(loaded.config.release.branches).toEqual(['trunk'])
  })

  test('accepts flow.yaml and .flow.yml, nearest directory first, flow.yml first in one directory', async () => {
    const repo = tempRepo()
    const git = new GitCli(repo.dir, repo.env)
    repo.write('.flow.yml', 'review: {approvals: 3}\n')
    expect(await findConfigFile(git, repo.dir)).toBe(join(repo.dir, '.flow.yml'))
    repo.write('flow.yaml', 'review: {approvals: 2}\n')
    expect(await findConfigFile(git, repo.dir)).toBe(join(repo.dir, 'flow.yaml'))
    repo.write('pkg/flow.yml', 'review: {approvals: 1}\n')
    expect(await findConfigFile(git, join(repo.dir, 'pkg'))).toBe(join(repo.dir, 'pkg', 'flow.yml'))
  })

  test('does not look above the repository root', async () => {
    const repo = tempRepo()
    writeFileSync(join(repo.scratch, 'flow.yml'), 'version: 1\n')
    expect(await findConfigFile(new GitCli(repo.dir, repo.env), repo.dir)).toBeUndefined()
  })

  test('outside a repository it looks in cwd only', async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'flow-norepo-')))
    try {
      mkdirSync(join(dir, 'sub'))
      writeFileSync(join(dir, 'flow.yml'), 'version: 1\n')
      const env = {...process.env, GIT_CEILING_DIRECTORIES: dir}
      expect(await findConfigFile(new GitCli(join(dir, 'sub'), env), join(dir, 'sub'))).toBeUndefined()
      expect(await findConfigFile(new GitCli(dir, env), dir)).toBe(join(dir, 'flow.yml'))
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  test('an invalid file is CONFIG_INVALID (exit 3) naming the first problem, with every problem in details', async () => {
    const repo = tempRepo()
    repo.write('flow.yml', 'review:\n  merge: sqaush\n  aprovals: 2\n')
    const error = await loadConfig(new GitCli(repo.dir, repo.env), repo.dir).catch((e: unknown) => e)
    expect(isFlowError(error)).toBe(true)
    if (!isFlowError(error)) return
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.exit).toBe(3)
    expect(error.message).toBe('flow.yml:2:10 review.merge: expected one of squash, rebase, merge, found "sqaush" (did you mean squash?) (and 1 more)')
    expect(error.hint).toBe('Run flow config validate to see every problem.')
    expect((error.details as {problems: unknown[]}).problems).toHaveLength(2)
  })
})

describe('absentConfigDefaults', () => {
  test('reads the precomputed JSON when it is there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flow-defaults-'))
    writeFileSync(join(dir, 'defaults.json'), JSON.stringify({marker: true}))
    expect(await absentConfigDefaults(pathToFileURL(join(dir, 'defaults.json')))).toEqual({marker: true})
    rmSync(dir, {recursive: true, force: true})
  })

  test('falls back to defaultConfig() when the file is missing', async () => {
    expect(await absentConfigDefaults(pathToFileURL('/nonexistent/defaults.json'))).toStrictEqual(defaultConfig())
  })
})

describe('loadConfigFile with the validated-config cache', () => {
  const setup = () => {
    const dir = mkdtempSync(join(tmpdir(), 'flow-config-cache-'))
    writeFileSync(join(dir, 'stamp.txt'), 'build-1\n')
    writeFileSync(join(dir, 'flow.yml'), 'branches: {main: trunk}\n')
    const cache = {stampUrl: pathToFileURL(join(dir, 'stamp.txt')), dir: join(dir, 'cache')}
    return {dir, cache, file: join(dir, 'cache', 'config-cache.json')}
  }

  test('a valid file is validated once, then read back from the cache (same config)', async () => {
    const {dir, cache, file} = setup()
    const first = await loadConfigFile(join(dir, 'flow.yml'), dir, cache)
    expect(first.config.branches.main).toBe('trunk')
    expect(existsSync(file)).toBe(true)
    const second = await loadConfigFile(join(dir, 'flow.yml'), dir, cache)
    expect(second).toEqual(first)
    // the second load came from the cache: a marker put there is what it returns
    const cached = JSON.parse(readFileSync(file, 'utf8'))
    cached.config.branches.main = 'from-cache'
    writeFileSync(file, JSON.stringify(cached))
    expect((await loadConfigFile(join(dir, 'flow.yml'), dir, cache)).config.branches.main).toBe('from-cache')
  })

  test('an edited file or another build validates again', async () => {
    const {dir, cache} = setup()
    await loadConfigFile(join(dir, 'flow.yml'), dir, cache)
    writeFileSync(join(dir, 'flow.yml'), 'branches: {main: develop}\n')
    expect((await loadConfigFile(join(dir, 'flow.yml'), dir, cache)).config.branches.main).toBe('develop')
    writeFileSync(join(dir, 'stamp.txt'), 'build-2\n')
    const file = join(dir, 'cache', 'config-cache.json')
    const before = JSON.parse(readFileSync(file, 'utf8')).key
    await loadConfigFile(join(dir, 'flow.yml'), dir, cache)
    expect(JSON.parse(readFileSync(file, 'utf8')).key).not.toBe(before)
  })

  test('an invalid file always fails and is never cached; without a build stamp nothing is cached', async () => {
    const {dir, cache, file} = setup()
    writeFileSync(join(dir, 'flow.yml'), 'branches: {mian: trunk}\n')
    for (let i = 0; i < 2; i++) await expect(loadConfigFile(join(dir, 'flow.yml'), dir, cache)).rejects.toMatchObject({code: 'CONFIG_INVALID'})
    expect(existsSync(file)).toBe(false)
    writeFileSync(join(dir, 'flow.yml'), 'branches: {main: trunk}\n')
    await loadConfigFile(join(dir, 'flow.yml'), dir, {...cache, stampUrl: pathToFileURL(join(dir, 'none.txt'))})
    expect(existsSync(file)).toBe(false)
  })
})
