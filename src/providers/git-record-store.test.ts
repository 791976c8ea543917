import {describe, expect, test} from 'vitest'
import {takeEventFiles, type EventFiles} from './git-record-store.js'

const sha = (c: string, n = 40) => c.repeat(n)
const entry = (mode: string, type: string, id: string, path: string) => `${mode} ${type} ${id}\t${path}\0`

function eventFiles(listing: Buffer): EventFiles {
  const files: EventFiles = {shas: [], recordIds: [], eventIds: [], paths: []}
  const text = listing.toString('latin1')
  takeEventFiles(text, text.length, files)
  return files
}

describe('takeEventFiles', () => {
  test('takes the event files of an ls-tree listing, one record id per directory', () => {
    const listing = Buffer.from([
      entry('100644', 'blob', sha('a'), 'deployments/DEP-1/events/01A.json'),
      entry('100644', 'blob', sha('b'), 'deployments/DEP-1/events/01B.json'),
      entry('100644', 'blob', sha('c'), 'deployments/DEP-1/notes.txt'),
      entry('100644', 'blob', sha('d'), 'deployments/DEP-1/events/deeper/01C.json'),
      entry('160000', 'commit', sha('e'), 'deployments/DEP-2/events/01D.json'),
      entry('100644', 'blob', sha('f'), 'deployments/DEP-2/events/01E.txt'),
      entry('100644', 'blob', sha('1'), 'deployments/svc%2Fweb/events/01F.json'),
      entry('100755', 'blob', sha('2'), 'deployments/DEP-10/events/01G.json'),
    ].join(''))
    const files = eventFiles(listing)
    expect(files.shas).toEqual([sha('a'), sha('b'), sha('1'), sha('2')])
    expect(files.recordIds).toEqual(['DEP-1', 'DEP-1', 'svc/web', 'DEP-10'])
    expect(files.eventIds).toEqual(['01A', '01B', '01F', '01G'])
    expect(files.paths).toEqual([
      'deployments/DEP-1/events/01A.json', 'deployments/DEP-1/events/01B.json', 'deployments/svc%2Fweb/events/01F.json', 'deployments/DEP-10/events/01G.json',
    ])
  })

  test('reads SHA-256 ids, and an empty listing', () => {
    const files = eventFiles(Buffer.from(entry('100644', 'blob', sha('9', 64), 'incidents/INC-1/events/01A.json')))
    expect(files.shas).toEqual([sha('9', 64)])
    expect(files.recordIds).toEqual(['INC-1'])
    expect(eventFiles(Buffer.alloc(0)).shas).toEqual([])
  })
})

test('takeEventFiles reads whole entries only, so a listing can be taken chunk by chunk', () => {
  const text = [
    entry('100644', 'blob', sha('a'), 'deployments/DEP-1/events/01A.json'),
    entry('100644', 'blob', sha('b'), 'deployments/DEP-2/events/01B.json'),
    entry('100644', 'blob', sha('c'), 'deployments/DEP-2/events/01C.json'),
  ].join('')
  for (let cut = 1; cut < text.length; cut += 7) {
    const files: EventFiles = {shas: [], recordIds: [], eventIds: [], paths: []}
    // As readEvents does with streamed chunks: take up to the last NUL, keep the rest for the next chunk.
    let rest = ''
    for (const part of [text.slice(0, cut), text.slice(cut)]) {
      const chunk = rest + part
      const complete = chunk.lastIndexOf('\0') + 1
      rest = chunk.slice(complete)
      takeEventFiles(chunk, complete, files)
    }
    expect(files.recordIds).toEqual(['DEP-1', 'DEP-2', 'DEP-2'])
    expect(files.eventIds).toEqual(['01A', '01B', '01C'])
  }
})
