import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {validateConfigText} from '../../src/core/config/validate.js'
import type {Prompter} from '../../src/core/ports.js'
import {initConfig, TEMPLATES} from '../../src/core/init/init-config.js'
import {GitCli} from '../../src/providers/git-cli.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'

const noPrompt: Prompter = {
  canPrompt: false,
  confirm: () => Promise.reject(new Error('must not prompt')),
  input: () => Promise.reject(new Error('must not prompt')),
  select: () => Promise.reject(new Error('must not prompt')),
}

function deps(repo: TempRepo, options: {prompter?: Prompter; yes?: boolean; env?: Record<string, string>; cwd?: string} = {}) {
  const env = {...repo.env, ...options.env}
  return {git: new GitCli(options.cwd ?? repo.dir, env), env, prompter: options.prompter ?? noPrompt, yes: options.yes ?? false}
}

const PACKAGE = JSON.stringify({scripts: {lint: 'eslint .', typecheck: 'tsc --noEmit', test: 'vitest run', build: 'tsc'}})

describe('initConfig', () => {
  test.each(TEMPLATES)('the %s template writes a valid flow.yml prefilled from package.json', async (template) => {
    const repo = tempRepo()
    repo.commit('chore: package', {'package.json': PACKAGE})
    const result = await initConfig(deps(repo), {template})
    const text = readFileSync(join(repo.dir, 'flow.yml'), 'utf8')
    expect(result).toMatchObject({path: join(repo.dir, 'flow.yml'), template, written: true, dryRun: false, overwritten: false})
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./node_modules/flow/flow.schema.json')
    expect(validateConfigText(text, 'flow.yml')).toEqual([])
    expect(text).toContain(`strategy: ${template}`)
    expect(text).toContain('lint: {run: [npm, run, lint]}')
    expect(text).toContain('types: {run: [npm, run, typecheck]}')
    expect(text).toContain('test: {run: [npm, test]}')
    expect(text).toContain('submit: [lint, types, test, build, commits, secrets]')
    expect(result.gates).toEqual(['lint', 'types', 'test', 'build', 'commits', 'secrets'])
  })

  test('without package scripts it still writes builtin gates, and the forge is local for a path remote', async () => {
    const repo = tempRepo()
    const result = await initConfig(deps(repo), {template: 'trunk'})
    expect(result.gates).toEqual(['commits', 'secrets'])
    expect(result.detected).toMatchObject({forge: 'local', defaultBranch: 'main', defaultBranchFrom: 'current branch', scripts: {}})
    expect(result.content).toContain('type: local')
  })

  test('detects origin/HEAD, a GitHub origin and yarn', async () => {
    const repo = tempRepo()
    repo.git('branch', 'trunk')
    repo.git('push', '-q', 'origin', 'trunk')
    repo.git('remote', 'set-head', 'origin', 'trunk')
    repo.git('remote', 'set-url', 'origin', 'git@github.com:acme/widgets.git')
    repo.commit('chore: yarn', {'package.json': JSON.stringify({scripts: {test: 'jest'}}), 'yarn.lock': ''})
    const result = await initConfig(deps(repo), {template: 'github-flow', dryRun: true})
    expect(result.detected).toMatchObject({defaultBranch: 'trunk', defaultBranchFrom: 'origin/HEAD', forge: 'github', origin: {host: 'github.com', repo: 'acme/widgets'}, packageManager: 'yarn'})
    expect(result.content).toContain('main: trunk')
    expect(result.content).toContain('type: github')
    expect(result.content).toContain('test: {run: [yarn, test]}')
  })

  test('GH_HOST makes an Enterprise origin a GitHub forge with its host', async () => {
    const repo = tempRepo()
    repo.git('remote', 'set-url', 'origin', 'https://ghe.example.com/acme/widgets.git')
    const result = await initConfig(deps(repo, {env: {GH_HOST: 'ghe.example.com'}}), {template: 'trunk', dryRun: true})
    expect(result.detected.forge).toBe('github')
    expect(result.content).toContain('host: ghe.example.com')
    expect(validateConfigText(result.content, 'flow.yml')).toEqual([])
  })

  test('the npm placeholder test script is not a gate', async () => {
    const repo = tempRepo()
    repo.commit('chore: npm init', {'package.json': JSON.stringify({scripts: {test: 'echo "Error: no test specified" && exit 1'}})})
    const result = await initConfig(deps(repo), {template: 'trunk', dryRun: true})
    expect(result.gates).toEqual(['commits', 'secrets'])
  })

  test('--dry-run writes nothing', async () => {
    const repo = tempRepo()
    const result = await initConfig(deps(repo), {template: 'trunk', dryRun: true})
    expect(result.written).toBe(false)
    expect(existsSync(join(repo.dir, 'flow.yml'))).toBe(false)
    expect(result.content).toContain('strategy: trunk')
  })

  test('writes at the repository root from a subdirectory', async () => {
    const repo = tempRepo()
    repo.write('sub/dir/x.txt', 'x')
    const result = await initConfig(deps(repo, {cwd: join(repo.dir, 'sub', 'dir')}), {template: 'trunk'})
    expect(result.path).toBe(join(repo.dir, 'flow.yml'))
    expect(existsSync(join(repo.dir, 'sub', 'dir', 'flow.yml'))).toBe(false)
  })

  test('refuses to overwrite flow.yml, flow.yaml or .flow.yml without force, and replaces it with force', async () => {
    const repo = tempRepo()
    repo.write('.flow.yml', 'version: 1\n')
    await expect(initConfig(deps(repo), {template: 'trunk'})).rejects.toMatchObject({code: 'CONFIG_EXISTS', exit: 1, hint: expect.stringContaining('--force')})
    expect(readFileSync(join(repo.dir, '.flow.yml'), 'utf8')).toBe('version: 1\n')
    const result = await initConfig(deps(repo), {template: 'git-flow', force: true})
    expect(result).toMatchObject({path: join(repo.dir, '.flow.yml'), overwritten: true, written: true})
    expect(readFileSync(join(repo.dir, '.flow.yml'), 'utf8')).toContain('strategy: git-flow')
    expect(existsSync(join(repo.dir, 'flow.yml'))).toBe(false)
  })

  test('without a TTY and without --template it is PROMPT_NEEDED naming --template; --yes picks trunk', async () => {
    const repo = tempRepo()
    await expect(initConfig(deps(repo), {})).rejects.toMatchObject({code: 'PROMPT_NEEDED', exit: 2, hint: expect.stringContaining('--template')})
    const result = await initConfig(deps(repo, {yes: true}), {})
    expect(result.template).toBe('trunk')
  })

  test('with a TTY it asks the template and confirms; declining writes nothing', async () => {
    const repo = tempRepo()
    const asked: string[] = []
    const prompter = (answer: boolean): Prompter => ({
      canPrompt: true,
      confirm: async (message) => (asked.push(`confirm: ${message}`), answer),
      input: () => Promise.reject(new Error('unexpected')),
      select: async (message, choices) => (asked.push(`select: ${message} ${choices.map((c) => c.value).join(',')}`), 'github-flow' as never),
    })
    await expect(initConfig(deps(repo, {prompter: prompter(false)}), {})).rejects.toMatchObject({code: 'CANCELLED'})
    expect(existsSync(join(repo.dir, 'flow.yml'))).toBe(false)
    const result = await initConfig(deps(repo, {prompter: prompter(true)}), {})
    expect(result).toMatchObject({template: 'github-flow', written: true})
    expect(asked).toEqual([
      'select: Which workflow should flow.yml describe? trunk,github-flow,git-flow',
      expect.stringMatching(/^confirm: Write flow.yml \(github-flow\)/),
      'select: Which workflow should flow.yml describe? trunk,github-flow,git-flow',
      expect.stringMatching(/^confirm: Write flow.yml \(github-flow\)/),
    ])
  })

  test('outside a repository it writes nothing and says so', async () => {
    const repo = tempRepo()
    const outside = join(repo.scratch, 'home')
    const d = {...deps(repo), git: new GitCli(outside, {...repo.env, GIT_CEILING_DIRECTORIES: repo.scratch})}
    await expect(initConfig(d, {template: 'trunk'})).rejects.toMatchObject({code: 'NOT_A_REPOSITORY'})
    expect(existsSync(join(outside, 'flow.yml'))).toBe(false)
  })
})
