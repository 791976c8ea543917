/**
 * The local usage history behind `flow metrics workflow`: one JSON line per gate result and per finished engine run,
 * appended to `history.jsonl` in the worktree's flow directory. It never leaves the machine and holds no output,
 * only names, statuses, times and keys.
 */
import {appendFile, mkdir, readFile, readdir} from 'node:fs/promises'
import {join} from 'node:path'
import {redactValue} from '../redact.js'

/** One gate's result in one run of the gates. */
export interface GateHistoryEntry {
  type: 'gate'
  at: string
  gate: string
  stage?: string
  status: 'passed' | 'failed' | 'cached' | 'skipped' | 'cancelled'
  durationMs: number
  /** What the gate saw: its cache key when it has inputs, else `head:<sha>` of the commit checked out. */
  inputs?: string
  branch?: string
}

/** One run of a stage's gates (or of `--only` gates): its wall time. */
export interface GatesRunHistoryEntry {
  type: 'gates'
  at: string
  stage?: string
  ok: boolean
  durationMs: number
}

/** One finished engine run (done, undone or aborted). */
export interface RunHistoryEntry {
  type: 'run'
  id: string
  command: string
  status: string
  startedAt: string
  finishedAt: string
  /** The branch checked out when the run started. */
  branch?: string
  /** Branches the run created and deleted (short names). */
  created: string[]
  deleted: string[]
  /** The pull request a step opened or used, and whether the run opened it. */
  pullRequest?: {number: number; opened: boolean}
}

export type HistoryEntry = GateHistoryEntry | GatesRunHistoryEntry | RunHistoryEntry

/** The history file of a flow directory. */
export function historyFile(flowDir: string): string {
  return join(flowDir, 'history.jsonl')
}

/** Appends entries, redacted like journals (a branch may be named after a secret); best effort: never fails a command. */
export async function appendHistory(flowDir: string, entries: readonly HistoryEntry[]): Promise<void> {
  if (entries.length === 0) return
  try {
    await mkdir(flowDir, {recursive: true})
    await appendFile(historyFile(flowDir), entries.map((e) => `${JSON.stringify(redactValue(e))}\n`).join(''))
  } catch {
    // Analytics are never worth a failed command.
  }
}

/** Parses history lines, skipping any that are torn or foreign. */
export function parseHistory(text: string): HistoryEntry[] {
  const entries: HistoryEntry[] = []
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    try {
      const value = JSON.parse(line) as HistoryEntry
      if (value.type === 'gate' || value.type === 'gates' || value.type === 'run') entries.push(value)
    } catch {
      // A line cut by a crash.
    }
  }
  return entries
}

/** The history of every worktree of a repository (the main one and those under `worktrees/`), oldest first. */
export async function readAllHistory(commonDir: string): Promise<HistoryEntry[]> {
  const dirs = [join(commonDir, 'flow')]
  const worktrees = await readdir(join(commonDir, 'worktrees')).catch(() => [] as string[])
  for (const name of worktrees) dirs.push(join(commonDir, 'worktrees', name, 'flow'))
  const texts = await Promise.all(dirs.map((d) => readFile(historyFile(d), 'utf8').catch(() => '')))
  const entries = texts.flatMap(parseHistory)
  const time = (e: HistoryEntry) => (e.type === 'run' ? e.finishedAt : e.at)
  return entries.sort((a, b) => (time(a) < time(b) ? -1 : time(a) > time(b) ? 1 : 0))
}
