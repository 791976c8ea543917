import {spawnSync} from 'node:child_process'
import {rmSync} from 'node:fs'
import {onTestFinished} from 'vitest'
import {createDeps} from '../../src/cli/deps.js'
import {describeError} from '../../src/cli/flow-command.js'
import type {Deps} from '../../src/core/deps.js'
import {approveFeature} from '../../src/core/feature/approve-feature.js'
import {finishFeature} from '../../src/core/feature/finish-feature.js'
import {startFeature} from '../../src/core/feature/start-feature.js'
import {submitFeature} from '../../src/core/feature/submit-feature.js'
import {cutRelease} from '../../src/core/release/cut-release.js'
import {newChange} from '../../src/core/changes/new-change.js'
import {deployEnvironment} from '../../src/core/env/deploy.js'
import {noteIncident} from '../../src/core/incidents/actions.js'
import {declareIncident} from '../../src/core/incidents/declare.js'
import {continueRun} from '../../src/engine/runner.js'
import {undoRun} from '../../src/engine/undo.js'
import {startFakeGitHubServer, type FakeGitHubServer, type FakeRepo} from './fake-github/index.js'
import {githubEnv} from './github-e2e.js'
import {copyTempRepo, tempRepo, type TempRepo} from './temp-repo.js'

/** The token every reliability scene hands flow; it must never show up anywhere flow writes. */
export const SECRET = 'ghp_R3liabilityCanaryToken0123456789abcd'

/** A repository seen as github.com/octo/hello, with the fake GitHub on loopback. */
export interface Scene {
  repo: TempRepo
  api: FakeGitHubServer
  env: Record<string, string>
  /** The fake's state of octo/hello. */
  state(): FakeRepo
}

/** What one in-process run ended with. */
export interface InProcessRun {
  exit: number
  result?: unknown
  error?: {code: string; message: string; hint?: string; details?: unknown}
  warnings: string[]
}

/** Deps as the binary builds them (real git, shell, records, GitHub forge from the env), with a collecting reporter. */
export function sceneDeps(scene: Scene, warnings: string[] = [], env: Record<string, string> = {}): Deps {
  const deps = createDeps({cwd: scene.repo.dir, env: {...scene.env, ...env}, canPrompt: false, json: true, yes: true, debug: false})
  deps.reporter = {progress: () => {}, warn: (m) => warnings.push(m), info: () => {}}
  return deps
}

/** Runs a service in-process, turning its error into the exit code the binary would have given. */
export async function inProcess(scene: Scene, run: (deps: Deps) => Promise<unknown>, env: Record<string, string> = {}): Promise<InProcessRun> {
  const warnings: string[] = []
  try {
    const result = await run(sceneDeps(scene, warnings, env))
    return {exit: 0, result, warnings}
  } catch (error) {
    const {doc, exit} = describeError(error)
    return {exit, error: doc.error as InProcessRun['error'], warnings}
  }
}

/** One mutating command under test: how to make the world it runs in, run it, and count what it makes. */
export interface CommandCase {
  name: string
  /** argv of the built binary. */
  argv: string[]
  /** Makes a repository ready for the command. */
  setup(scene: Scene): Promise<void>
  run(deps: Deps): Promise<unknown>
  /** What the command makes on the forge, counted: it must be exactly 1 after a finished run. */
  made(scene: Scene): number
  /** What is still in effect of it (an open pull request; a closed one was undone), default `made`. */
  live?(scene: Scene): number
  /** What `made` counts, for messages. */
  thing: string
  /** Changes no ref but flow/records: after undo every other ref must be back even when undo lists steps it cannot undo. */
  recordsOnly?: boolean
}

const ok = async (scene: Scene, what: string, run: (deps: Deps) => Promise<unknown>) => {
  const r = await inProcess(scene, run)
  if (r.exit !== 0) throw new Error(`setup ${what} failed: ${JSON.stringify(r.error)}`)
}

/** The gate of the reliability scenes: passes at once, unless RELIABILITY_GATE_HOLD names a file: it then writes its pid there and waits until the file is removed (or it is killed). */
export const GATE_SCRIPT = "const f=require('fs'),h=process.env.RELIABILITY_GATE_HOLD;if(h){f.writeFileSync(h,String(process.pid));const t=setInterval(()=>{if(!f.existsSync(h))clearInterval(t)},20)}"

/** flow.yml of the scenes: one gate in the submit and release stages, the rest defaults. */
export const FLOW_YML = ['gates:', `  check: {run: [node, -e, ${JSON.stringify(GATE_SCRIPT)}]}`, 'stages:', '  submit: [check]', '  release: [check]', ''].join('\n')

