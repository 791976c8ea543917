import {readFile} from 'node:fs/promises'
import {join, relative} from 'node:path'
import {runPlan, type RunResult} from '../../engine/runner.js'
import type {Deps} from '../deps.js'
import {FlowError} from '../errors.js'
import type {FileWriteInput} from '../files/file-steps.js'
import {renderWorkflow, workflowFor} from './workflow.js'

/** What `flow ci generate` did (its --json document). */
export interface CiGenerated {
  path: string
  stage: string
  jobs: string[]
  /** written, unchanged, or (with --check) up-to-date. */
  status: 'written' | 'unchanged' | 'up-to-date' | 'dry-run'
  steps?: RunResult['steps']
}

/** Input of generateCi. */
export interface GenerateCiInput {
  stage?: string
  singleJob?: boolean
  /** Compare with the file on disk and fail with CI_DRIFT when it differs; write nothing. */
  check?: boolean
  dryRun?: boolean
}

/** Writes (or checks) the GitHub Actions workflow generated from a stage. */
export async function generateCi(deps: Parameters<typeof runPlan>[0] & Pick<Deps, 'config'>, input: GenerateCiInput): Promise<CiGenerated> {
  const {config} = await deps.config()
  const repo = await deps.repo()
  const stage = input.stage ?? 'submit'
  const workflow = workflowFor(config, {stage, singleJob: input.singleJob})
  const text = renderWorkflow(workflow)
  const path = join(repo.root, config.ci.path)
  const display = relative(repo.root, path)
  const jobs = Object.keys(workflow.jobs as Record<string, unknown>)
  const current = await readFile(path, 'utf8').catch(() => null)
  if (input.check) {
    if (current !== text) {
      const flags = `${input.stage && input.stage !== 'submit' ? ` --stage ${input.stage}` : ''}${input.singleJob ? ' --single-job' : ''}`
      throw new FlowError('CI_DRIFT', current === null ? `${display} does not exist` : `${display} differs from what flow.yml generates`, {
        hint: `Run flow ci generate${flags} and commit ${display}; change flow.yml rather than the workflow by hand.`,
      })
    }
    return {path: display, stage, jobs, status: 'up-to-date'}
  }
  if (current === text && !input.dryRun) return {path: display, stage, jobs, status: 'unchanged'}
  const plan = {command: 'ci generate', inputs: {stage, singleJob: Boolean(input.singleJob)}, steps: [{kind: 'file.write', input: {path, content: text, display} satisfies FileWriteInput}]}
  const run = await runPlan(deps, plan, {dryRun: input.dryRun})
  return input.dryRun ? {path: display, stage, jobs, status: 'dry-run', steps: run.steps} : {path: display, stage, jobs, status: 'written'}
}
