import {spawn} from 'node:child_process'
import {join} from 'node:path'

/** The built binary, spawned as a user would. */
export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'run.js')

/** What one run of the binary did. */
export interface FlowRun {
  exitCode: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** stdout parsed as JSON (undefined when it is not JSON). */
  json: any
}

/** Options of runFlow. */
export interface RunFlowOptions {
  cwd: string
  env?: Record<string, string | undefined>
  input?: string
  timeoutMs?: number
}

/** Runs `flow ARGS` with the built bin/run.js and waits for it to end. */
export function runFlow(args: string[], options: RunFlowOptions): Promise<FlowRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: {...(options.env ?? process.env)} as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000)
    child.on('error', reject)
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer)
      let json: unknown
      try {
        json = JSON.parse(stdout)
      } catch {
        json = undefined
      }
      resolve({exitCode, signal, stdout, stderr, json})
    })
    child.stdin.end(options.input ?? '')
  })
}

/** Starts the binary without waiting, for tests that kill it mid-run. */
export function startFlow(args: string[], options: RunFlowOptions) {
  return spawn(process.execPath, [BIN, ...args], {cwd: options.cwd, env: {...(options.env ?? process.env)} as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe']})
}
