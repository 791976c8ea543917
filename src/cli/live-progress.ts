import {applyGateEvent, renderProgress, resultLines, type GateEvent, type ProgressState} from '../core/gates/progress.js'
import type {GatesRun} from '../core/gates/run-gates.js'
import {redact} from '../core/redact.js'

/** A live gate display on a terminal: feed it the runner's events, stop it when the run ends. */
export interface LiveProgress {
  onEvent: (event: GateEvent) => void
  /** Draws the final state (left on screen) and restores the cursor (once); given the run, prints each failed gate's tail. */
  stop: (run?: GatesRun) => void
}

/** The terminal a live display writes to (process.stderr in production). */
export interface LiveStream {
  isTTY?: boolean
  columns?: number
  write: (text: string) => unknown
}

const ESC = '\u001B['
const HIDE_CURSOR = `${ESC}?25l`
const SHOW_CURSOR = `${ESC}?25h`
// Synchronised output: terminals that know it show the whole frame at once; others ignore it.
const BEGIN_FRAME = `${ESC}?2026h`
const END_FRAME = `${ESC}?2026l`
/** Redraws at most this often (and only when the text changed), so the block never flickers. */
const FRAME_MS = 100

/** A live display when stderr is a terminal, CI is unset and the output is not --json; otherwise undefined (plain lines). */
export function startLiveProgress(options: {json: boolean; env: Record<string, string | undefined>; stream?: LiveStream}): LiveProgress | undefined {
  const stream = options.stream ?? process.stderr
  if (options.json || !stream.isTTY || options.env.CI) return undefined
  const color = !options.env.NO_COLOR
  let state: ProgressState = {gates: []}
  let printed = 0
  let lastFrame = ''
  let stopped = false

  const draw = () => {
    const lines = renderProgress(state, Date.now(), {width: stream.columns || 80, color}).map((l) => redact(l))
    const frame = lines.join('\n')
    if (frame === lastFrame) return
    lastFrame = frame
    const up = printed > 0 ? `${ESC}${printed}A` : ''
    stream.write(`${BEGIN_FRAME}${up}${lines.map((l) => `\r${ESC}2K${l}\n`).join('')}${ESC}J${END_FRAME}`)
    printed = lines.length
  }
  const restore = () => {
    stream.write(SHOW_CURSOR)
  }
  // Ctrl-C: leave the terminal usable, then die of the signal as if nothing had caught it.
  const onSigint = () => {
    stop()
    process.kill(process.pid, 'SIGINT')
  }
  const timer = setInterval(draw, FRAME_MS)
  timer.unref()
  process.once('exit', restore)
  process.once('SIGINT', onSigint)
  stream.write(HIDE_CURSOR)

  const stop = (run?: GatesRun) => {
    if (!stopped) {
      stopped = true
      clearInterval(timer)
      draw()
      restore()
      process.removeListener('exit', restore)
      process.removeListener('SIGINT', onSigint)
    }
    // Called again with the run once it is known: the failed gates' tails go below the final block.
    for (const gate of run?.gates ?? []) {
      if (gate.status === 'failed') for (const line of resultLines(gate)) stream.write(`${redact(line)}\n`)
    }
  }

  return {
    onEvent: (event) => {
      state = applyGateEvent(state, event)
      if (event.type === 'planned') draw()
    },
    stop,
  }
}
