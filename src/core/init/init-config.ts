import {readFileSync} from 'node:fs'
import {writeFile} from 'node:fs/promises'
import {basename, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {isMap, isSeq, parseDocument, type Document} from 'yaml'
import {configFileIn} from '../config/load.js'
import {formatProblem} from '../config/problems.js'
import {validateConfigText} from '../config/validate.js'
import type {Deps} from '../deps.js'
import {FlowError} from '../errors.js'
import {resolveRepo} from '../repo.js'
import {detectProject, type DetectedProject} from './detect.js'

/** The starters flow init offers. */
export const TEMPLATES = ['trunk', 'github-flow', 'git-flow'] as const
/** One starter's name. */
export type TemplateName = (typeof TEMPLATES)[number]

const TEMPLATE_CHOICES: Array<{value: TemplateName; name: string; description: string}> = [
  {value: 'trunk', name: 'trunk', description: 'Short-lived branches off main, merged within a day or two'},
  {value: 'github-flow', name: 'github-flow', description: 'Feature branches and reviewed pull requests into an always-deployable main'},
  {value: 'git-flow', name: 'git-flow', description: 'develop, release and hotfix branches; main holds what is released'},
]

/** What flow init is asked to do. */
export interface InitInput {
  template?: TemplateName
  force?: boolean
  dryRun?: boolean
}

/** What flow init did (or, with --dry-run, would do). */
export interface InitResult {
  /** Absolute path of the file. */
  path: string
  template: TemplateName
  written: boolean
  dryRun: boolean
  /** True when an existing file was replaced (--force). */
  overwritten: boolean
  content: string
  gates: string[]
  stages: Record<string, string[]>
  detected: DetectedProject
}

/** Where the starters live in the package (the same depth from src/ and dist/). */
export function templatesDir(): string {
  return fileURLToPath(new URL('../../../templates/', import.meta.url))
}

type GateSpec = {run: string[]} | {builtin: string}

function runScript(pm: DetectedProject['packageManager'], script: string): string[] {
  if (pm === 'yarn') return ['yarn', script]
  if (pm === 'pnpm') return ['pnpm', 'run', script]
  return script === 'test' ? ['npm', 'test'] : ['npm', 'run', script]
}

/** The gates and stages prefilled from the package scripts, plus the builtin checks every project gets. */
export function prefillGates(detected: DetectedProject): {gates: Record<string, GateSpec>; stages: Record<string, string[]>} {
  const gates: Record<string, GateSpec> = {}
  for (const name of ['lint', 'types', 'test', 'build'] as const) {
    const script = detected.scripts[name]
    if (script) gates[name] = {run: runScript(detected.packageManager, script)}
  }
  gates.commits = {builtin: 'conventional-commits'}
  gates.secrets = {builtin: 'no-secrets'}
  const pick = (...names: string[]) => names.filter((n) => n in gates)
  const stages = {
    'pre-commit': pick('lint', 'secrets'),
    'pre-push': pick('lint', 'types', 'test'),
    submit: pick('lint', 'types', 'test', 'build', 'commits', 'secrets'),
    release: pick('types', 'test', 'build'),
  }
  return {gates, stages}
}

function setFlow(doc: Document, path: string[], value: unknown): void {
  const node = doc.createNode(value)
  if (isMap(node)) {
    for (const pair of node.items) {
      if (isMap(pair.value) || isSeq(pair.value)) pair.value.flow = true
    }
  }
  doc.setIn(path, node)
}

/** Fills a starter with what was detected; the result is flow.yml text. */
export function renderTemplate(templateText: string, detected: DetectedProject, env: Record<string, string | undefined>): {content: string; gates: string[]; stages: Record<string, string[]>} {
  const doc = parseDocument(templateText)
  doc.setIn(['branches', 'main'], detected.defaultBranch)
  doc.setIn(['forge', 'type'], detected.forge)
  if (detected.forge === 'github' && detected.origin?.host && detected.origin.host !== 'github.com' && detected.origin.host === env.GH_HOST?.toLowerCase()) {
    doc.setIn(['forge', 'host'], detected.origin.host)
  }
  const {gates, stages} = prefillGates(detected)
  setFlow(doc, ['gates'], gates)
  setFlow(doc, ['stages'], stages)
  if (detected.packageManager) doc.setIn(['release', 'bump'], doc.createNode(['package.json'], {flow: true}))
  return {content: doc.toString({lineWidth: 0, flowCollectionPadding: false}), gates: Object.keys(gates), stages}
}

async function chooseTemplate(deps: Pick<Deps, 'prompter' | 'yes'>, input: InitInput): Promise<TemplateName> {
  if (input.template) return input.template
  if (deps.prompter.canPrompt) return deps.prompter.select('Which workflow should flow.yml describe?', TEMPLATE_CHOICES, 'trunk')
  if (deps.yes) return 'trunk'
  throw new FlowError('PROMPT_NEEDED', 'flow init needs a template and cannot prompt here', {hint: 'Pass --template trunk|github-flow|git-flow (or --yes for trunk).'})
}

/** Writes flow.yml at the repository root from a starter, prefilled from the repository; refuses to overwrite without force. */
export async function initConfig(deps: Pick<Deps, 'git' | 'env' | 'prompter' | 'yes'>, input: InitInput): Promise<InitResult> {
  const repo = await resolveRepo(deps.git)
  const existing = await configFileIn(repo.root)
  if (existing && !input.force) {
    throw new FlowError('CONFIG_EXISTS', `${basename(existing)} already exists in ${repo.root}`, {hint: 'Pass --force to replace it, or edit it and run flow config validate.'})
  }
  const template = await chooseTemplate(deps, input)
  const detected = await detectProject(deps.git, repo.root, deps.env)
  const templateText = readFileSync(join(templatesDir(), `${template}.yml`), 'utf8')
  const path = existing ?? join(repo.root, 'flow.yml')
  const rendered = renderTemplate(templateText, detected, deps.env)
  const problems = validateConfigText(rendered.content, basename(path))
  if (problems.length > 0) throw new Error(`the ${template} template produced an invalid flow.yml: ${problems.map(formatProblem).join('; ')}`)
  const result: InitResult = {path, template, written: false, dryRun: Boolean(input.dryRun), overwritten: Boolean(existing), ...rendered, detected}
  if (input.dryRun) return result
  if (deps.prompter.canPrompt && !(await deps.prompter.confirm(`Write ${basename(path)} (${template}) in ${repo.root}?`, true))) {
    throw new FlowError('CANCELLED', 'Nothing written', {hint: 'Run flow init again when you are ready.'})
  }
  await writeFile(path, rendered.content, {flag: existing ? 'w' : 'wx'})
  return {...result, written: true}
}
