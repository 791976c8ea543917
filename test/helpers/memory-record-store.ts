import type {Clock, Ids, NewRecordEvent, RecordEvent, RecordStore} from '../../src/core/ports.js'

/** A fixed clock that moves forward one second per reading, so event times are distinct and predictable. */
export function steppingClock(start = '2026-01-01T00:00:00.000Z', stepMs = 1000): Clock {
  let t = Date.parse(start)
  return {now: () => new Date((t += stepMs) - stepMs)}
}

/** Ids that count up (`0000000000000000000000000001`, ...): sortable like ULIDs, and predictable. */
export function countingIds(): Ids {
  let n = 0
  return {ulid: () => String(++n).padStart(26, '0')}
}

/** An in-memory RecordStore for unit tests: same contract as the git store, nothing on disk. */
export class MemoryRecordStore implements RecordStore {
  /** collection → record id → events, oldest first. */
  readonly data = new Map<string, Map<string, RecordEvent[]>>()
  /** How many commits the git store would have made. */
  commits = 0

  constructor(private readonly clock: Clock = steppingClock(), private readonly ids: Ids = countingIds()) {}

  private make<D>(event: NewRecordEvent<D>): RecordEvent<D> {
    return {
      id: this.ids.ulid(),
      type: event.type,
      at: event.at ?? this.clock.now().toISOString(),
      ...(event.actor === undefined ? {} : {actor: event.actor}),
      data: structuredClone(event.data),
    }
  }

  private put(collection: string, recordId: string, event: RecordEvent<any>): void {
    if (!/^[^/\\\s][^\\\s]*$/.test(recordId) || recordId.includes('..')) throw new Error(`bad record id: ${recordId}`)
    let records = this.data.get(collection)
    if (!records) this.data.set(collection, (records = new Map()))
    const events = records.get(recordId) ?? []
    events.push(event)
    events.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    records.set(recordId, events)
  }

  async append<D = Record<string, unknown>>(collection: string, recordId: string, event: NewRecordEvent<D>): Promise<RecordEvent<D>> {
    const made = this.make(event)
    this.put(collection, recordId, made)
    this.commits++
    return structuredClone(made)
  }

  async appendMany(entries: Array<{collection: string; recordId: string; event: NewRecordEvent}>): Promise<RecordEvent[]> {
    const made = entries.map((e) => ({...e, made: this.make(e.event)}))
    for (const e of made) this.put(e.collection, e.recordId, e.made)
    this.commits++
    return made.map((e) => structuredClone(e.made))
  }

  async events<D = Record<string, unknown>>(collection: string, recordId: string): Promise<Array<RecordEvent<D>>> {
    return structuredClone((this.data.get(collection)?.get(recordId) ?? []) as Array<RecordEvent<D>>)
  }

  async collection(collection: string): Promise<Map<string, RecordEvent[]>> {
    return structuredClone(this.data.get(collection) ?? new Map())
  }

  async list(collection: string): Promise<string[]> {
    return [...(this.data.get(collection)?.keys() ?? [])].sort()
  }

  async nextNumber(collection: string): Promise<number> {
    let max = 0
    for (const id of this.data.get(collection)?.keys() ?? []) {
      const m = /-(\d+)$/.exec(id)
      if (m) max = Math.max(max, Number(m[1]))
    }
    return max + 1
  }
}
