import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {FlowError} from '../core/errors.js'
import type {Clock, Git, Ids, NewRecordEvent, RecordEvent, RecordStore} from '../core/ports.js'
import {redactValue} from '../core/redact.js'
import {sortEvents, nextNumberOf} from '../core/records/fold.js'
import {RECORDS_REF, checkSegment, compareRecordIds, decodeRecordId, encodeRecordId, eventPath, parseEventPath, recordDir, sortRecordIds} from '../core/records/layout.js'
import {
  addFilesToTree,
  catFileEach,
  catFileJson,
  catFileProcesses,
  compareAndSwapRef,
  gitFailure,
  readRef,
  resolveIdentity,
  staleRefLock,
  writeCommit,
  type CommitIdentity,
  type TreeFile,
} from '../core/records/plumbing.js'

/** How often an append retries when another writer moved the branch first. */
const MAX_ATTEMPTS = 40

/**
 * The record store on the flow/records branch, written with git plumbing only (never the work tree or index).
 * A record lives under `<collection>/<encoded record id>/events/<ulid>.json`; see encodeRecordId for the encoding.
 */
export class GitRecordStore implements RecordStore {
  private identity?: Promise<CommitIdentity>

  constructor(
    readonly git: Git,
    readonly clock: Clock,
    readonly ids: Ids,
    /** How many listed event files one cat-file process reads while a collection is still being listed. */
    private readonly streamSlice = STREAM_SLICE,
  ) {}

  async append<D = Record<string, unknown>>(collection: string, recordId: string, event: NewRecordEvent<D>): Promise<RecordEvent<D>> {
    const [written] = await this.appendMany([{collection, recordId, event: event as NewRecordEvent}])
    return written as RecordEvent<D>
  }

  async appendMany(entries: Array<{collection: string; recordId: string; event: NewRecordEvent}>): Promise<RecordEvent[]> {
    if (entries.length === 0) return []
    for (const entry of entries) {
      checkSegment('collection', entry.collection)
      encodeRecordId(entry.recordId)
      if (!entry.event.type) throw new FlowError('USAGE', 'A record event needs a type')
    }
    const identity = await this.resolveIdentity()
    const events = entries.map(({event}) => {
      const full: RecordEvent = {
        id: this.ids.ulid(),
        type: event.type,
        at: event.at ?? this.clock.now().toISOString(),
        ...((event.actor ?? identity.email) === undefined ? {} : {actor: event.actor ?? identity.email}),
        data: event.data ?? {},
      }
      return redactValue(full)
    })
    const shas = await this.writeBlobs(events.map((e) => `${JSON.stringify(e, null, 2)}\n`))
    const files: TreeFile[] = entries.map((entry, i) => ({path: eventPath(entry.collection, entry.recordId, events[i]!.id), sha: shas[i]!}))
    const message = commitMessage(entries.map((entry, i) => `${entry.collection}/${entry.recordId} ${events[i]!.type}`))
    await this.commitFiles(files, message, identity)
    return events
  }

  async events<D = Record<string, unknown>>(collection: string, recordId: string): Promise<Array<RecordEvent<D>>> {
    checkSegment('collection', collection)
    const grouped = await this.readEvents(`${recordDir(collection, recordId)}/events/`)
    return (grouped.get(recordId) ?? []) as Array<RecordEvent<D>>
  }

  async collection(collection: string): Promise<Map<string, RecordEvent[]>> {
    checkSegment('collection', collection)
    return this.readEvents(`${collection}/`, true)
  }

  async list(collection: string): Promise<string[]> {
    checkSegment('collection', collection)
    const tip = await readRef(this.git, RECORDS_REF)
    if (!tip) return []
    const result = await this.git.exec(['ls-tree', '-z', '-d', '--full-tree', '--name-only', tip, '--', `${collection}/`])
    if (result.exitCode !== 0) throw gitFailure('ls-tree', result.stderr)
    return result.stdout
      .split('\0')
      .filter(Boolean)
      .map((path) => decodeRecordId(path.slice(collection.length + 1)))
      .sort(compareRecordIds)
  }

  async nextNumber(collection: string): Promise<number> {
    return nextNumberOf(await this.list(collection))
  }

  private resolveIdentity(): Promise<CommitIdentity> {
    this.identity ??= resolveIdentity(this.git)
    return this.identity
  }