/** Commits and pushes flow.yml. */
export function withFlowYml(scene: Scene): void {
  scene.repo.commit('chore: flow.yml', {'flow.yml': FLOW_YML})
  scene.repo.git('push', '-q', 'origin', 'main')
}

const branchStarted = async (scene: Scene) => {
  withFlowYml(scene)
  await ok(scene, 'feature start', (d) => startFeature(d as never, {name: 'search'}))
  scene.repo.commit('feat: search box')
}

/** The deploy, switch and health commands of the environment scenes: argv arrays; the health check holds like the gate (RELIABILITY_HEALTH_HOLD). */
const HEALTH_SCRIPT = GATE_SCRIPT.replace('RELIABILITY_GATE_HOLD', 'RELIABILITY_HEALTH_HOLD')
const NOOP = 'process.exit(0)'

/** flow.yml of the environment, incident and change scenes: staging rolls out in two batches, production is blue-green. */
export const ENV_YML = [
  'forge: {type: github}',
  'environments:',
  `  staging: {deploy: [node, -e, ${JSON.stringify(NOOP)}, "{sha}"], health: {command: [node, -e, ${JSON.stringify(HEALTH_SCRIPT)}], interval: 10ms, count: 1}, strategy: {rolling: {batch: 50%}}}`,
  `  production: {deploy: [node, -e, ${JSON.stringify(NOOP)}, "{sha}", "{color}"], health: {command: [node, -e, ${JSON.stringify(HEALTH_SCRIPT)}], interval: 10ms, count: 1}, strategy: {blue-green: {switch: [node, -e, ${JSON.stringify(NOOP)}, "{color}"]}}}`,
  'incidents:',
  '  severities:',
  '    sev2: {summary: "Degraded service", postmortem: optional}',
  '',
].join('\n')

const withEnvYml = (scene: Scene) => {
  scene.repo.commit('chore: flow.yml', {'flow.yml': ENV_YML})
  scene.repo.git('push', '-q', 'origin', 'main')
}

/** Events on flow/records of one collection, counted by record (the first path segment after the collection). */
export function recordsIn(scene: Scene, collection: string): number {
  let out = ''
  try {
    out = scene.repo.git('ls-tree', '-r', '--name-only', 'refs/heads/flow/records', '--', collection)
  } catch {
    return 0
  }
  return new Set(out.split('\n').filter(Boolean).map((p) => p.split('/')[1])).size
}

function withdrawn(scene: Scene, collection: string): number {
  try {
    return new Set(scene.repo.git('grep', '-l', '"withdrawn"', 'refs/heads/flow/records', '--', collection).split('\n').filter(Boolean).map((p) => p.split(':')[1]!.split('/')[1])).size
  } catch {
    return 0
  }
}

const envDeploy = (environment: string, strategy: string): CommandCase => ({
  name: `env deploy (${strategy})`,
  argv: ['env', 'deploy', environment, '--yes'],
  setup: async (scene) => withEnvYml(scene),
  run: (d) => deployEnvironment(d, {environment}),
  made: (s) => s.state().deployments.length,
  // undo leaves the deployment (records and GitHub deployments are append-only): it says so in notUndone.
  thing: 'GitHub deployment',
  recordsOnly: true,
})

