import type {RunView, StatusResult} from './status.js'
import type {StepStatus} from './types.js'
import type {UndoResult} from './undo.js'

const MARK: Record<StepStatus, string> = {pending: '·', running: '▸', done: '✓', failed: '✗', undone: '↺'}

/** The lines `flow status` prints for one run: a header, then one line per step. */
export function formatRun(run: RunView): string[] {
  const alive = run.pidAlive === null ? '' : run.pidAlive ? `, pid ${run.pid} running` : `, pid ${run.pid} gone`
  const where = run.status === 'paused' || run.status === 'running' ? ` at step ${run.step}/${run.total}` : ''
  const state = run.interrupted ? 'interrupted (the process was killed): paused' : run.status
  const lines = [`flow ${run.command}: ${state}${where} (started ${run.startedAt}${run.status === 'running' || run.interrupted ? alive : ''})`]
  const width = String(run.total).length
  for (const s of run.steps) {
    const note = s.skipped ? ' (already done)' : ''
    lines.push(`  ${MARK[s.status]} ${String(s.step).padStart(width)}  ${s.description}${note}`)
    if (s.error) lines.push(`${' '.repeat(width + 6)}${s.error.message}`)
  }
  return lines
}

/** Everything `flow status` prints. */
export function formatStatus(status: StatusResult): string[] {
  const lines: string[] = []
  if (status.run) {
    lines.push(...formatRun(status.run))
    if (status.next.length > 0) lines.push('', `Next: ${status.next.join(', ')}`)
  } else {
    lines.push('No run in progress.')
    if (status.last) lines.push(`Last run: flow ${status.last.command}, ${status.last.status} (${status.last.updatedAt}).`)
  }
  return lines
}

/** What `flow undo` prints. */
export function formatUndo(result: UndoResult): string[] {
  const lines = [`Undid ${result.undone.length} step(s) of flow ${result.command}.`]
  for (const s of result.undone) lines.push(`  ↺ ${s.step}  ${s.description}${s.note ? ` (${s.note})` : ''}`)
  for (const s of result.notUndone) lines.push(`  ! ${s.step}  ${s.description}: not undone: ${s.reason}`)
  if (result.checkout.restored) lines.push(`Checked out ${result.checkout.branch ?? result.checkout.head} again.`)
  if (result.checkout.reason) lines.push(`Checkout not restored: ${result.checkout.reason}.`)
  return lines
}
