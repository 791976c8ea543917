import {readFile} from 'node:fs/promises'
import {resolve} from 'node:path'
import type {Deps} from '../deps.js'
import {FlowError} from '../errors.js'
import {displayName, findConfigFile} from './load.js'
import type {ConfigProblem} from './problems.js'
import {validateConfigText} from './validate.js'

/** The report of flow config validate. */
export interface ValidationReport {
  valid: boolean
  /** The file checked, as shown in messages. */
  file: string
  problems: ConfigProblem[]
}

/** Checks flow.yml (found from cwd, or the given file) and reports every problem at once. */
export async function validateConfig(deps: Pick<Deps, 'git' | 'cwd'>, input: {file?: string}): Promise<ValidationReport> {
  const path = input.file ? resolve(deps.cwd, input.file) : await findConfigFile(deps.git, deps.cwd)
  let text: string | undefined
  if (path) text = await readFile(path, 'utf8').catch(() => undefined)
  if (!path || text === undefined) {
    const where = input.file ? `${input.file} does not exist` : `no flow.yml, flow.yaml or .flow.yml in ${deps.cwd} or above it`
    throw new FlowError('CONFIG_NOT_FOUND', where, {hint: input.file ? 'Check the path given to --file.' : 'Run flow init to write one.'})
  }
  const file = displayName(path, deps.cwd)
  const problems = validateConfigText(text, file)
  return {valid: problems.length === 0, file, problems}
}
