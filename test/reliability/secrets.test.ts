import {spawnSync} from 'node:child_process'
import {readFileSync, readdirSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {runFlow} from '../helpers/e2e.js'
import {startFakeGitHubServer, type FakeGitHubServer} from '../helpers/fake-github/index.js'
import {githubSpec} from '../helpers/fake-github/spec.js'
import {githubEnv} from '../helpers/github-e2e.js'
import {cli} from '../helpers/in-process-cli.js'
import {count, harm} from '../helpers/reliability.js'
import {SECRET} from '../helpers/reliability-scenes.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'

// A known token in GH_TOKEN and GITHUB_TOKEN (the fake GitHub demands it) and a whole working session: every
// command, success and failure paths, --debug, gates that print the token, GitHub errors that echo it back, a
// rejected token. Afterwards the token is searched for in every stdout and stderr, every file under .git (journal,
// run archive, gate logs, config, caches), every commit and blob of every ref (the records branch included) in the
// clone and in origin: it must appear nowhere. Deploy and health commands that print the token (user output streamed
// through flow) are redacted like gate output; history.jsonl and the run archive under .git/flow are searched too.

const WRONG = 'ghp_WrongTokenThatMustNotLeakEither0123'
const SECRETS = [SECRET, WRONG]

const FLOW_YML = [
  'review: {approvals: 0}',
  'gates:',
  '  leaky: {run: "echo token=$GH_TOKEN other=$GITHUB_TOKEN"}',
  '  red: {run: [node, -e, "console.log(\'token\', process.env.GH_TOKEN); console.error(process.env.GITHUB_TOKEN); process.exit(1)"]}',
  'stages:',
  '  submit: [leaky]',
  '  release: [leaky]',
  '  check: [red]',
  // Deploy and health commands that print the token themselves: user output, which flow redacts like gate output.
  'environments:',
  '  staging: {deploy: "echo deploying $FLOW_SHA with $GH_TOKEN", health: {command: [node, -e, "console.log(process.env.GITHUB_TOKEN)"], interval: 10ms, count: 1}}',
  '  production: {deploy: [node, -e, "console.error(process.env.GH_TOKEN); process.exit(3)"], after: staging}',
  'services:',
  '  web: {paths: ["src/**"], environments: [staging]}',
  'incidents:',
  '  severities:',
  '    sev2: {summary: "Degraded service", postmortem: optional}',
  '',
].join('\n')

interface Step {
  argv: string[]
  /** Something to arrange first (a fault, a commit). */
  before?: (s: Session) => void
  /** Runs with this token instead. */
  token?: string
  /** Through the built binary rather than in-process. */
  binary?: boolean
}

interface Session {repo: TempRepo; api: FakeGitHubServer; env: Record<string, string>}

const echo = {message: `Bad things happened to token ${SECRET}`, documentation_url: 'https://docs.github.com/rest'}

/** The session, as data: adding a command is adding a line. */
const STEPS: Step[] = [
  {argv: ['doctor', '--json']},
  {argv: ['doctor', '--debug']},
  {argv: ['config', 'show']},
  {argv: ['config', 'validate', '--debug']},
  {argv: ['feature', 'start', 'leak', '--debug']},
  {argv: ['gates', 'run', 'submit', '--debug']},
  {argv: ['gates', 'run', 'check', '--debug']},
  {argv: ['gates', 'run', 'check', '--json']},
  {argv: ['feature', 'submit', '--debug'], before: (s) => s.repo.commit('feat: leak')},
  {argv: ['feature', 'submit', '--json'], before: (s) => {
    s.repo.commit('feat: more')
    s.api.github.fail('pulls/list', {status: 500, times: 50, body: echo})
  }},
  {argv: ['status', '--debug']},
  {argv: ['continue', '--debug'], before: (s) => s.api.github.clearFaults()},
  {argv: ['feature', 'submit', '--debug']},
  {argv: ['feature', 'list', '--json']},
  {argv: ['feature', 'sync', '--debug']},
  {argv: ['feature', 'list', '--debug'], token: WRONG},
  {argv: ['feature', 'approve', '--debug']},
  {argv: ['feature', 'finish', '--debug'], before: (s) => s.api.github.fail('pulls/merge', {status: 403, body: {message: `token ${SECRET} lacks scope`, documentation_url: 'https://docs.github.com/rest'}})},
  {argv: ['status', '--json']},
  {argv: ['undo', '--yes', '--debug']},
  {argv: ['feature', 'finish', '--json', '--debug'], binary: true},
  {argv: ['release', 'plan', '--debug'], before: (s) => s.repo.git('checkout', '-q', 'main')},
  {argv: ['release', 'cut', '--yes', '--debug'], before: (s) => s.api.github.fail('repos/create-release', {status: 422, body: {message: 'Validation Failed', errors: [{resource: 'Release', code: 'custom', message: `no ${SECRET}`}], documentation_url: 'https://docs.github.com/rest'}})},
  {argv: ['abort', '--yes', '--debug']},
  {argv: ['release', 'cut', '--yes', '--json']},
  {argv: ['release', 'notes', '--debug']},
  {argv: ['release', 'status', '--json']},
  {argv: ['records', 'sync', '--debug']},
  {argv: ['feature', 'start', 'second', '--json', '--debug'], binary: true},
  {argv: ['feature', 'submit', '--debug'], binary: true, token: WRONG, before: (s) => s.repo.commit('feat: second')},
  {argv: ['status', '--debug'], binary: true},
  {argv: ['change', 'new', '--type', 'normal', '--title', 'Leak check', '--debug'], binary: true},
  {argv: ['env', 'deploy', 'staging', '--yes', '--debug']},
  {argv: ['env', 'deploy', 'staging', '--yes', '--json'], binary: true, before: (s) => s.api.github.fail('repos/create-deployment', {status: 500, times: 50, body: echo})},
  {argv: ['continue', '--debug'], before: (s) => s.api.github.clearFaults()},
  {argv: ['env', 'promote', 'staging', 'production', '--yes', '--debug']},
  {argv: ['env', 'deploy', 'production', '--yes', '--break-glass', 'hotfix', '--json']},
  {argv: ['env', 'lock', 'staging', '--reason', 'maintenance', '--debug']},
  {argv: ['env', 'unlock', 'staging', '--json']},
  {argv: ['env', 'status', '--debug']},
  {argv: ['env', 'history', 'staging', '--json']},
  {argv: ['incident', 'declare', 'Token leak drill', '--sev', 'sev2', '--service', 'web', '--debug']},
  {argv: ['incident', 'note', 'rotating', '--json'], before: (s) => s.api.github.fail('issues/create-comment', {status: 500, times: 50, body: echo})},
  {argv: ['continue', '--debug'], binary: true, before: (s) => s.api.github.clearFaults()},
  {argv: ['incident', 'update', 'mitigated', '--status', 'mitigated', '--debug'], token: WRONG},
  {argv: ['continue', '--json']},
  {argv: ['incident', 'show', '--json']},
  {argv: ['metrics', 'dora', '--json']},
  {argv: ['service', 'list', '--debug']},
  {argv: ['docs', 'generate', '--debug']},
  {argv: ['compliance', 'check', '--json']},
  {argv: ['ci', 'generate', '--debug']},
  // Last: the installed hooks run flow through npx, which this machine's tests cannot.
  {argv: ['hooks', 'install', '--debug']},
]

let api: FakeGitHubServer
let origin = ''
beforeAll(async () => {
  await githubSpec()
  api = await startFakeGitHubServer({token: SECRET, headSha: (_o, _r, branch) => {
    const r = spawnSync('git', ['rev-parse', '-q', '--verify', `refs/heads/${branch}`], {cwd: origin, encoding: 'utf8'})
    return r.status === 0 ? r.stdout.trim() : undefined
  }})
})
afterAll(() => api.close())

/** Every file under a directory, except git's compressed objects (searched through git instead). */
function files(dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (name === 'objects') continue
    if (statSync(path).isDirectory()) out.push(...files(path))
    else out.push(path)
  }
  return out
}

