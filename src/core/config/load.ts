import {createHash} from 'node:crypto'
import {mkdir, readFile, rename, stat, writeFile} from 'node:fs/promises'
import {dirname, join, relative, resolve, sep} from 'node:path'
import {FlowError, isFlowError} from '../errors.js'
import type {Git} from '../ports.js'
import {resolveRepo, type RepoInfo} from '../repo.js'
import {formatProblem, type ConfigProblem} from './problem.js'
import type {FlowConfig} from './schema.js'

/** The names flow.yml may have, in the order they are looked for in each directory. */
export const CONFIG_FILE_NAMES = ['flow.yml', 'flow.yaml', '.flow.yml'] as const

/** flow.yml as loaded. */
export interface LoadedConfig {
  /** Absolute path of the file, or undefined when defaults are used. */
  path?: string
  config: FlowConfig
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}

/** The first config file in one directory, if any. */
export async function configFileIn(dir: string): Promise<string | undefined> {
  for (const name of CONFIG_FILE_NAMES) {
    const path = join(dir, name)
    if (await exists(path)) return path
  }
  return undefined
}

/** The repository, or undefined outside one. */
async function repoOrNone(git: Git): Promise<RepoInfo | undefined> {
  try {
    return await resolveRepo(git)
  } catch (error) {
    if (isFlowError(error) && error.code === 'NOT_A_REPOSITORY') return undefined
    throw error
  }
}

/** Finds flow.yml (or flow.yaml, .flow.yml) from cwd up to the repository root. */
export async function findConfigFile(git: Git, cwd: string, repo?: RepoInfo): Promise<string | undefined> {
  // The top directory to search: the repository root, or cwd itself outside a repository.
  const top = resolve((repo ?? (await repoOrNone(git)))?.root ?? cwd)
  let dir = resolve(cwd)
  const inside = dir === top || dir.startsWith(top + sep)
  for (;;) {
    const found = await configFileIn(dir)
    if (found) return found
    if (!inside || dir === top) return undefined
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

/** The name of a file as shown in messages: relative to cwd when below it. */
export function displayName(path: string, cwd: string): string {
  const rel = relative(cwd, path)
  return rel && !rel.startsWith('..') ? rel : path
}

/** The CONFIG_INVALID error for a list of problems. */
export function invalidConfigError(problems: ConfigProblem[]): FlowError {
  const [first] = problems
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''
  return new FlowError('CONFIG_INVALID', `${first ? formatProblem(first) : 'flow.yml is invalid'}${more}`, {
    hint: 'Run flow config validate to see every problem.',
    details: {problems},
  })
}

/** Where the build writes a hash of the built config code (next to the built load.js); without it nothing is cached. */
export const STAMP_FILE = 'stamp.txt'

/** Where a validated config is kept for reuse: the build's stamp and the directory of the cache file. */
export interface ValidatedCache {
  stampUrl: URL
  dir: string
}

/** The cache key of a config text: the text and the code that validates it (the build stamp). */
async function cacheKey(text: string, stampUrl: URL): Promise<string | undefined> {
  try {
    const stamp = await readFile(stampUrl, 'utf8')
    return createHash('sha256').update(stamp).update('\0').update(text).digest('hex')
  } catch {
    return undefined
  }
}

/**
 * Reads and validates one config file; throws CONFIG_INVALID with every problem. A valid text is kept (as JSON,
 * keyed by the text and the build) in `cache.dir`, so the next run with the same flow.yml loads neither yaml nor zod.
 */
export async function loadConfigFile(path: string, cwd: string, cache?: ValidatedCache): Promise<LoadedConfig> {
  const text = await readFile(path, 'utf8')
  const key = cache ? await cacheKey(text, cache.stampUrl) : undefined
  const file = cache && join(cache.dir, 'config-cache.json')
  if (key && file) {
    try {
      const cached = JSON.parse(await readFile(file, 'utf8')) as {key: string; config: FlowConfig}
      if (cached.key === key) return {path, config: cached.config}
    } catch {
      // no cache yet, or unreadable: validate
    }
  }
  // zod is loaded only when something is validated, so importing this module stays cheap.
  const {parseConfigText} = await import('./validate.js')
  const {problems, config} = parseConfigText(text, displayName(path, cwd))
  if (!config) throw invalidConfigError(problems)
  if (key && file && cache) {
    try {
      // Written whole then renamed, so a parallel run never reads half a file.
      await mkdir(cache.dir, {recursive: true})
      const tmp = `${file}.${process.pid}.tmp`
      await writeFile(tmp, JSON.stringify({key, config}))
      await rename(tmp, file)
    } catch {
      // a read-only git dir only costs the next run the validation
    }
  }
  return {path, config}
}

/** Where the build writes `defaultConfig()` as JSON (next to the built load.js). */
export const DEFAULTS_FILE = 'defaults.json'

/** The config without a file: the build's precomputed defaults (no zod to load), else `defaultConfig()`. */
export async function absentConfigDefaults(url: URL = new URL(DEFAULTS_FILE, import.meta.url)): Promise<FlowConfig> {
  try {
    return JSON.parse(await readFile(url, 'utf8')) as FlowConfig
  } catch {
    const {defaultConfig} = await import('./schema.js')
    return defaultConfig()
  }
}

/** Finds, parses and validates flow.yml; without one, the defaults (so every command works on a fresh clone). */
export async function loadConfig(git: Git, cwd: string): Promise<LoadedConfig> {
  const repo = await repoOrNone(git)
  const path = await findConfigFile(git, cwd, repo)
  if (!path) return {path: undefined, config: await absentConfigDefaults()}
  return loadConfigFile(path, cwd, repo && {stampUrl: new URL(STAMP_FILE, import.meta.url), dir: join(repo.flowDir, 'cache')})
}