  /**
   * Reads every event file under a prefix: one ls-tree and `cat-file --batch`. The listing of a big collection is
   * streamed, and each slice of `streamSlice` event files goes to its own cat-file process as soon as it is listed,
   * so git lists, git reads blobs and flow parses them at the same time (on every core).
   */
  private async readEvents(prefix: string, large = false): Promise<Map<string, RecordEvent[]>> {
    const tip = await readRef(this.git, RECORDS_REF)
    const grouped = new Map<string, RecordEvent[]>()
    if (!tip) return grouped
    const listArgs = ['ls-tree', '-r', '-z', '--full-tree', tip, '--', prefix]
    const files: EventFiles = {shas: [], recordIds: [], eventIds: [], paths: []}
    const events: Array<RecordEvent | undefined> = []
    const reads: Array<Promise<void>> = []
    let read = 0
    /** Reads the events listed in [from, to): all in one JSON parse, or (should that fail) one by one. */
    const readSlice = async (from: number, to: number) => {
      const names = files.shas.slice(from, to)
      const values = await catFileJson(this.git, names)
      if (values) {
        for (let k = 0; k < values.length; k++) events[from + k] = parseEvent(files, from + k, values[k])
        return
      }
      const visit = (i: number, out: Buffer, start: number, end: number) => {
        events[from + i] = parseEvent(files, from + i, parseJson(out.toString('utf8', start, end)))
      }
      await catFileEach(this.git, names, visit, {parallel: false})
    }
    const readListed = (parallel: boolean) => {
      const from = read
      read = files.shas.length
      const slices = parallel ? catFileProcesses(read - from) : 1
      const size = Math.ceil((read - from) / slices)
      for (let start = from; start < read; start += size) {
        const reading = readSlice(start, Math.min(read, start + size))
        // Seen by Promise.all below; until then a failed read must not count as unhandled.
        reading.catch(() => {})
        reads.push(reading)
      }
    }
    if (large && this.git.stream) {
      let rest = ''
      const listed = this.git.stream(listArgs, (text) => {
        const chunk = rest + text
        const complete = chunk.lastIndexOf('\0') + 1
        rest = chunk.slice(complete)
        takeEventFiles(chunk, complete, files)
        if (files.shas.length - read >= this.streamSlice) readListed(false)
      })
      // A failed listing must not leave cat-file reads unawaited.
      await listed.catch(async (error: unknown) => {
        await Promise.allSettled(reads)
        throw error
      })
      takeEventFiles(rest, rest.length, files)
      readListed(reads.length === 0)
    } else {
      const listing = await this.git.exec(listArgs, {raw: true, large})
      if (listing.exitCode !== 0) throw gitFailure('ls-tree', listing.stderr)
      takeEventFiles(listing.stdout, listing.stdout.length, files)
      readListed(true)
    }
    await Promise.all(reads)
    // A record's files are listed one after the other (and share one id string): a Map lookup per record, not per event.
    let list: RecordEvent[] = []
    for (let i = 0; i < files.shas.length; i++) {
      const event = events[i] ?? parseEvent(files, i, undefined)
      const id = files.recordIds[i]!
      if (i === 0 || id !== files.recordIds[i - 1]) {
        list = grouped.get(id) ?? []
        grouped.set(id, list)
      }
      list.push(event)
    }
    return new Map(sortRecordIds([...grouped.keys()]).map((id) => [id, sortEvents(grouped.get(id)!)]))
  }

  /** Writes blobs: `hash-object --stdin` for one, `--stdin-paths` over temp files for many (one process either way). */
  private async writeBlobs(contents: string[]): Promise<string[]> {
    if (contents.length === 1) {
      const sha = await this.git.exec(['hash-object', '-w', '--no-filters', '--stdin'], {input: contents[0]!})
      if (sha.exitCode !== 0) throw gitFailure('hash-object', sha.stderr)
      return [sha.stdout.trim()]
    }
    const dir = await mkdtemp(join(tmpdir(), 'flow-records-'))
    try {
      const paths = contents.map((_, i) => join(dir, `${i}.json`))
      await Promise.all(contents.map((content, i) => writeFile(paths[i]!, content)))
      const result = await this.git.exec(['hash-object', '-w', '--no-filters', '--stdin-paths'], {input: `${paths.join('\n')}\n`})
      if (result.exitCode !== 0) throw gitFailure('hash-object', result.stderr)
      const shas = result.stdout.split('\n').filter(Boolean)
      if (shas.length !== contents.length) throw gitFailure('hash-object', `hashed ${shas.length} of ${contents.length} files`)
      return shas
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  }

  /** Commits the files on top of the branch tip, retrying from the new tip when another writer won the race. */
  private async commitFiles(files: TreeFile[], message: string, identity: CommitIdentity): Promise<string> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const tip = await readRef(this.git, RECORDS_REF)
      const tree = await addFilesToTree(this.git, tip, files)
      const commit = await writeCommit(this.git, {tree, parents: tip ? [tip] : [], message, identity, clock: this.clock})
      if (await compareAndSwapRef(this.git, RECORDS_REF, commit, tip, message.split('\n')[0]!)) return commit
      const stale = await staleRefLock(this.git, RECORDS_REF)
      if (stale) throw stale
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 5 * attempt)))
    }
    throw new FlowError('RECORDS_CONFLICT', `Could not write to flow/records after ${MAX_ATTEMPTS} attempts`, {
      hint: 'Other processes keep writing records at the same moment; try again.',
    })
  }
}

