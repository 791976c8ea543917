import {describe, expect, test} from 'vitest'
import {applyGateEvent, plainProgress, renderProgress, type GateEvent, type ProgressState} from './progress.js'
import type {GateResult} from './run-gates.js'

const result = (name: string, status: GateResult['status'], extra: Partial<GateResult> = {}): GateResult => ({name, status, optional: false, durationMs: 1234, log: `/x/${name}.log`, ...extra})

const fold = (events: GateEvent[]): ProgressState => events.reduce(applyGateEvent, {gates: []})

const planned: GateEvent = {type: 'planned', gates: [{name: 'lint', optional: false}, {name: 'test', optional: false}, {name: 'docs', optional: true}, {name: 'build', optional: false}]}

describe('applyGateEvent', () => {
  test('plan order is kept; started and finished move a gate along', () => {
    const state = fold([planned, {type: 'started', name: 'test', at: 1000}, {type: 'finished', result: result('lint', 'cached')}])
    expect(state.gates.map((g) => [g.name, g.state])).toEqual([['lint', 'cached'], ['test', 'running'], ['docs', 'waiting'], ['build', 'waiting']])
    expect(state.gates[1]?.startedAt).toBe(1000)
  })

  test('leaves the old state as it was', () => {
    const before = fold([planned])
    applyGateEvent(before, {type: 'started', name: 'lint', at: 0})
    expect(before.gates[0]?.state).toBe('waiting')
  })

  test('a gate it did not know of is added at the end', () => {
    const state = fold([planned, {type: 'started', name: 'extra', at: 0}])
    expect(state.gates.at(-1)).toMatchObject({name: 'extra', state: 'running'})
  })
})

describe('renderProgress', () => {
  const state = fold([
    planned,
    {type: 'started', name: 'lint', at: 0},
    {type: 'started', name: 'test', at: 500},
    {type: 'finished', result: result('lint', 'passed')},
    {type: 'finished', result: result('docs', 'failed', {optional: true, reason: 'exit code 2'})},
  ])

  test('one line per gate in its state, running with whole elapsed seconds, then a count', () => {
    expect(renderProgress(state, 3_499, {width: 80, color: false})).toEqual([
      '✓ lint   passed in 1.23s',
      '▸ test   running 2s',
      '✗ docs   failed in 1.23s: exit code 2 (optional)',
      '· build  waiting',
      '2/4 done, 1 running',
    ])
  })

  test('elapsed time moves with now', () => {
    expect(renderProgress(state, 10_500, {width: 80, color: false})[1]).toBe('▸ test   running 10s')
  })

  test('cached, skipped and cancelled say so, with the reason', () => {
    const done = fold([planned, ...(['lint', 'test', 'docs'] as const).map((n, i) => ({type: 'finished' as const, result: result(n, (['cached', 'skipped', 'cancelled'] as const)[i] as GateResult['status'], {reason: i === 0 ? undefined : 'why'})}))])
    expect(renderProgress(done, 0, {width: 80, color: false}).slice(0, 3)).toEqual(['● lint   cached', '- test   skipped: why', '- docs   cancelled: why'])
  })

  test('lines are cut below the width so none wraps', () => {
    const lines = renderProgress(state, 0, {width: 20, color: false})
    for (const line of lines) expect([...line].length).toBeLessThan(20)
    expect(lines[2]).toBe('✗ docs   failed in…')
  })

  test('colour wraps each gate line in one ANSI colour and a reset; without it there is no escape at all', () => {
    const colored = renderProgress(state, 0, {width: 80, color: true})
    expect(colored[0]).toBe('\u001B[32m✓ lint   passed in 1.23s\u001B[0m')
    expect(colored[2]?.startsWith('\u001B[31m')).toBe(true)
    expect(renderProgress(state, 0, {width: 80, color: false}).join('')).not.toContain('\u001B')
  })

  test('an empty plan renders only the count', () => {
    expect(renderProgress({gates: []}, 0, {width: 80, color: false})).toEqual(['0/0 done'])
  })
})

describe('plainProgress', () => {
  test('a line when a gate starts and when it ends; a failure with its tail and log', () => {
    const lines: string[] = []
    const emit = plainProgress({progress: (m) => lines.push(m)})
    emit(planned)
    emit({type: 'started', name: 'test', at: 0})
    emit({type: 'finished', result: result('test', 'failed', {reason: 'exit code 1', tail: ['boom']})})
    expect(lines).toEqual(['▸ test started', '✗ test failed in 1.23s: exit code 1', '  │ boom', '  └ full log: /x/test.log'])
  })
})
