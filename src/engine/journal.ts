import {randomBytes} from 'node:crypto'
import {mkdir, open, readFile, readdir, rename, rm, writeFile} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'
import {FlowError} from '../core/errors.js'
import {redactValue} from '../core/redact.js'
import {appendHistory, type RunHistoryEntry} from '../core/analytics/history.js'
import type {Journal, RunStatus} from './types.js'

/** How many finished runs are kept under `runs/`. */
export const KEEP_RUNS = 20

/** Where the engine keeps its files inside a worktree's flow directory. */
export function enginePaths(flowDir: string): {current: string; runs: string; lock: string} {
  return {current: join(flowDir, 'run.json'), runs: join(flowDir, 'runs'), lock: join(flowDir, 'lock')}
}

/** True while a run still needs `flow continue`, `flow undo` or `flow abort`. */
export function isUnfinished(status: RunStatus): boolean {
  return status === 'running' || status === 'paused'
}

/** Writes a whole file and flushes it to disk before returning; `wx` fails when it exists. */
export async function writeSynced(path: string, text: string, flags: 'w' | 'wx'): Promise<void> {
  const handle = await open(path, flags, 0o644)
  try {
    await handle.writeFile(text, 'utf8')
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/**
 * Writes a file so that readers see the old content or the new, never a part: temp file, rename. `durable` (the
 * default) flushes the file before the rename and the directory after it, so the new content survives a power loss.
 */
export async function writeFileAtomic(path: string, text: string, durable = true): Promise<void> {
  const dir = dirname(path)
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  const write = () => (durable ? writeSynced(temp, text, 'w') : writeFile(temp, text, {mode: 0o644}))
  try {
    await write()
  } catch (error) {
    // The directory is made the first time only (a journal is written several times per run).
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    await mkdir(dir, {recursive: true})
    await write()
  }
  try {
    await rename(temp, path)
  } catch (error) {
    await rm(temp, {force: true})
    throw error
  }
  if (durable) await syncDir(dir)
}

async function syncDir(dir: string): Promise<void> {
  // The rename is only durable once the directory entry is; some platforms cannot fsync a directory.
  try {
    const handle = await open(dir, 'r')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  } catch {
    // best effort
  }
}

/** The text of a journal as written to disk, with every secret redacted. */
export function journalText(journal: Journal): string {
  return `${JSON.stringify(redactValue(journal), null, 2)}\n`
}

/** Writes the current run's journal atomically, with every secret redacted. */
export async function writeJournal(flowDir: string, journal: Journal): Promise<void> {
  await writeJournalText(flowDir, journalText(journal))
}

/** Writes a journal's text (from journalText) as the current run's journal, atomically. */
export async function writeJournalText(flowDir: string, text: string): Promise<void> {
  await writeFileAtomic(enginePaths(flowDir).current, text)
}

function parseJournal(text: string, path: string): Journal {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    value = undefined
  }
  const j = value as Partial<Journal> | undefined
  if (!j || j.version !== 1 || typeof j.id !== 'string' || !Array.isArray(j.plan) || !Array.isArray(j.steps) || j.plan.length !== j.steps.length) {
    throw new FlowError('JOURNAL_INVALID', `The run journal ${path} is not one flow can read`, {
      hint: `It may come from another version of flow. Remove ${path} to stop tracking that run.`,
    })
  }
  return j as Journal
}

/** The journal of the current run in this worktree, or null when there is none. */
export async function readJournal(flowDir: string): Promise<Journal | null> {
  const path = enginePaths(flowDir).current
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
  return parseJournal(text, path)
}

/** Writes the journal with its final status, moves it to `runs/<id>.json` and keeps only the last runs. */
export async function archiveJournal(flowDir: string, journal: Journal, keep = KEEP_RUNS): Promise<void> {
  const paths = enginePaths(flowDir)
  // The finished journal goes straight to runs/, then run.json goes; neither is flushed to disk. A power loss that
  // keeps only part of this leaves run.json as it was last written (flushed), which flow continue (each step's check
  // finds its effect done), undo or abort finish from as after any interruption; or run.json gone, the run over
  // (its archived copy, a record of the past, then perhaps missing from flow status; lastRun skips an unreadable one).
  const archived = join(paths.runs, `${journal.id}.json`)
  await writeFileAtomic(archived, journalText(journal), false)
  await rm(paths.current, {force: true})
  // The oldest runs go while the history line is appended.
  const prune = async () => {
    const names = (await readdir(paths.runs)).filter((n) => n.endsWith('.json')).sort()
    await Promise.all(names.slice(0, Math.max(0, names.length - keep)).map((name) => rm(join(paths.runs, name), {force: true})))
  }
  await Promise.all([prune(), appendHistory(flowDir, [runHistoryEntry(journal)])])
}

/** The line `flow metrics workflow` keeps of a finished run: no inputs or outputs beyond branch names and a pull request. */
export function runHistoryEntry(journal: Journal): RunHistoryEntry {
  const created = new Set<string>()
  const deleted = new Set<string>()
  let pullRequest: RunHistoryEntry['pullRequest']
  journal.steps.forEach((step, i) => {
    if (step.status !== 'done') return
    for (const [ref, after] of Object.entries(step.refsAfter ?? {})) {
      if (!ref.startsWith('refs/heads/')) continue
      const before = step.refsBefore?.[ref]
      if (before === null && after !== null) created.add(ref.slice('refs/heads/'.length))
      if (before && after === null) deleted.add(ref.slice('refs/heads/'.length))
    }
    // The pull request steps (open, review, merge) name its number in their output or their input.
    const number = step.output?.number ?? (journal.plan[i]?.input as Record<string, unknown> | undefined)?.number
    if (!pullRequest && typeof number === 'number' && step.kind.endsWith('PullRequest')) pullRequest = {number, opened: step.output?.created === true}
  })
  return {
    type: 'run', id: journal.id, command: journal.command, status: journal.status, startedAt: journal.startedAt, finishedAt: journal.updatedAt,
    ...(journal.start.branch ? {branch: journal.start.branch} : {}),
    created: [...created], deleted: [...deleted], ...(pullRequest ? {pullRequest} : {}),
  }
}

/** The most recently finished run (from `runs/`), or null. */
export async function lastRun(flowDir: string): Promise<Journal | null> {
  const dir = enginePaths(flowDir).runs
  let names: string[]
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort()
  } catch {
    return null
  }
  for (const name of names.reverse()) {
    try {
      return parseJournal(await readFile(join(dir, name), 'utf8'), join(dir, name))
    } catch {
      continue
    }
  }
  return null
}
