import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

const ROOT = pathToFileURL(join(import.meta.dirname, '..', '..', 'package.json')).href

/** What one in-process run of the CLI did. */
export interface CliRun {
  exit: number
  stdout: string
  stderr: string
  /** A throw that was not oclif's exit (a crash of the command machinery itself). */
  crash?: unknown
}

let busy = false

/**
 * Runs `flow ARGV` in this process through oclif and the BUILT commands (dist/), exactly as bin/run.js does but
 * without starting node: flag parsing, the base command's error handling and output included. The environment is
 * swapped in for the run and restored after; runs must not overlap (the process's env and stdout are shared).
 */
export async function cli(argv: string[], env: Record<string, string>): Promise<CliRun> {
  if (busy) throw new Error('cli(): runs must not overlap')
  busy = true
  const saved = {...process.env}
  const out: string[] = []
  const err: string[] = []
  const stdoutWrite = process.stdout.write
  const stderrWrite = process.stderr.write
  const exitCode = process.exitCode
  for (const key of Object.keys(process.env)) delete process.env[key]
  Object.assign(process.env, env)
  process.stdout.write = ((chunk: unknown) => (out.push(String(chunk)), true)) as typeof process.stdout.write
  process.stderr.write = ((chunk: unknown) => (err.push(String(chunk)), true)) as typeof process.stderr.write
  const consoleSaved = {log: console.log, info: console.info, warn: console.warn, error: console.error}
  console.log = console.info = (...a: unknown[]) => void out.push(`${a.join(' ')}\n`)
  console.warn = console.error = (...a: unknown[]) => void err.push(`${a.join(' ')}\n`)
  let exit = 0
  let crash: unknown
  try {
    const {run} = await import('@oclif/core')
    process.exitCode = undefined
    await run(argv, ROOT)
    // With --json, oclif reports the error document and sets the exit code instead of throwing.
    exit = Number(process.exitCode ?? 0)
  } catch (error) {
    const oclif = (error as {oclif?: {exit?: number}}).oclif
    if (typeof oclif?.exit === 'number') exit = oclif.exit
    else {
      exit = 1
      crash = error
    }
  } finally {
    process.stdout.write = stdoutWrite
    process.stderr.write = stderrWrite
    Object.assign(console, consoleSaved)
    for (const key of Object.keys(process.env)) delete process.env[key]
    Object.assign(process.env, saved)
    process.exitCode = exitCode
    busy = false
  }
  return {exit, stdout: out.join(''), stderr: err.join(''), ...(crash === undefined ? {} : {crash})}
}
