import {FlowError} from '../errors.js'

/** The branch that holds every record event. */
export const RECORDS_REF = 'refs/heads/flow/records'

/** The private ref that holds a remote's records branch after a fetch. */
export function remoteRecordsRef(remote: string): string {
  return `refs/flow/remotes/${remote}/records`
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/

/** Throws a usage error unless the value can be one path segment of the records tree. */
export function checkSegment(what: 'collection' | 'record id', value: string): void {
  if (!SEGMENT.test(value) || value.endsWith('.lock') || value.includes('..')) {
    throw new FlowError('USAGE', `Invalid ${what} "${value}" for the record store`, {
      hint: 'Use letters, digits, ".", "_" and "-" (at most 100 characters), starting with a letter or digit.',
    })
  }
}

/** Throws a usage error unless the name can be a git remote in a ref name. */
export function checkRemoteName(remote: string): void {
  if (!SEGMENT.test(remote) || remote.endsWith('.lock') || remote.includes('..')) {
    throw new FlowError('USAGE', `Invalid remote name "${remote}"`, {hint: 'Pass the name of a configured git remote, e.g. --remote origin.'})
  }
}

/** The path of one event file inside the records tree. */
export function eventPath(collection: string, recordId: string, eventId: string): string {
  return `${collection}/${recordId}/events/${eventId}.json`
}

/** Splits an event file path into its parts, or undefined when the path is not an event file. */
export function parseEventPath(path: string): {collection: string; recordId: string; eventId: string} | undefined {
  const parts = path.split('/')
  if (parts.length !== 4 || parts[2] !== 'events' || !parts[3]!.endsWith('.json')) return undefined
  return {collection: parts[0]!, recordId: parts[1]!, eventId: parts[3]!.slice(0, -'.json'.length)}
}

/** Compares record ids so that `INC-2` comes before `INC-10`. */
export function compareRecordIds(a: string, b: string): number {
  return a.localeCompare(b, 'en', {numeric: true})
}