/** The commands whose every forge call and step boundary the reliability tests sweep. Adding one is one entry. */
export const COMMANDS: CommandCase[] = [
  {
    name: 'feature submit',
    argv: ['feature', 'submit', '--reviewer', 'alice', '--label', 'ui'],
    setup: branchStarted,
    run: (d) => submitFeature(d as never, {reviewers: ['alice'], labels: ['ui']}),
    made: (s) => s.state().pulls.length,
    live: (s) => s.state().pulls.filter((p) => p.state === 'open').length,
    thing: 'pull request',
  },
  {
    name: 'feature finish',
    argv: ['feature', 'finish'],
    async setup(scene) {
      await branchStarted(scene)
      await ok(scene, 'feature submit', (d) => submitFeature(d as never, {}))
      await ok(scene, 'feature approve', (d) => approveFeature(d, {}))
    },
    run: (d) => finishFeature(d as never, {}),
    made: (s) => s.state().pulls.filter((p) => p.merged).length,
    thing: 'merge',
  },
  {
    name: 'release cut',
    argv: ['release', 'cut', '--yes'],
    async setup(scene) {
      withFlowYml(scene)
      scene.repo.git('tag', '-a', 'v1.0.0', '-m', 'v1.0.0')
      scene.repo.git('push', '-q', 'origin', 'v1.0.0')
      scene.repo.commit('feat: one')
      scene.repo.commit('fix: two')
      scene.repo.git('push', '-q', 'origin', 'main')
    },
    run: (d) => cutRelease(d, {}),
    made: (s) => s.state().releases.length,
    thing: 'release',
  },
  envDeploy('staging', 'rolling'),
  envDeploy('production', 'blue-green'),
  {
    name: 'incident declare',
    argv: ['incident', 'declare', 'Checkout 500s', '--sev', 'sev2'],
    setup: async (scene) => withEnvYml(scene),
    run: (d) => declareIncident(d as never, {title: 'Checkout 500s', severity: 'sev2'}),
    made: (s) => s.state().issues.filter((i) => i.title.startsWith('INC-1:')).length,
    thing: 'incident issue',
    recordsOnly: true,
  },
  {
    name: 'incident note',
    argv: ['incident', 'note', 'web pods restarting'],
    async setup(scene) {
      withEnvYml(scene)
      await ok(scene, 'incident declare', (d) => declareIncident(d as never, {title: 'Checkout 500s', severity: 'sev2'}))
    },
    run: (d) => noteIncident(d as never, {text: 'web pods restarting'}),
    made: (s) => s.state().comments.filter((c) => c.body.startsWith('Note: web pods restarting')).length,
    thing: 'comment',
    recordsOnly: true,
  },
  {
    name: 'change new',
    argv: ['change', 'new', '--type', 'normal', '--title', 'Add index'],
    async setup(scene) {
      withEnvYml(scene)
      await ok(scene, 'feature start', (d) => startFeature(d as never, {name: 'add-index'}))
      scene.repo.commit('feat: index')
    },
    run: (d) => newChange(d as never, {type: 'normal', title: 'Add index'}),
    made: (s) => recordsIn(s, 'changes'),
    // undo withdraws the change (an appended event): a withdrawn change is no longer in effect.
    live: (s) => recordsIn(s, 'changes') - withdrawn(s, 'changes'),
    thing: 'change record',
  },
]

/** `flow continue` and `flow undo` in-process. */
export const resume = (deps: Deps) => continueRun(deps)
export const undo = (deps: Deps) => undoRun(deps)

/** A fresh scene: temp repo on github.com/octo/hello, the fake GitHub (merges see the bare origin's real head). */
export async function makeScene(extraEnv: Record<string, string> = {}, repo: TempRepo = tempRepo()): Promise<Scene> {
  const api = await startFakeGitHubServer({headSha: (_o, _r, branch) => {
    const r = spawnSync('git', ['rev-parse', '-q', '--verify', `refs/heads/${branch}`], {cwd: repo.origin, env: repo.env, encoding: 'utf8'})
    return r.status === 0 ? r.stdout.trim() : undefined
  }})
  const env = {...githubEnv(repo, api, SECRET), ...extraEnv}
  return {repo, api, env, state: () => api.github.repo('octo', 'hello')}
}

/** A scene ready for a command, made once: copies of it are cheap fresh starts. Close it with `dispose`. */
export interface Prepared {
  scene: Scene
  dispose(): Promise<void>
}

/** Prepares a command's scene once (outside any test: call it from beforeAll). */
export async function prepare(c: CommandCase): Promise<Prepared> {
  const scene = await makeScene({}, tempRepo({keep: true}))
  await c.setup(scene)
  return {scene, dispose: async () => {
    await scene.api.close()
    rmSync(scene.repo.scratch, {recursive: true, force: true})
  }}
}

/** A fresh copy of a prepared scene: its directories copied, a new fake GitHub holding a copy of its state; closed after the test. */
export async function copyScene(from: Prepared, extraEnv: Record<string, string> = {}, onFinished: (fn: () => Promise<void>) => void = onTestFinished): Promise<Scene> {
  const scene = await makeScene(extraEnv, copyTempRepo(from.scene.repo, {keep: true}))
  Object.assign(scene.state(), structuredClone(from.scene.state()))
  // Concurrent tests pass their context's onTestFinished (the global one cannot tell them apart).
  onFinished(async () => {
    await scene.api.close()
    rmSync(scene.repo.scratch, {recursive: true, force: true})
  })
  return scene
}

/** Every ref of a repository (`git for-each-ref`), as name → sha. */
export function refs(repo: TempRepo, dir = repo.dir): Record<string, string> {
  const out = repo.gitIn(dir, 'for-each-ref', '--format=%(refname) %(objectname)')
  return Object.fromEntries(out.split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]))
}