function commitMessage(lines: string[]): string {
  if (lines.length === 1) return `flow: ${lines[0]}`
  return `flow: ${lines.length} events\n\n${lines.join('\n')}`
}

/** How many listed event files one cat-file process reads while a big collection is still being listed. */
export const STREAM_SLICE = 16_384

/** The event files of a listing, by index (see takeEventFiles). */
export interface EventFiles {
  shas: string[]
  recordIds: string[]
  eventIds: string[]
  paths: string[]
}

/**
 * Adds the event files of the first `length` characters of an `ls-tree -r -z` listing (whole entries,
 * `<mode> SP <type> SP <sha> TAB <path> NUL`) to `files`. A collection lists 100,000 files: the text is walked with
 * indexOf and charCodeAt (no split, no object per line), and each record id is decoded once per record directory.
 * (The listing is decoded as UTF-8; flow writes its paths in ASCII, record ids percent-encoded.)
 */
export function takeEventFiles(text: string, length: number, files: EventFiles): void {
  let dirStart = -1
  let dirEnd = -1
  let recordId = ''
  for (let line = 0; line < length;) {
    let end = text.indexOf('\0', line)
    if (end < 0 || end > length) end = length
    const start = line
    line = end + 1
    // ls-tree prints the mode in six digits: "100644 blob <sha>\t<path>"; the id has 40 hex digits (64 with SHA-256).
    const tab = text.charCodeAt(start + 52) === 0x09 ? start + 52 : text.charCodeAt(start + 76) === 0x09 ? start + 76 : -1
    if (tab < 0 || tab > end || text.charCodeAt(start + 6) !== 0x20 || !text.startsWith('blob ', start + 7)) continue
    // <collection>/<record>/events/<event id>.json
    const slash1 = text.indexOf('/', tab)
    const slash2 = slash1 < 0 ? -1 : text.indexOf('/', slash1 + 1)
    if (slash2 < 0 || slash2 > end || !text.startsWith('events/', slash2 + 1)) continue
    const name = slash2 + 8
    const more = text.indexOf('/', name)
    if ((more >= 0 && more < end) || end - name <= 5 || !text.startsWith('.json', end - 5)) continue
    const path = tab + 1
    if (!sameSpan(text, dirStart, dirEnd, path, slash2)) {
      const parsed = parseEventPath(text.slice(path, end))
      if (!parsed) continue
      dirStart = path
      dirEnd = slash2
      recordId = parsed.recordId
    }
    files.shas.push(text.slice(start + 12, tab))
    files.recordIds.push(recordId)
    files.eventIds.push(text.slice(name, end - 5))
    files.paths.push(text.slice(path, end))
  }
}

/** True when text[a, aEnd) equals text[b, bEnd). */
function sameSpan(text: string, a: number, aEnd: number, b: number, bEnd: number): boolean {
  if (a < 0 || aEnd - a !== bEnd - b) return false
  for (let i = 0; i < aEnd - a; i++) if (text.charCodeAt(a + i) !== text.charCodeAt(b + i)) return false
  return true
}

const EVENT_KEYS = new Set(['id', 'type', 'at', 'actor', 'data'])

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** An event file's parsed content as an event (undefined: missing or not JSON); RECORDS_INVALID when it is not one. */
function parseEvent(files: EventFiles, i: number, value: unknown): RecordEvent {
  const event = value as Partial<RecordEvent> | undefined
  if (!event || typeof event !== 'object' || typeof event.type !== 'string' || typeof event.at !== 'string' || event.id !== files.eventIds[i]!) {
    throw new FlowError('RECORDS_INVALID', `${files.paths[i]} on flow/records is not a valid event`, {
      hint: 'Event files are written by flow only; restore the file from the branch history (git log flow/records).',
    })
  }
  // The parsed object itself when it has only an event's fields (as flow writes them): no copy per event.
  let plain = event.data === undefined || (typeof event.data === 'object' && event.data !== null)
  for (const key in event) if (!EVENT_KEYS.has(key)) plain = false
  if (plain) {
    event.data ??= {}
    return event as RecordEvent
  }
  return {id: event.id, type: event.type, at: event.at, ...(event.actor === undefined ? {} : {actor: event.actor}), data: (event.data ?? {}) as Record<string, unknown>}
}
