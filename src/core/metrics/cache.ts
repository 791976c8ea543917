/**
 * A cache of what the metrics read, in flow's per-worktree directory: the folded facts keyed by the records branch
 * tip (records are append-only, so a tip names exactly one set of events), and the commit graph keyed by the
 * revisions it was read for. A miss, or any read or write error, just means reading again.
 */
import {createHash} from 'node:crypto'
import {mkdir, readFile, rename, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

/** Bumped whenever the shape of the cached data or the folds change. */
const VERSION = 2

/** Returns the cached value for `key` from `name`, or computes it and stores it (best effort). */
export async function cached<T>(flowDir: string, name: string, key: string, compute: () => Promise<T>): Promise<T> {
  const {value, save} = await cachedThenSave(flowDir, name, key, compute)
  await save()
  return value
}

/**
 * Like cached, but a computed value is stored only when the caller calls `save` (a no-op after a hit), so that
 * writing megabytes of facts can overlap the git processes the caller starts next.
 */
export async function cachedThenSave<T>(flowDir: string, name: string, key: string, compute: () => Promise<T>): Promise<{value: T; save: () => Promise<void>}> {
  const file = join(flowDir, 'cache', `${name}.json`)
  const fullKey = `${VERSION}:${key}`
  try {
    const text = await readFile(file, 'utf8')
    const newline = text.indexOf('\n')
    if (text.slice(0, newline) === fullKey) return {value: JSON.parse(text.slice(newline + 1)) as T, save: async () => {}}
  } catch {
    // No cache yet, or unreadable: compute.
  }
  const value = await compute()
  const save = async () => {
    try {
      await mkdir(join(flowDir, 'cache'), {recursive: true})
      const tmp = `${file}.${process.pid}.tmp`
      await writeFile(tmp, `${fullKey}\n${JSON.stringify(value)}`)
      await rename(tmp, file)
    } catch {
      // A read-only or full disk only costs the next run the same work.
    }
  }
  return {value, save}
}

/** A short digest of a list of strings, for cache keys. */
export function digest(parts: readonly string[]): string {
  const hash = createHash('sha256')
  for (const p of parts) hash.update(p).update('\n')
  return hash.digest('hex')
}
