// The bodies of the commands that the fast lane (fast-lane.ts) also runs without oclif: `flow status` and
// `flow gates run`. Their oclif classes call these same functions, so both ways print the same.
// No @oclif/core here.
import {resolve} from 'node:path'
import type {Deps} from '../core/deps.js'
import {FlowError} from '../core/errors.js'
import {publishGateReports} from '../core/gates/publish.js'
import {summaryTable} from '../core/gates/report.js'
import {runGates, type GatesRun} from '../core/gates/run-gates.js'
import {formatStatus} from '../engine/format.js'
import {runStatus, type StatusResult} from '../engine/status.js'
import {startLiveProgress} from './live-progress.js'

/** Where a body prints: lines for humans (dropped under --json), and whether --json is on. */
export interface BodyOutput {
  json: boolean
  log(line: string): void
}

/** flow status. */
export async function statusBody(deps: Deps, out: BodyOutput): Promise<StatusResult> {
  const status = await runStatus(deps)
  for (const line of formatStatus(status)) out.log(line)
  return status
}

/** The flags and argument of flow gates run. */
export interface GatesRunFlags {
  stage?: string
  only?: string[]
  concurrency?: number
  failFast?: boolean
  noCache?: boolean
  junit?: string
  base?: string
  messageFile?: string
}

/** flow gates run: throws GATE_FAILED when a required gate failed (under --json: sets the exit code, returns the run). */
export async function gatesRunBody(deps: Deps, f: GatesRunFlags, out: BodyOutput): Promise<GatesRun> {
  const live = startLiveProgress({json: out.json, env: process.env})
  const run = await runGates(deps, {stage: f.stage, only: f.only, concurrency: f.concurrency, failFast: f.failFast, noCache: f.noCache, base: f.base, messageFile: f.messageFile && resolve(deps.cwd, f.messageFile), onEvent: live?.onEvent}).finally(() => live?.stop())
  live?.stop(run)
  await publishGateReports(deps, run, {junit: f.junit, write: (line) => process.stdout.write(`${line}\n`)})
  for (const line of summaryTable(run)) out.log(line)
  if (!run.ok) {
    const error = new FlowError('GATE_FAILED', `required gate${run.failed.length === 1 ? '' : 's'} failed: ${run.failed.join(', ')}`, {hint: `Logs in ${run.logDir}.`})
    if (!out.json) throw error
    process.exitCode = error.exit
  }
  return run
}
