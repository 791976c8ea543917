/** `flow docs generate`: writes (or checks) the process document generated from flow.yml. */
import {readFile} from 'node:fs/promises'
import {basename, join, relative, resolve} from 'node:path'
import {runPlan, type RunResult} from '../../engine/runner.js'
import type {Deps} from '../deps.js'
import {FlowError} from '../errors.js'
import type {FileWriteInput} from '../files/file-steps.js'
import {renderProcessDocument} from './process-document.js'

/** Input of generateDocs. */
export interface GenerateDocsInput {
  /** Where to write (default flow.yml docs.output), relative to the repository root. */
  out?: string
  /** Compare with the file on disk and fail with DOCS_DRIFT when it differs; write nothing. */
  check?: boolean
  dryRun?: boolean
  /** Include the current DORA figures under Performance Tracking. */
  metrics?: boolean
}

/** What `flow docs generate` did (its --json document). */
export interface DocsGenerated {
  path: string
  status: 'written' | 'unchanged' | 'up-to-date' | 'dry-run'
  sections: number
  steps?: RunResult['steps']
}

async function rawConfig(path: string | undefined): Promise<Record<string, unknown>> {
  if (path === undefined) return {}
  const {parse} = await import('../yaml.js')
  const value: unknown = parse(await readFile(path, 'utf8'))
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {}
}

/** Writes or checks the process document. */
export async function generateDocs(deps: Parameters<typeof runPlan>[0] & Pick<Deps, 'config' | 'records' | 'forge'>, input: GenerateDocsInput): Promise<DocsGenerated> {
  const loaded = await deps.config()
  const repo = await deps.repo()
  let figures: string | undefined
  if (input.metrics) {
    const [{metricsDora}, {renderDoraMarkdown}] = await Promise.all([import('../metrics/run-metrics.js'), import('../metrics/render.js')])
    // Headings of the report become bold lines, so the document's headings stay those of the outline.
    figures = renderDoraMarkdown(await metricsDora(deps, {})).trim().replace(/^#+ (.*)$/gm, '**$1**')
  }
  const text = renderProcessDocument({config: loaded.config, raw: await rawConfig(loaded.path), name: basename(repo.root), ...(figures ? {figures} : {})})
  const path = resolve(repo.root, input.out ?? loaded.config.docs.output)
  const display = relative(repo.root, path) || path
  const sections = (text.match(/^#{2,4} /gm) ?? []).length
  const current = await readFile(path, 'utf8').catch(() => null)
  if (input.check) {
    if (current !== text) {
      throw new FlowError('DOCS_DRIFT', current === null ? `${display} does not exist` : `${display} differs from what flow.yml generates`, {
        hint: `Run flow docs generate${input.out ? ` --out ${input.out}` : ''}${input.metrics ? ' --metrics' : ''} and commit ${display}; change flow.yml rather than the document.`,
      })
    }
    return {path: display, status: 'up-to-date', sections}
  }
  if (current === text && !input.dryRun) return {path: display, status: 'unchanged', sections}
  const plan = {command: 'docs generate', inputs: {out: display}, steps: [{kind: 'file.write', input: {path: join(path), content: text, display} satisfies FileWriteInput}]}
  const run = await runPlan(deps, plan, {dryRun: input.dryRun})
  return input.dryRun ? {path: display, status: 'dry-run', sections, steps: run.steps} : {path: display, status: 'written', sections}
}
