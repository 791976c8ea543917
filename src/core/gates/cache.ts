import {createHash} from 'node:crypto'
import {lstat, mkdir, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import picomatch from 'picomatch'
import type {GateConfig} from '../config/schema.js'
import type {Git} from '../ports.js'

/** A JSON text of a value with object keys sorted, so equal definitions hash equally. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/** The paths among `files` that match any of the globs (dotfiles included). */
export function matchInputs(files: string[], globs: string[]): string[] {
  if (globs.length === 0) return []
  const isMatch = picomatch(globs, {dot: true})
  return files.filter((f) => isMatch(f))
}

/** The cache key of a gate: its definition (without the description) and the content hash of each input file. */
export function gateCacheKey(gate: GateConfig, inputs: Array<[path: string, hash: string]>, extra: string[] = []): string {
  const {description: _description, ...definition} = gate
  const hash = createHash('sha256')
  hash.update(`flow-gate-cache-v1\n${stableJson(definition)}\n`)
  for (const line of extra) hash.update(`${line}\n`)
  for (const [path, blob] of [...inputs].sort(([a], [b]) => (a < b ? -1 : 1))) hash.update(`${path}\0${blob}\n`)
  return hash.digest('hex')
}

/**
 * Hashes, in one `git hash-object` call, the files (tracked, and untracked but not ignored, as they are on disk now)
 * that match any gate's inputs; returns path → blob id.
 */
export async function hashInputFiles(git: Git, root: string, globLists: string[][]): Promise<Map<string, string>> {
  const all = globLists.flat()
  if (all.length === 0) return new Map()
  const listed = await git.run(['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {cwd: root, raw: true})
  // hash-object --stdin-paths reads one path a line: a name with a newline cannot be hashed this way.
  const candidates = [...new Set(matchInputs(listed.split('\0').filter((p) => p && !p.includes('\n')), all))].sort()
  // A file deleted from the working tree is still listed by --cached; it has no content to hash.
  const present: string[] = []
  await Promise.all(candidates.map(async (path) => {
    const stat = await lstat(join(root, path)).catch(() => undefined)
    if (stat && (stat.isFile() || stat.isSymbolicLink())) present.push(path)
  }))
  present.sort()
  if (present.length === 0) return new Map()
  const out = await git.run(['hash-object', '--stdin-paths'], {cwd: root, input: `${present.join('\n')}\n`})
  const hashes = out.split('\n')
  return new Map(present.map((path, i) => [path, hashes[i] ?? '']))
}

/** A green result kept in the cache. */
export interface CacheEntry {
  gate: string
  key: string
  at: string
  durationMs: number
}

/** Where green results live: one file per key. */
export function cacheDir(gatesDir: string): string {
  return join(gatesDir, 'cache')
}

/** The green result stored for a key, if any. */
export async function readCache(gatesDir: string, key: string): Promise<CacheEntry | undefined> {
  try {
    return JSON.parse(await readFile(join(cacheDir(gatesDir), `${key}.json`), 'utf8')) as CacheEntry
  } catch {
    return undefined
  }
}

/** Stores a green result under its key. */
export async function writeCache(gatesDir: string, entry: CacheEntry): Promise<void> {
  await mkdir(cacheDir(gatesDir), {recursive: true})
  await writeFile(join(cacheDir(gatesDir), `${entry.key}.json`), `${JSON.stringify(entry)}\n`)
}
