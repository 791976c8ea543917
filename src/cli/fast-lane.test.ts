import {describe, expect, test} from 'vitest'
import {helpCacheFile, matchLane} from './fast-lane.js'

describe('matchLane: the argv forms answered without oclif', () => {
  test('status, with or without --json', () => {
    expect(matchLane(['status'], {})).toMatchObject({json: false})
    expect(matchLane(['status', '--json'], {})).toMatchObject({json: true})
  })

  test('gates run as the git hooks run it', () => {
    expect(matchLane(['gates', 'run'], {})).toBeDefined()
    expect(matchLane(['gates', 'run', 'pre-push'], {})).toBeDefined()
    expect(matchLane(['gates', 'run', 'commit-msg', '--message-file', '.git/COMMIT_EDITMSG'], {})).toBeDefined()
    expect(matchLane(['gates', 'run', 'submit', '--json'], {})).toMatchObject({json: true})
  })

  test('feature start NAME with its own flags, --yes and --json', () => {
    expect(matchLane(['feature', 'start', 'login-form'], {})).toMatchObject({json: false, yes: false})
    expect(matchLane(['feature', 'start', 'Login form', '--issue', '42', '--stash', '-y', '--json'], {})).toMatchObject({json: true, yes: true})
    expect(matchLane(['feature', 'start', '--base=develop', 'x', '--type', 'hotfix', '--dry-run', '--yes'], {})).toMatchObject({yes: true})
    expect(matchLane(['feature', 'start', 'x', '--stack'], {})).toBeDefined()
  })

  test('anything else goes to oclif: other flags, a second stage, other commands, oclif env switches', () => {
    for (const argv of [
      ['status', '--yes'],
      ['status', 'extra'],
      ['status', '--json', '--json'],
      ['gates', 'run', '--no-cache'],
      ['gates', 'run', 'a', 'b'],
      ['gates', 'run', '--message-file'],
      ['gates', 'list'],
      ['feature', 'start'],
      ['feature', 'start', 'x', 'y'],
      ['feature', 'start', 'x', '--cwd', '/tmp'],
      ['feature', 'start', 'x', '--debug'],
      ['feature', 'start', 'x', '--help'],
      ['feature', 'start', 'x', '--stash', '--stash'],
      ['feature', 'start', 'x', '--base', 'main', '--stack'],
      ['feature', 'start', 'x', '--type', 'bugfix'],
      ['feature', 'start', 'x', '--base'],
      ['feature', 'start', 'x', '--base', '-y'],
      ['feature', 'start', 'x', '--issue='],
      ['feature', 'start', '--', 'x'],
      ['feature', 'finish'],
      ['--help'],
      [],
    ]) expect(matchLane(argv, {}), argv.join(' ')).toBeUndefined()
    expect(matchLane(['status'], {FLOW_CONTENT_TYPE: 'json'})).toBeUndefined()
    expect(matchLane(['status'], {DEBUG: '*'})).toBeUndefined()
  })
})

describe('helpCacheFile', () => {
  const root = process.cwd()
  test('only a plain [COMMAND...] --help has a cache file', () => {
    expect(helpCacheFile(['--help'], root, {})).toMatch(/flow[\\/]help[\\/][0-9a-f]{32}\.txt$/)
    expect(helpCacheFile(['gates', 'run', '--help'], root, {})).toBeDefined()
    expect(helpCacheFile(['status'], root, {})).toBeUndefined()
    expect(helpCacheFile(['gates', '--only', 'x', '--help'], root, {})).toBeUndefined()
    expect(helpCacheFile(['-h'], root, {})).toBeUndefined()
  })

  test('the command line, the width and the colour settings are part of the key', () => {
    const a = helpCacheFile(['--help'], root, {})
    expect(helpCacheFile(['status', '--help'], root, {})).not.toBe(a)
    expect(helpCacheFile(['--help'], root, {COLUMNS: '120'})).not.toBe(a)
    expect(helpCacheFile(['--help'], root, {NO_COLOR: '1'})).not.toBe(a)
    expect(helpCacheFile(['--help'], root, {})).toBe(a)
  })

  test('the cache lives under XDG_CACHE_HOME when set', () => {
    expect(helpCacheFile(['--help'], root, {XDG_CACHE_HOME: '/tmp/x'})).toMatch(/^\/tmp\/x\/flow\/help\//)
  })
})
