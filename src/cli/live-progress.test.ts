import {describe, expect, test} from 'vitest'
import {startLiveProgress, type LiveStream} from './live-progress.js'

const tty = (): LiveStream & {out: string} => {
  const stream = {isTTY: true, columns: 60, out: '', write: (t: string) => (stream.out += t)}
  return stream
}

describe('startLiveProgress', () => {
  test('nothing live without a TTY, under CI or with --json', () => {
    expect(startLiveProgress({json: false, env: {}, stream: {isTTY: false, write: () => true}})).toBeUndefined()
    expect(startLiveProgress({json: false, env: {CI: 'true'}, stream: tty()})).toBeUndefined()
    expect(startLiveProgress({json: true, env: {}, stream: tty()})).toBeUndefined()
  })

  test('draws the plan at once, redraws in place on stop, shows the cursor again and prints a failed tail', () => {
    const stream = tty()
    const live = startLiveProgress({json: false, env: {NO_COLOR: '1'}, stream})
    live?.onEvent({type: 'planned', gates: [{name: 'a', optional: false}]})
    expect(stream.out).toContain('\u001B[?25l')
    expect(stream.out).toContain('· a     waiting')
    const result = {name: 'a', status: 'failed' as const, optional: false, durationMs: 10, log: '/l', reason: 'exit code 1', tail: ['boom']}
    live?.onEvent({type: 'finished', result})
    live?.stop()
    live?.stop({ok: false, concurrency: 1, durationMs: 10, failed: ['a'], gates: [result], logDir: '/'})
    expect(stream.out).toContain('\u001B[2A')
    expect(stream.out).toContain('✗ a     failed in 0.01s: exit code 1')
    expect(stream.out.endsWith('\u001B[?25h✗ a failed in 0.01s: exit code 1\n  │ boom\n  └ full log: /l\n')).toBe(true)
    expect(stream.out.match(/\[\?25h/g)).toHaveLength(1)
  })
})
