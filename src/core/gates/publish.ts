import {appendFile, mkdir, writeFile} from 'node:fs/promises'
import {dirname, resolve} from 'node:path'
import type {Deps} from '../deps.js'
import {githubAnnotations, githubStepSummary, junitXml} from './report.js'
import type {GatesRun} from './run-gates.js'

/** Where a run's reports went. */
export interface PublishedReports {
  junit?: string
  stepSummary?: string
  annotations: number
}

/** Writes the JUnit file when asked and, under GitHub Actions, prints error annotations and appends the job summary. */
export async function publishGateReports(deps: Pick<Deps, 'env' | 'cwd'>, run: GatesRun, options: {junit?: string; write: (line: string) => void}): Promise<PublishedReports> {
  const published: PublishedReports = {annotations: 0}
  if (options.junit) {
    const path = resolve(deps.cwd, options.junit)
    await mkdir(dirname(path), {recursive: true})
    await writeFile(path, junitXml(run))
    published.junit = path
  }
  if (deps.env.GITHUB_ACTIONS === 'true') {
    const lines = githubAnnotations(run)
    for (const line of lines) options.write(line)
    published.annotations = lines.length
    const summary = deps.env.GITHUB_STEP_SUMMARY
    if (summary) {
      await appendFile(summary, githubStepSummary(run))
      published.stepSummary = summary
    }
  }
  return published
}
