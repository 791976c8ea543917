import {FlowError} from '../errors.js'

/** The branch that holds every record event. */
export const RECORDS_REF = 'refs/heads/flow/records'

/** The private ref that holds a remote's records branch after a fetch. */
export function remoteRecordsRef(remote: string): string {
  return `refs/flow/remotes/${remote}/records`
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/

/** Throws a usage error unless the value can be one path segment of the records tree (collections are flow's own names). */
export function checkSegment(what: 'collection' | 'record id', value: string): void {
  if (!SEGMENT.test(value) || value.endsWith('.lock') || value.includes('..')) {
    throw new FlowError('USAGE', `Invalid ${what} "${value}" for the record store`, {
      hint: 'Use letters, digits, ".", "_" and "-" (at most 100 characters), starting with a letter or digit.',
    })
  }
}

/** The longest encoded record id the store writes (one tree entry name). */
const MAX_ENCODED_ID = 255

/**
 * Turns a record id into the one path segment that names its directory on flow/records.
 *
 * Record ids are chosen by flow (`INC-7`) or by the user (a release's tag `pkg/v1.0.0`, `v2.0.0+build.5`), so the
 * store accepts any non-empty text without control characters and percent-encodes it: every UTF-8 byte outside
 * `A-Z a-z 0-9 . _ -`, and a leading `.`, becomes `%XX` (upper-case hex). Ids made only of those characters (all
 * that the store accepted before) are their own encoding; `%` itself is encoded, so decoding is exact.
 */
export function encodeRecordId(recordId: string): string {
  // Control characters are refused; lone surrogates cannot be encoded as UTF-8 and back.
  // eslint-disable-next-line no-control-regex
  if (recordId === '' || /[\u0000-\u001f\u007f]|\p{Cs}/u.test(recordId)) {
    throw new FlowError('USAGE', `Invalid record id ${JSON.stringify(recordId)} for the record store`, {
      hint: 'A record id is non-empty text without control characters.',
    })
  }
  let out = ''
  new TextEncoder().encode(recordId).forEach((byte, i) => {
    const char = String.fromCharCode(byte)
    out += /[A-Za-z0-9_-]/.test(char) || (char === '.' && i > 0) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  })
  if (out.length > MAX_ENCODED_ID) {
    throw new FlowError('USAGE', `Record id "${recordId.slice(0, 40)}..." is too long for the record store`, {
      hint: `Encoded, a record id takes at most ${MAX_ENCODED_ID} characters.`,
    })
  }
  return out
}

/** The record id a directory name on flow/records stands for (the inverse of encodeRecordId). */
export function decodeRecordId(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

/** Throws a usage error unless the name can be a git remote in a ref name. */
export function checkRemoteName(remote: string): void {
  if (!SEGMENT.test(remote) || remote.endsWith('.lock') || remote.includes('..')) {
    throw new FlowError('USAGE', `Invalid remote name "${remote}"`, {hint: 'Pass the name of a configured git remote, e.g. --remote origin.'})
  }
}

/** The path of one event file inside the records tree (the record id percent-encoded, see encodeRecordId). */
export function eventPath(collection: string, recordId: string, eventId: string): string {
  return `${recordDir(collection, recordId)}/events/${eventId}.json`
}

/** The directory of one record inside the records tree. */
export function recordDir(collection: string, recordId: string): string {
  return `${collection}/${encodeRecordId(recordId)}`
}

/** Splits an event file path into its parts (the record id decoded), or undefined when the path is not an event file. */
export function parseEventPath(path: string): {collection: string; recordId: string; eventId: string} | undefined {
  const parts = path.split('/')
  if (parts.length !== 4 || parts[2] !== 'events' || !parts[3]!.endsWith('.json')) return undefined
  return {collection: parts[0]!, recordId: decodeRecordId(parts[1]!), eventId: parts[3]!.slice(0, -'.json'.length)}
}

/** One collator for every comparison: `localeCompare` with options builds a new one per call (seconds over 25,000 ids). */
const recordIdCollator = new Intl.Collator('en', {numeric: true})

/** Compares record ids so that `INC-2` comes before `INC-10`. */
export function compareRecordIds(a: string, b: string): number {
  return recordIdCollator.compare(a, b)
}

const NUMBERED = /^(.*?)([1-9]\d{0,14})$/

/**
 * Record ids in compareRecordIds order. The usual ids (one prefix and a number without leading zeros: `DEP-1` ...
 * `DEP-25000`) are sorted by their number, which is the order the collator gives them, without a collator call
 * per comparison.
 */
export function sortRecordIds(ids: readonly string[]): string[] {
  const first = NUMBERED.exec(ids[0] ?? '')
  if (first) {
    const prefix = first[1]!
    const numbers = new Array<number>(ids.length)
    let plain = true
    for (let i = 0; plain && i < ids.length; i++) {
      const id = ids[i]!
      const digits = id.slice(prefix.length)
      plain = id.startsWith(prefix) && digits.length > 0 && digits.length <= 15 && digits.charCodeAt(0) !== 0x30 && /^\d+$/.test(digits)
      numbers[i] = Number(digits)
    }
    if (plain) return ids.map((_, i) => i).sort((a, b) => numbers[a]! - numbers[b]!).map((i) => ids[i]!)
  }
  return [...ids].sort(compareRecordIds)
}
