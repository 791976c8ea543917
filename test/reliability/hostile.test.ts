import {spawnSync} from 'node:child_process'
import {existsSync, readdirSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import fc from 'fast-check'
import {describe, expect, test} from 'vitest'
import {isFlowError} from '../../src/core/errors.js'
import {renderBranchName} from '../../src/core/feature/names.js'
import {cli} from '../helpers/in-process-cli.js'
import {count, harm} from '../helpers/reliability.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'

// Hostile values (shell syntax, option injection, control characters, huge and odd unicode strings) through every
// command that takes a name, title, version, ref or path, run in-process through oclif and the built commands.
// Each must be refused (exit 2, 6 by policy, or another FlowError exit with a message) or used as plain data; never a crash.
// The repo's flow.yml has a gate written as a shell string and the git hooks are installed, so a value spliced into
// any shell line would run: `touch CANARY` files prove none did. Every ref left behind must pass
// `git check-ref-format`, and the branch-name renderer is checked against git's rules directly.

const FULL = process.env.FLOW_RELIABILITY_FULL === '1'
const PER_COMMAND = FULL ? Infinity : 3

/** The values, with {canary} standing for a file a shell would create. */
const VALUES = [
  '$(touch {canary})',
  '`touch {canary}`',
  'x; touch {canary}',
  'x && touch {canary} #',
  '--upload-pack=touch {canary}',
  '--exec=touch {canary}',
  '-rf',
  '-',
  'a\nb: touch {canary}',
  'nul\u0000byte',
  'x'.repeat(5000),
  'ünïcødé/分支-🙂',
  '\u202Eevil\u202C',
  '../../../etc/passwd',
  'a..b',
  '@{-1}',
  'HEAD',
  'x.lock',
  ' spaced  name ',
  '$HOME',
  "'; rm -rf / #",
  '%s%n%x',
]

/** The commands that take values, as data: {v} is the value (a positional argument, or in --flag={v}). Adding a command is one entry. */
const COMMANDS: Array<{name: string; argv: string[]; on?: string}> = [
  {name: 'feature start NAME', argv: ['feature', 'start', '{v}']},
  {name: 'feature start --base', argv: ['feature', 'start', 'ok', '--base={v}']},
  {name: 'feature start --issue', argv: ['feature', 'start', 'ok', '--issue={v}']},
  {name: 'feature submit --title', argv: ['feature', 'submit', '--title={v}'], on: 'feature/t'},
  {name: 'feature submit --reviewer', argv: ['feature', 'submit', '--reviewer={v}'], on: 'feature/t'},
  {name: 'feature submit --label', argv: ['feature', 'submit', '--label={v}', '--assignee={v}'], on: 'feature/t'},
  {name: 'release plan --version', argv: ['release', 'plan', '--version={v}']},
  {name: 'release cut --version', argv: ['release', 'cut', '--yes', '--version={v}']},
  {name: 'release cut --pre', argv: ['release', 'cut', '--yes', '--pre={v}']},
  {name: 'release notes --from', argv: ['release', 'notes', '--from={v}']},
  {name: 'gates run STAGE', argv: ['gates', 'run', '{v}']},
  {name: 'gates run --only', argv: ['gates', 'run', '--only={v}']},
  {name: 'config validate --file', argv: ['config', 'validate', '--file={v}']},
  {name: 'init --template', argv: ['init', '--force', '--template={v}']},
  {name: 'hooks install --hook', argv: ['hooks', 'install', '--hook={v}']},
  {name: 'ci generate --stage', argv: ['ci', 'generate', '--stage={v}']},
  {name: 'records sync --remote', argv: ['records', 'sync', '--remote={v}']},
  {name: 'env deploy --ref', argv: ['env', 'deploy', 'staging', '--yes', '--ref={v}']},
  {name: 'env deploy --break-glass', argv: ['env', 'deploy', 'staging', '--yes', '--break-glass={v}']},
  {name: 'env deploy ENV', argv: ['env', 'deploy', '{v}', '--yes']},
  {name: 'env lock --reason', argv: ['env', 'lock', 'staging', '--reason={v}']},
  {name: 'incident declare TITLE', argv: ['incident', 'declare', '{v}', '--sev', 'sev2']},
  {name: 'incident declare --service', argv: ['incident', 'declare', 'ok', '--sev', 'sev2', '--service={v}']},
  {name: 'incident note TEXT', argv: ['incident', 'note', '{v}', '--incident', 'INC-1']},
  {name: 'incident role set ROLE WHO', argv: ['incident', 'role', 'set', '{v}', '{v}', '--incident', 'INC-1']},
  {name: 'change new --title', argv: ['change', 'new', '--type', 'normal', '--title={v}'], on: 'feature/t'},
  {name: 'change approve --comment', argv: ['change', 'approve', 'CHG-1', '--comment={v}']},
  {name: 'change implement --break-glass', argv: ['change', 'implement', 'CHG-1', '--yes', '--break-glass={v}']},
  {name: 'service show NAME', argv: ['service', 'show', '{v}']},
  {name: 'docs generate --out', argv: ['docs', 'generate', '--out={v}']},
]

const FLOW_YML = [
  'review: {approvals: 0}',
  'gates:',
  '  check: {run: "echo gate-ran"}',
  'stages:',
  '  submit: [check]',
  '  pre-push: [check]',
  // A deploy written as a shell string: values reach it as FLOW_* environment variables, never as text.
  'environments:',
  '  staging: {deploy: "echo deploying $FLOW_SHA"}',
  'services:',
  '  web: {paths: ["src/**"], environments: [staging]}',
  'incidents:',
  '  severities:',
  '    sev2: {summary: "Degraded service", postmortem: optional}',
  '',
].join('\n')

function scene(): {repo: TempRepo; env: Record<string, string>; main: string; canaries: string} {
  const repo = tempRepo()
  const canaries = join(repo.scratch, 'canaries')
  repo.commit('chore: flow.yml', {'flow.yml': FLOW_YML})
  repo.git('tag', '-a', 'v1.0.0', '-m', 'v1.0.0')
  repo.commit('feat: something')
  repo.git('push', '-q', 'origin', 'main', 'v1.0.0')
  repo.git('checkout', '-q', '-b', 'feature/t')
  repo.commit('feat: t')
  repo.git('config', 'branch.feature/t.flow-parent', 'main')
  repo.git('checkout', '-q', 'main')
  const main = repo.git('rev-parse', 'HEAD')
  return {repo, env: {...repo.env, FLOW_OFFLINE: '1'}, main, canaries}
}

/** Back to the starting state between two runs: main checked out, clean, no run, no extra branches or tags. */
function reset(repo: TempRepo, main: string): void {
  rmSync(join(repo.dir, '.git', 'flow', 'run.json'), {force: true})
  rmSync(join(repo.dir, '.git', 'flow', 'lock'), {force: true, recursive: true})
  repo.git('checkout', '-qf', 'main')
  repo.git('reset', '-q', '--hard', main)
  repo.git('clean', '-qfdx')
  for (const ref of repo.git('for-each-ref', '--format=%(refname)', 'refs/heads', 'refs/tags').split('\n').filter(Boolean)) {
    if (!['refs/heads/main', 'refs/heads/feature/t', 'refs/heads/flow/records', 'refs/tags/v1.0.0'].includes(ref)) repo.git('update-ref', '-d', ref)
  }
}

function badRefs(repo: TempRepo, dir = repo.dir): string[] {
  const names = repo.gitIn(dir, 'for-each-ref', '--format=%(refname)').split('\n').filter(Boolean)
  return names.filter((name) => spawnSync('git', ['check-ref-format', name], {env: repo.env}).status !== 0 || name.split('/').some((part) => part.startsWith('-')))
}

describe('hostile values through every command that takes one', () => {
  test('refused (exit 2 or a FlowError) or used as plain data; no shell ran them; every ref valid', async () => {
    const {repo, env, canaries} = scene()
    // The hooks are installed: a value reaching a hook's shell line would run too.
    const hooks = await cli(['hooks', 'install', '--cwd', repo.dir], env)
    expect(hooks.exit, hooks.stderr).toBe(0)
    const hooked = repo.git('rev-parse', 'HEAD')
    const problems: string[] = []
    let index = 0
    for (const command of COMMANDS) {
      // npm test: PER_COMMAND values per command, rotating so that every value is used by some command.
      const values = VALUES.map((v, i) => ({v, i})).filter(({i}) => FULL || (i - index * PER_COMMAND + VALUES.length * COMMANDS.length) % VALUES.length < PER_COMMAND)
      index++
      for (const {v, i} of values) {
        reset(repo, hooked)
        if (command.on) repo.git('checkout', '-q', command.on)
        const canary = join(canaries, `c${index}-${i}`)
        const value = v.replaceAll('{canary}', canary)
        // Flags take the value as --flag=VALUE (so a leading dash stays a value); a positional one goes after `--`.
        const rest = command.argv.slice(2).flatMap((a) => (a === '{v}' ? (value.startsWith('-') ? ['--', value] : [value]) : [a.replaceAll('{v}', value)]))
        const argv = [...command.argv.slice(0, 2), '--cwd', repo.dir, ...rest]
        const run = await cli(argv, env)
        count('hostileInputs')
        const label = `${command.name} ${JSON.stringify(value.slice(0, 40))}`
        if (run.crash) problems.push(`${label}: crashed: ${String(run.crash)}`)
        if (/This is a bug in flow/.test(run.stderr)) problems.push(`${label}: an internal error: ${run.stderr.split('\n')[0]}`)
        if (![0, 1, 2, 3, 5, 6, 8].includes(run.exit)) problems.push(`${label}: exit ${run.exit}`)
        if (run.exit !== 0 && !/Error: /.test(run.stderr) && !/\S/.test(run.stdout)) problems.push(`${label}: exit ${run.exit} without a message`)
        if (/\n\s+at .+\(.+:\d+:\d+\)/.test(run.stderr)) problems.push(`${label}: a stack trace`)
        const bad = badRefs(repo)
        if (bad.length > 0) problems.push(`${label}: refs against git's rules: ${bad.join(', ')}`)
      }
    }
    reset(repo, hooked)
    const ran = existsSync(canaries) ? readdirSync(canaries) : []
    if (harm('shellExecutions', ran.length > 0)) problems.push(`a shell ran a value: ${ran.join(', ')}`)
    expect(badRefs(repo, repo.origin)).toEqual([])
    expect(problems).toEqual([])
  }, 240_000)

  test('branch names rendered from any text pass `git check-ref-format --branch`, or are refused as usage', () => {
    const templates = ['feature/{slug}', 'hotfix/{slug}', '{user}/{slug}', 'feature/{issue}-{slug}', 'feature/{date}/{slug}', 'release/{version}']
    const text = fc.oneof(fc.string({maxLength: 80}), fc.string({unit: 'binary', maxLength: 40}), fc.constantFrom(...VALUES))
    const bad: string[] = []
    fc.assert(fc.property(fc.constantFrom(...templates), text, text, text, (template, name, issue, version) => {
      let branch: string
      try {
        branch = renderBranchName(template, {name, issue, user: issue, date: new Date(0), version})
      } catch (error) {
        if (!isFlowError(error) || error.exit !== 2) throw error
        return
      }
      count('hostileInputs')
      const git = spawnSync('git', ['check-ref-format', '--branch', branch], {encoding: 'utf8'})
      if (git.status !== 0 || branch.split('/').some((p) => p.startsWith('-'))) bad.push(`${template} ${JSON.stringify({name, issue, version})} → ${JSON.stringify(branch)}`)
    }), {numRuns: FULL ? 2000 : 300, seed: 11})
    expect(bad).toEqual([])
  }, 60_000)
})
