import {execFileSync} from 'node:child_process'
import {existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {join} from 'node:path'
import {afterEach} from 'vitest'
import {runFlow, type FlowRun} from './e2e.js'
import {tempRepo, type TempRepo} from './temp-repo.js'

/** The deploy, switch, weight and check script of the environment tests. */
export const SCRIPT = join(import.meta.dirname, 'test-deploy.mjs')

/** A free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as {port: number}).port
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}

/** A repo whose flow.yml deploys real loopback services, and the state directory the scripts share. */
export interface EnvScene {
  repo: TempRepo
  state: string
  ports: Record<string, number>
  /** Runs the built flow in the repo. */
  flow(...args: string[]): Promise<FlowRun>
  /** The sha a slot's service reports on /health, with its HTTP status; undefined when nothing answers. */
  serving(slot: string): Promise<{status: number; sha: string; version: string} | undefined>
  /** Makes a sha's service unhealthy when it is deployed. */
  failing(sha: string): void
  /** Every call the scripts saw. */
  log(): Array<{verb: string; argv: string[]; env: Record<string, string>}>
  read(name: string): string
}

const pidFiles = new Set<string>()

afterEach(() => {
  for (const dir of pidFiles) {
    if (!existsSync(dir)) continue
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.pid'))) {
      try {
        process.kill(Number(readFileSync(join(dir, f), 'utf8')), 'SIGTERM')
      } catch {
        // already gone
      }
    }
  }
  pidFiles.clear()
})

/** `["node", SCRIPT, verb, STATE, ...args]` as flow.yml YAML. */
export const scriptArgv = (state: string, verb: string, ...args: string[]) => JSON.stringify(['node', SCRIPT, verb, state, ...args])

/** Makes a temp repo with `flow.yml` from `yaml(state, ports)`, committed, and services' slots on free ports. */
export async function envScene(slots: string[], yaml: (state: string, ports: Record<string, number>) => string, env: Record<string, string> = {}): Promise<EnvScene> {
  const repo = tempRepo()
  const state = join(repo.scratch, 'state')
  mkdirSync(state, {recursive: true})
  pidFiles.add(state)
  const ports: Record<string, number> = {}
  for (const s of slots) ports[s] = await freePort()
  writeFileSync(join(state, 'ports.json'), JSON.stringify(ports))
  repo.commit('chore: flow.yml', {'flow.yml': yaml(state, ports)})
  const scene: EnvScene = {
    repo, state, ports,
    flow: (...args) => runFlow(args, {cwd: repo.dir, env: {...repo.env, ...env}, timeoutMs: 60_000}),
    async serving(slot) {
      try {
        const res = await fetch(`http://127.0.0.1:${ports[slot]}/health`)
        const body = (await res.json()) as {sha: string; version: string}
        return {status: res.status, sha: body.sha, version: body.version}
      } catch {
        return undefined
      }
    },
    failing: (sha) => writeFileSync(join(state, `fail-${sha}`), ''),
    log: () => (existsSync(join(state, 'log.jsonl')) ? readFileSync(join(state, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : []),
    read: (name) => (existsSync(join(state, name)) ? readFileSync(join(state, name), 'utf8') : ''),
  }
  return scene
}

/** Events of the deployments collection on flow/records, parsed (path → event). */
export function recordEvents(repo: TempRepo): Array<{path: string; event: {type: string; data: Record<string, unknown>}}> {
  const paths = repo.git('ls-tree', '-r', '--name-only', 'flow/records', '--', 'deployments').split('\n').filter(Boolean)
  return paths.map((path) => ({path, event: JSON.parse(execFileSync('git', ['show', `flow/records:${path}`], {cwd: repo.dir, env: repo.env, encoding: 'utf8'}))}))
}
