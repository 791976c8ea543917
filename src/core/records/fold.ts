import type {RecordEvent} from '../ports.js'

/** The events in the order they happened by id (ULIDs sort by time), without repeats of an id. */
export function sortEvents<E extends RecordEvent<unknown>>(events: readonly E[]): E[] {
  // Most often they already are (the store reads them in id order): one pass to tell.
  let sorted = true
  for (let i = 1; sorted && i < events.length; i++) sorted = events[i - 1]!.id < events[i]!.id
  if (sorted) return [...events]
  const byId = new Map<string, E>()
  for (const event of events) if (!byId.has(event.id)) byId.set(event.id, event)
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

/** Applies one event to a record's state. */
export type Reducer<S, D = Record<string, unknown>> = (state: S, event: RecordEvent<D>) => S

/** A record's current state, folded from its events oldest first. */
export function foldEvents<S, D = Record<string, unknown>>(events: ReadonlyArray<RecordEvent<D>>, reducer: Reducer<S, D>, initial: S): S {
  return sortEvents(events).reduce(reducer, initial)
}

/** One line of a record's history. */
export interface TimelineEntry {
  id: string
  at: string
  type: string
  actor?: string
  /** Whole seconds since the first event. */
  sinceStart: number
  summary: string
}

/** A record's history oldest first, each entry with a one-line summary (from `describe`, else the type). */
export function buildTimeline<D>(events: ReadonlyArray<RecordEvent<D>>, describe?: (event: RecordEvent<D>) => string | undefined): TimelineEntry[] {
  const sorted = sortEvents(events)
  const start = sorted.length > 0 ? Date.parse(sorted[0]!.at) : 0
  return sorted.map((event) => {
    const at = Date.parse(event.at)
    return {
      id: event.id,
      at: event.at,
      type: event.type,
      ...(event.actor === undefined ? {} : {actor: event.actor}),
      sinceStart: Number.isNaN(at) || Number.isNaN(start) ? 0 : Math.max(0, Math.round((at - start) / 1000)),
      summary: describe?.(event) ?? event.type,
    }
  })
}

/** The largest trailing number among record ids (`INC-7` → 7) plus one; 1 for an empty collection. */
export function nextNumberOf(recordIds: readonly string[]): number {
  let max = 0
  for (const id of recordIds) {
    const match = /(\d+)$/.exec(id)
    if (match) max = Math.max(max, Number(match[1]))
  }
  return max + 1
}
