import type {RecordEvent} from '../ports.js'
import {sortEvents} from './fold.js'

/**
 * Numbered records (`PR-3`, `ISSUE-4`, `DEP-2`) when clones number offline.
 *
 * A clone names a new record by the next free number it can see, so two clones that are offline at the same time
 * can both create `PR-1`; after `flow records sync` both creating events sit in `reviews/PR-1/events/`. Nothing is
 * renamed on the branch (events are append-only and a rename would race with the other clones). Instead every
 * reader resolves the numbers the same way, from the events alone:
 *
 * - a record is one creating event (its *root*) plus the later events that name the root's id in `data.root`
 *   (events written before roots were named belong to the oldest root of their directory);
 * - each number stays with the oldest root (by ULID) that claimed it, so a record that never collided keeps its
 *   number on every clone;
 * - every other root, oldest first, gets the smallest number that no root claims and no earlier one was given;
 * - a new record claims one more than every claimed and every given number (`next`), so a synced clone never
 *   takes a number that was given away.
 *
 * Every clone that holds the same events computes the same numbers. A given number can still move once, if an
 * offline clone later claims it too (claims win over given numbers); once all clones have synced it stays.
 */

/** One record of a number space, after collisions are resolved. */
export interface NumberedRecord {
  /** The number every clone shows for it. */
  number: number
  /** The number its creator gave it (its directory's number), if any. */
  claimed?: number
  collection: string
  /** The record id (directory) its events live in, which later events are appended to. */
  recordId: string
  /** The id of its creating event; later events name it in `data.root`. */
  rootId: string
  /** Its events (the creating event among them), oldest first. */
  events: RecordEvent[]
}

/** The records of one number space and the number a new record should claim. */
export interface Numbering {
  /** Every record, by number. */
  records: NumberedRecord[]
  next: number
}

/** The number at the end of a record id (`PR-12` → 12), or undefined. */
export function trailingNumber(recordId: string): number | undefined {
  const match = /-(\d+)$/.exec(recordId)
  return match ? Number(match[1]) : undefined
}

const ORDER = (a: {rootId: string}, b: {rootId: string}) => (a.rootId < b.rootId ? -1 : a.rootId > b.rootId ? 1 : 0)

/**
 * Resolves the numbers of the records of one or more collections that share a number space (local pull requests
 * and issues share one, as on GitHub). `isRoot` tells a record's creating event (`opened`, `created`).
 */
export function resolveNumbers(spaces: ReadonlyArray<{collection: string; records: ReadonlyMap<string, readonly RecordEvent[]>}>, isRoot: (event: RecordEvent) => boolean): Numbering {
  const found: Array<Omit<NumberedRecord, 'number'>> = []
  for (const {collection, records} of spaces) {
    for (const [recordId, unsorted] of records) {
      const events = sortEvents(unsorted)
      const roots = events.filter(isRoot)
      if (roots.length === 0) continue
      const claimed = trailingNumber(recordId)
      const members = new Map(roots.map((root) => [root.id, [] as RecordEvent[]]))
      for (const event of events) {
        const named = isRoot(event) ? event.id : (event.data as {root?: unknown} | undefined)?.root
        const owner = typeof named === 'string' && members.has(named) ? named : roots[0]!.id
        members.get(owner)!.push(event)
      }
      for (const root of roots) found.push({collection, recordId, rootId: root.id, events: members.get(root.id)!, ...(claimed === undefined ? {} : {claimed})})
    }
  }
  found.sort(ORDER)
  const claims = new Set(found.flatMap((r) => (r.claimed === undefined ? [] : [r.claimed])))
  const taken = new Set<number>()
  const records: NumberedRecord[] = []
  const losers: typeof found = []
  for (const record of found) {
    if (record.claimed !== undefined && !taken.has(record.claimed)) {
      taken.add(record.claimed)
      records.push({...record, number: record.claimed})
    } else {
      losers.push(record)
    }
  }
  let candidate = 1
  for (const record of losers) {
    while (claims.has(candidate) || taken.has(candidate)) candidate++
    taken.add(candidate)
    records.push({...record, number: candidate})
  }
  records.sort((a, b) => a.number - b.number)
  let max = 0
  for (const n of [...claims, ...taken]) max = Math.max(max, n)
  return {records, next: max + 1}
}
