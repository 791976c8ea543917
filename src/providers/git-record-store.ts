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

  constructor(readonly git: Git, readonly clock: Clock, readonly ids: Ids) {}

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

  /** Reads every event file under a prefix: one ls-tree and one cat-file --batch, whatever the count. */
  private async readEvents(prefix: string, large = false): Promise<Map<string, RecordEvent[]>> {
    const tip = await readRef(this.git, RECORDS_REF)
    const grouped = new Map<string, RecordEvent[]>()
    if (!tip) return grouped
    // A collection can hold 100,000 events: the listing is walked in place (no split, no object per line), the
    // blobs are read as bytes, and each record id is decoded once per record directory, not once per event.
    const paths: string[] = []
    const shas: string[] = []
    const recordIds: string[] = []
    const eventIds: string[] = []
    let lastDir = ''
    let lastId = ''
    /** Takes the event files of a listing. */
    const take = (text: string): void => {
      for (let pos = 0; pos < text.length;) {
        let nul = text.indexOf('\0', pos)
        if (nul < 0) nul = text.length
        // "<mode> SP <type> SP <sha> TAB <path>"
        const tab = text.indexOf('\t', pos)
        const sp1 = text.indexOf(' ', pos)
        const sp2 = sp1 < 0 ? -1 : text.indexOf(' ', sp1 + 1)
        pos = nul + 1
        if (tab < 0 || tab > nul || sp2 < 0 || sp2 > tab || sp2 !== sp1 + 5 || !text.startsWith('blob', sp1 + 1)) continue
        const path = text.slice(tab + 1, nul)
        const slash = path.indexOf('/', path.indexOf('/') + 1)
        const dir = slash < 0 ? '' : path.slice(0, slash)
        if (dir !== lastDir) {
          const parsed = parseEventPath(path)
          if (!parsed) continue
          lastDir = dir
          lastId = parsed.recordId
        }
        if (!path.startsWith('events/', slash + 1) || path.indexOf('/', slash + 8) >= 0 || !path.endsWith('.json')) continue
        paths.push(path)
        shas.push(text.slice(sp2 + 1, tab))
        recordIds.push(lastId)
        eventIds.push(path.slice(slash + 8, -'.json'.length))
      }
    }
    const listArgs = ['ls-tree', '-r', '-z', '--full-tree', tip, '--', prefix]
    const events: Array<RecordEvent | undefined> = []
    const visit = (i: number, out: Buffer, start: number, end: number) => {
      events[i] = parseEvent(paths[i]!, eventIds[i]!, out.toString('utf8', start, end))
    }
    const listing = await this.git.exec(listArgs, {raw: true, large})
    if (listing.exitCode !== 0) throw gitFailure('ls-tree', listing.stderr)
    take(listing.stdout)
    await catFileEach(this.git, shas, visit)
    for (let i = 0; i < paths.length; i++) {
      const event = events[i] ?? parseEvent(paths[i]!, eventIds[i]!, undefined)
      const list = grouped.get(recordIds[i]!)
      if (list) list.push(event)
      else grouped.set(recordIds[i]!, [event])
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

function parseEvent(path: string, eventId: string, content: string | undefined): RecordEvent {
  let value: unknown
  try {
    value = content === undefined ? undefined : JSON.parse(content)
  } catch {
    value = undefined
  }
  const event = value as Partial<RecordEvent> | undefined
  if (!event || typeof event !== 'object' || typeof event.type !== 'string' || typeof event.at !== 'string' || event.id !== eventId) {
    throw new FlowError('RECORDS_INVALID', `${path} on flow/records is not a valid event`, {
      hint: 'Event files are written by flow only; restore the file from the branch history (git log flow/records).',
    })
  }
  return {id: event.id, type: event.type, at: event.at, ...(event.actor === undefined ? {} : {actor: event.actor}), data: (event.data ?? {}) as Record<string, unknown>}
}
