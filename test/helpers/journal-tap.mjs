// Preloaded into the built binary (NODE_OPTIONS=--import) by the kill tests; nothing in src/ knows about it.
// Every time the engine's journal (…/flow/run.json, or the finished one …/flow/runs/<id>.json, which the engine
// writes before it removes run.json) is renamed into place, it appends the journal's step statuses
// to $FLOW_TEST_JOURNAL_LOG, and after the write numbered $FLOW_TEST_KILL_AT it SIGKILLs its own process: a kill
// exactly at a step boundary, with the journal durable and nothing of the next step begun.
import {appendFileSync, readFileSync} from 'node:fs'
import fs from 'node:fs'
import {syncBuiltinESMExports} from 'node:module'
import {basename, dirname} from 'node:path'

const log = process.env.FLOW_TEST_JOURNAL_LOG
const killAt = Number(process.env.FLOW_TEST_KILL_AT ?? 0)
let writes = 0
const original = fs.promises.rename

fs.promises.rename = async function rename(from, to) {
  await original.call(this, from, to)
  const target = String(to)
  const current = basename(target) === 'run.json' && basename(dirname(target)) === 'flow'
  const archived = target.endsWith('.json') && basename(dirname(target)) === 'runs' && basename(dirname(dirname(target))) === 'flow'
  if (!current && !archived) return
  writes++
  if (log) {
    let steps = []
    try {
      steps = JSON.parse(readFileSync(target, 'utf8')).steps.map((s) => `${s.kind}:${s.status}`)
    } catch {
      // a journal being replaced: log the write without its steps
    }
    appendFileSync(log, `${JSON.stringify({n: writes, steps})}\n`)
  }
  if (writes === killAt) process.kill(process.pid, 'SIGKILL')
}
syncBuiltinESMExports()
