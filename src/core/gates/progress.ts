import type {Reporter} from '../ports.js'
import type {GateResult} from './run-gates.js'
import {formatDuration} from './run-gates.js'

/** What the runner tells a progress display while it runs, in order: planned, then started/finished per gate. */
export type GateEvent =
  | {type: 'planned'; gates: {name: string; optional: boolean}[]}
  | {type: 'started'; name: string; at: number}
  | {type: 'finished'; result: GateResult}

/** One gate as a progress display sees it. */
export interface GateProgress {
  name: string
  optional: boolean
  state: 'waiting' | 'running' | GateResult['status']
  /** Epoch ms when it started running. */
  startedAt?: number
  durationMs?: number
  reason?: string
}

/** The progress of a run: the gates in plan order. */
export interface ProgressState {
  gates: GateProgress[]
}

/** The state after one event (a new object; the old one is left as it was). */
export function applyGateEvent(state: ProgressState, event: GateEvent): ProgressState {
  if (event.type === 'planned') return {gates: event.gates.map((g) => ({name: g.name, optional: g.optional, state: 'waiting'}))}
  const name = event.type === 'started' ? event.name : event.result.name
  const known = state.gates.some((g) => g.name === name)
  const gates = known ? state.gates : [...state.gates, {name, optional: event.type === 'finished' && event.result.optional, state: 'waiting' as const}]
  return {
    gates: gates.map((g) => {
      if (g.name !== name) return g
      if (event.type === 'started') return {...g, state: 'running', startedAt: event.at}
      const r = event.result
      return {...g, state: r.status, durationMs: r.durationMs, reason: r.reason}
    }),
  }
}

const ANSI = {green: '\u001B[32m', red: '\u001B[31m', yellow: '\u001B[33m', cyan: '\u001B[36m', dim: '\u001B[2m', reset: '\u001B[0m'}
const MARK: Record<GateProgress['state'], string> = {waiting: '·', running: '▸', passed: '✓', cached: '●', failed: '✗', skipped: '-', cancelled: '-'}
const COLOR: Record<GateProgress['state'], string> = {waiting: ANSI.dim, running: ANSI.cyan, passed: ANSI.green, cached: ANSI.green, failed: ANSI.red, skipped: ANSI.yellow, cancelled: ANSI.yellow}

/** Options of renderProgress. */
export interface RenderOptions {
  /** Terminal columns: every line is kept shorter, so none wraps (wrapping would break redrawing in place). */
  width: number
  /** ANSI colours (off under NO_COLOR). */
  color: boolean
}

/** The live block: one line per gate (waiting, running with elapsed seconds, or how it ended), then a count line. */
export function renderProgress(state: ProgressState, now: number, options: RenderOptions): string[] {
  const width = Math.max(4, ...state.gates.map((g) => g.name.length))
  const max = Math.max(10, options.width - 1)
  const lines = state.gates.map((g) => {
    let detail: string
    if (g.state === 'waiting') detail = 'waiting'
    else if (g.state === 'running') detail = `running ${Math.max(0, Math.floor((now - (g.startedAt ?? now)) / 1000))}s`
    else if (g.state === 'passed') detail = `passed in ${formatDuration(g.durationMs ?? 0)}`
    else if (g.state === 'cached') detail = 'cached'
    else if (g.state === 'failed') detail = `failed in ${formatDuration(g.durationMs ?? 0)}${g.reason ? `: ${g.reason}` : ''}${g.optional ? ' (optional)' : ''}`
    else detail = `${g.state}${g.reason ? `: ${g.reason}` : ''}`
    const plain = truncate(`${MARK[g.state]} ${g.name.padEnd(width)}  ${detail}`, max)
    return options.color ? `${COLOR[g.state]}${plain}${ANSI.reset}` : plain
  })
  const done = state.gates.filter((g) => g.state !== 'waiting' && g.state !== 'running').length
  const running = state.gates.filter((g) => g.state === 'running').length
  lines.push(truncate(`${done}/${state.gates.length} done${running > 0 ? `, ${running} running` : ''}`, max))
  return lines
}

function truncate(text: string, max: number): string {
  const chars = [...text]
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`
}

/** The plain progress lines (CI, pipes, --json): one line as each gate starts or ends, a failed gate's tail. */
export function plainProgress(reporter: Pick<Reporter, 'progress'>): (event: GateEvent) => void {
  return (event) => {
    if (event.type === 'started') reporter.progress(`▸ ${event.name} started`)
    if (event.type === 'finished') for (const line of resultLines(event.result)) reporter.progress(line)
  }
}

/** The plain lines of one finished gate (a failure with the tail of its output and where its log is). */
export function resultLines(result: GateResult): string[] {
  const time = formatDuration(result.durationMs)
  if (result.status === 'passed') return [`✓ ${result.name} passed in ${time}`]
  if (result.status === 'cached') return [`● ${result.name} cached (inputs unchanged since a green run)`]
  if (result.status === 'skipped') return [`- ${result.name} skipped: ${result.reason}`]
  if (result.status === 'cancelled') return [`- ${result.name} cancelled: ${result.reason}`]
  return [`✗ ${result.name}${result.optional ? ' (optional)' : ''} failed in ${time}: ${result.reason}`, ...(result.tail ?? []).map((line) => `  │ ${line}`), `  └ full log: ${result.log}`]
}
