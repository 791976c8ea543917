import {randomBytes} from 'node:crypto'
import {hostname} from 'node:os'
import {join} from 'node:path'
import {link, mkdir, readFile, readdir, rm, stat, writeFile} from 'node:fs/promises'
import {FlowError} from '../core/errors.js'
import type {Clock, Reporter} from '../core/ports.js'
import {enginePaths, writeSynced} from './journal.js'

/** What the lock file says about the process holding it. */
export interface LockInfo {
  pid: number
  host: string
  command: string
  startedAt: string
}

/** How long an unreadable lock file (a process killed between creating and writing it) is respected. */
const UNREADABLE_GRACE_MS = 10_000

/** True when a process with this pid exists on this host (EPERM: it exists but belongs to someone else). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Whether the process behind a pid recorded on some host is alive: null when it cannot be told (another host). */
export function pidAlive(pid: number, host: string | undefined): boolean | null {
  if (host !== undefined && host !== hostname()) return null
  return isProcessAlive(pid)
}

/** The lock of this worktree, or null when nobody holds it (undefined fields when the file is unreadable). */
export async function readLock(flowDir: string): Promise<LockInfo | null> {
  try {
    const info = JSON.parse(await readFile(enginePaths(flowDir).lock, 'utf8')) as Partial<LockInfo>
    if (typeof info.pid !== 'number' || typeof info.host !== 'string') return {pid: 0, host: '', command: '?', startedAt: ''}
    return {pid: info.pid, host: info.host, command: String(info.command ?? '?'), startedAt: String(info.startedAt ?? '')}
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    return {pid: 0, host: '', command: '?', startedAt: ''}
  }
}

/** Releases a lock taken by acquireLock. */
export type ReleaseLock = () => Promise<void>

/**
 * Takes the one-run-at-a-time lock of a worktree (`flowDir/lock`, created exclusively), removing a stale
 * lock whose process is gone; throws RUN_LOCKED when another live process holds it.
 */
export async function acquireLock(flowDir: string, command: string, deps: {clock: Clock; reporter: Reporter}): Promise<ReleaseLock> {
  const path = enginePaths(flowDir).lock
  const mine: LockInfo = {pid: process.pid, host: hostname(), command, startedAt: deps.clock.now().toISOString()}
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const tidy = await createExclusive(path, `${JSON.stringify(mine)}\n`).catch(async (error: NodeJS.ErrnoException) => {
        // The flow directory is made the first time only.
        if (error.code !== 'ENOENT') throw error
        await mkdir(flowDir, {recursive: true})
        return createExclusive(path, `${JSON.stringify(mine)}\n`)
      })
      // Tidying (the temp file, leftovers of killed processes) goes on while the lock is held, done before release.
      const tidied = Promise.all([tidy(), removeLeftovers(flowDir)]).catch(() => {})
      return async () => {
        await tidied
        const held = await readLock(flowDir)
        if (held && held.pid === mine.pid && held.startedAt === mine.startedAt && held.host === mine.host) await rm(path, {force: true})
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const held = await readLock(flowDir)
    if (!held) continue
    if (held.pid === 0) {
      const age = await stat(path).then((s) => Date.now() - s.mtimeMs, () => 0)
      if (age < UNREADABLE_GRACE_MS) throw lockedError(held, path)
      deps.reporter.warn(`Removed an unreadable lock file ${path} left by a process that was interrupted.`)
      await rm(path, {force: true})
      continue
    }
    if (held.host === mine.host && !isProcessAlive(held.pid)) {
      deps.reporter.warn(`Removed a stale lock: flow ${held.command} (pid ${held.pid}, started ${held.startedAt}) is no longer running.`)
      await rm(path, {force: true})
      continue
    }
    throw lockedError(held, path)
  }
  throw new FlowError('RUN_LOCKED', 'Could not take the lock of this worktree: other flow processes keep taking it', {
    hint: 'Wait for them to finish, then try again.',
  })
}

/**
 * Creates a file that must not exist yet, whole: written to a temp file first, then hard-linked into place
 * (EEXIST when it exists), so no reader ever sees an empty lock; `open(path, 'wx')` where links are not supported.
 * Not flushed to disk: a lock only has to hold among live processes (after a crash of the machine its process is
 * gone, and a lock that survived is stale). Resolves, once the lock is in place, to the removal of the temp file
 * (left to the caller, off the path to the first step); rejects after removing it.
 */
async function createExclusive(path: string, text: string): Promise<() => Promise<void>> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  const removeTemp = () => rm(temp, {force: true})
  await writeFile(temp, text, {flag: 'wx', mode: 0o644})
  try {
    await link(temp, path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') {
      await removeTemp()
      throw error
    }
    try {
      await writeSynced(path, text, 'wx')
    } finally {
      await removeTemp()
    }
    return async () => {}
  }
  return removeTemp
}

/** Removes temp files left by processes killed while writing them (their pid is gone). */
async function removeLeftovers(flowDir: string): Promise<void> {
  for (const dir of [flowDir, join(flowDir, 'runs')]) {
    const names = await readdir(dir).catch(() => [] as string[])
    for (const name of names) {
      const pid = /\.(\d+)\.[0-9a-f]{8}\.tmp$/.exec(name)?.[1]
      if (pid && !isProcessAlive(Number(pid))) await rm(join(dir, name), {force: true})
    }
  }
}

function lockedError(held: LockInfo, path: string): FlowError {
  const who = held.pid === 0
    ? 'another flow run (just starting)'
    : `another flow run (pid ${held.pid}${held.host && held.host !== hostname() ? ` on ${held.host}` : ''}, \`flow ${held.command}\`, started ${held.startedAt})`
  return new FlowError('RUN_LOCKED', `${who} is in progress in this worktree`, {
    hint: `Wait for it to finish. If that process is gone, remove ${path} and try again.`,
    details: {lock: held, path},
  })
}

/** Runs fn while holding the worktree lock, releasing it in every case. */
export async function withLock<T>(flowDir: string, command: string, deps: {clock: Clock; reporter: Reporter}, fn: () => Promise<T>): Promise<T> {
  const release = await acquireLock(flowDir, command, deps)
  try {
    return await fn()
  } finally {
    await release()
  }
}
