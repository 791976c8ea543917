import {rmSync} from 'node:fs'
import type {Reporter} from 'vitest/node'
import {HARM, readCounts, WORK, type CountName} from './reliability.js'

const LABEL: Record<CountName, string> = {
  faults: 'faults injected', killPoints: 'kill points', fuzzCases: 'fuzz cases', hostileInputs: 'hostile inputs',
  secretChecks: 'secret checks', concurrencyRuns: 'concurrent runs',
  dataLoss: 'data loss', duplicates: 'duplicates', shellExecutions: 'shell executions', leakedTokens: 'leaked tokens',
}

/** Prints the counts the reliability tests collected (nothing when none ran), then removes them. */
export default class ReliabilityReporter implements Reporter {
  onTestRunEnd(): void {
    const dir = process.env.FLOW_RELIABILITY_DIR
    if (!dir) return
    const counts = readCounts(dir)
    rmSync(dir, {recursive: true, force: true})
    if (WORK.every((k) => counts[k] === 0)) return
    const line = (keys: readonly CountName[]) => keys.map((k) => `${LABEL[k]} ${counts[k]}`).join(', ')
    process.stdout.write(`\nreliability: ${line(WORK)}\nreliability harm (each must be 0): ${line(HARM)}\n`)
  }
}
