import {createHash} from 'node:crypto'
import {availableParallelism} from 'node:os'
import {describe, expect, test} from 'vitest'
import type {Git, GitRunOptions} from '../ports.js'
import {PARALLEL_CAT_FILE_FROM, catFileBatch, catFileEach, parseTree} from './plumbing.js'
import {checkSegment, decodeRecordId, encodeRecordId, eventPath, parseEventPath} from './layout.js'

/** A Git port that answers every call with fixed bytes, decoded the way GitCli decodes them. */
function fakeGit(bytes: Buffer, seen: string[][] = []): Git {
  return {
    cwd: '/nowhere',
    run: async () => '',
    exec: async (args: string[], options: GitRunOptions = {}) => {
      seen.push(args)
      return {stdout: bytes.toString(options.encoding ?? 'utf8'), stderr: '', exitCode: 0}
    },
  }
}

describe('catFileBatch', () => {
  test('splits objects by byte size, even when a blob is not valid UTF-8', async () => {
    const sha1 = 'a'.repeat(40)
    const sha2 = 'b'.repeat(40)
    const binary = Buffer.from([0xff, 0xfe, 0x0a, 0x00, 0xc3])
    const json = Buffer.from('{"é":"ü"}')
    const out = Buffer.concat([
      Buffer.from(`${sha1} blob ${binary.length}\n`), binary, Buffer.from('\n'),
      Buffer.from('HEAD:nope missing\n'),
      Buffer.from(`${sha2} blob ${json.length}\n`), json, Buffer.from('\n'),
    ])
    const seen: string[][] = []
    const objects = await catFileBatch(fakeGit(out, seen), [sha1, 'HEAD:nope', sha2])
    expect(seen).toEqual([['cat-file', '--batch']])
    expect(objects[0]?.content.equals(binary)).toBe(true)
    expect(objects[1]).toBeUndefined()
    expect(JSON.parse(objects[2]!.content.toString('utf8'))).toEqual({é: 'ü'})
  })

  test('asks nothing of git for no names', async () => {
    const seen: string[][] = []
    expect(await catFileBatch(fakeGit(Buffer.alloc(0), seen), [])).toEqual([])
    expect(seen).toEqual([])
  })
})

describe('parseTree', () => {
  test('reads modes, names and ids of the binary tree format', () => {
    const id = (c: string) => Buffer.from(c.repeat(40), 'hex')
    const raw = Buffer.concat([Buffer.from('100644 a.json\0'), id('1'), Buffer.from('40000 events\0'), id('2')])
    expect(parseTree(raw)).toEqual([
      {mode: '100644', type: 'blob', sha: '1'.repeat(40), name: 'a.json'},
      {mode: '40000', type: 'tree', sha: '2'.repeat(40), name: 'events'},
    ])
  })
})

describe('layout', () => {
  test('parses event paths and rejects anything else', () => {
    expect(parseEventPath('incidents/INC-7/events/01J.json')).toEqual({collection: 'incidents', recordId: 'INC-7', eventId: '01J'})
    expect(parseEventPath('incidents/INC-7/notes/01J.json')).toBeUndefined()
    expect(parseEventPath('incidents/INC-7/events/01J.txt')).toBeUndefined()
    expect(parseEventPath('README.md')).toBeUndefined()
  })

  test.each(['', '../x', 'a/b', 'a b', '.hidden', 'x.lock', 'a\nb'])('refuses %j as a collection', (value) => {
    expect(() => checkSegment('collection', value)).toThrow(expect.objectContaining({code: 'USAGE'}))
  })

  test('record ids that were valid segments are their own encoding; others are percent-encoded and decode back exactly', () => {
    for (const id of ['INC-7', 'PR-12', 'v1.0.0', 'x.lock', 'a_b-c.d']) expect(encodeRecordId(id)).toBe(id)
    expect(encodeRecordId('pkg/v1.0.0')).toBe('pkg%2Fv1.0.0')
    expect(encodeRecordId('v2.0.0+build.5')).toBe('v2.0.0%2Bbuild.5')
    expect(encodeRecordId('100%')).toBe('100%25')
    expect(encodeRecordId('.hidden')).toBe('%2Ehidden')
    expect(encodeRecordId('..')).toBe('%2E.')
    expect(encodeRecordId('café release')).toBe('caf%C3%A9%20release')
    for (const id of ['pkg/v1.0.0', '@scope/pkg@1.0.0', '100%', '%2F', '..', '../../etc', 'a b', 'café release', '🚀/v1', 'x.lock']) {
      const encoded = encodeRecordId(id)
      expect(encoded).toMatch(/^[A-Za-z0-9%_-][A-Za-z0-9%._-]*$/)
      expect(decodeRecordId(encoded)).toBe(id)
      expect(parseEventPath(eventPath('releases', id, '01J'))).toEqual({collection: 'releases', recordId: id, eventId: '01J'})
    }
    expect(encodeRecordId('%2F')).not.toBe(encodeRecordId('/'))
  })

  test.each(['', 'a\nb', 'tab\there', '\u007f', '\ud800', 'x'.repeat(256), '/'.repeat(86)])('refuses %j as a record id', (value) => {
    expect(() => encodeRecordId(value)).toThrow(expect.objectContaining({code: 'USAGE'}))
  })
})

describe('catFileEach over many names', () => {
  test('splits them over processes and hands every object back under its own index, missing ones skipped', async () => {
    const blobs = ['a\n', 'bb\n', 'ccc\n'].map((text) => ({text, sha: createHash('sha1').update(`blob ${Buffer.byteLength(text)}\0${text}`).digest('hex')}))
    const missing = 'f'.repeat(40)
    const names = Array.from({length: PARALLEL_CAT_FILE_FROM * 2 + 3}, (_, i) => (i % 4 === 3 ? missing : blobs[i % 4]!.sha))
    const seen: string[] = []
    const git: Git = {
      cwd: '/nowhere',
      run: async () => '',
      exec: async () => ({stdout: '', stderr: '', exitCode: 1}),
      // Answers like `git cat-file --batch` over the names it is given.
      execBytes: async (args, options) => {
        seen.push(args.join(' '))
        const lines = options!.input!.split('\n').filter(Boolean)
        const parts = lines.map((name) => {
          const blob = blobs.find((b) => b.sha === name)
          return blob ? `${name} blob ${Buffer.byteLength(blob.text)}\n${blob.text}\n` : `${name} missing\n`
        })
        return {stdout: Buffer.from(parts.join('')), stderr: '', exitCode: 0}
      },
    }
    const got: string[] = new Array(names.length).fill('-')
    await catFileEach(git, names, (i, out, start, end) => (got[i] = out.toString('utf8', start, end)))
    expect(seen.length).toBe(Math.min(4, availableParallelism()))
    expect(got).toEqual(names.map((_, i) => (i % 4 === 3 ? '-' : blobs[i % 4]!.text)))
  })

  test('refuses a name with a line break before running git', async () => {
    const git: Git = {cwd: '/nowhere', run: async () => '', exec: async () => { throw new Error('git ran') }}
    await expect(catFileEach(git, ['a'.repeat(40), 'HEAD\nx'], () => {})).rejects.toThrow(/Invalid object name/)
  })
})