describe('a known token never appears in output, journals, logs, config or records', () => {
  test('a whole session of commands, failures and --debug included', async () => {
    const repo = tempRepo()
    origin = repo.origin
    const env = {...githubEnv(repo, api, SECRET), GITHUB_TOKEN: SECRET, FLOW_GITHUB_RETRY_BASE_MS: '5'}
    repo.commit('chore: flow.yml', {'flow.yml': FLOW_YML})
    repo.git('tag', '-a', 'v1.0.0', '-m', 'v1.0.0')
    repo.git('push', '-q', 'origin', 'main', 'v1.0.0')
    const session: Session = {repo, api, env}
    const leaks: string[] = []
    const search = (where: string, text: string) => {
      count('secretChecks')
      for (const secret of SECRETS) if (harm('leakedTokens', text.includes(secret))) leaks.push(`${where} holds ${secret === SECRET ? 'the token' : 'the rejected token'}`)
    }
    const exits: string[] = []
    const jsonBroken: string[] = []
    for (const step of STEPS) {
      step.before?.(session)
      const runEnv = {...env, ...(step.token ? {GH_TOKEN: step.token, GITHUB_TOKEN: step.token} : {})}
      const argv = [...step.argv, '--cwd', repo.dir]
      const run = step.binary
        ? await runFlow(step.argv, {cwd: repo.dir, env: runEnv}).then((r) => ({exit: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr}))
        : await cli(argv, runEnv)
      exits.push(`${step.argv.join(' ')}${step.token ? ' (wrong token)' : ''}: ${run.exit}`)
      // A deploy command's own output is progress (stderr): stdout stays one JSON document.
      if (step.binary && step.argv.includes('--json')) {
        try {
          JSON.parse(run.stdout)
        } catch {
          jsonBroken.push(`${step.argv.join(' ')}: ${run.stdout.slice(0, 200)}`)
        }
      }
      search(`stdout of flow ${step.argv.join(' ')}`, run.stdout)
      search(`stderr of flow ${step.argv.join(' ')}`, run.stderr)
    }
    // The session went through success and failure paths (gates red, GitHub errors, a rejected token, pauses).
    expect(exits.filter((e) => !e.endsWith(': 0')).length).toBeGreaterThanOrEqual(5)
    expect(exits.filter((e) => e.endsWith(': 0')).length).toBeGreaterThanOrEqual(15)
    for (const dir of [join(repo.dir, '.git'), repo.origin]) {
      for (const file of files(dir)) search(relative(repo.scratch, file), readFileSync(file, 'latin1'))
      search(`every commit and diff of every ref in ${relative(repo.scratch, dir)}`, repo.gitIn(dir, 'log', '--all', '-p', '--format=%H%n%B'))
      search(`every tag message in ${relative(repo.scratch, dir)}`, repo.gitIn(dir, 'for-each-ref', '--format=%(contents)', 'refs/tags'))
    }
    // What flow sent to GitHub as data (bodies, titles) must not hold it either; only the Authorization header may.
    search('request bodies sent to GitHub', JSON.stringify(api.github.requests.map((r) => [r.path, r.query, r.body])))
    expect(leaks).toEqual([])
    expect(exits).toContain('gates run check --debug: 5')
    for (const ok of ['env deploy staging --yes --debug', 'env promote staging production --yes --debug', 'incident declare Token leak drill --sev sev2 --service web --debug', 'env lock staging --reason maintenance --debug']) expect(exits).toContain(`${ok}: ${ok.startsWith('env promote') ? 1 : 0}`)
    expect(jsonBroken).toEqual([])
  }, 180_000)
})
