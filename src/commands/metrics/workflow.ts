import {Flags} from '@oclif/core'
import {FlowCommand} from '../../cli/flow-command.js'
import {parseDuration} from '../../core/config/duration.js'
import {FlowError} from '../../core/errors.js'
import {formatDuration} from '../../core/gates/run-gates.js'
import {formatDuration as formatSpan} from '../../core/metrics/stats.js'
import {measureWorkflow, type DurationSample, type WorkflowReport} from '../../core/analytics/workflow.js'

const describeSample = (s: DurationSample) => (s.count === 0 ? 'no samples' : `median ${formatSpan(s.medianMs)}, p90 ${formatSpan(s.p90Ms)} (n=${s.count})`)

export default class MetricsWorkflow extends FlowCommand<typeof MetricsWorkflow> {
  static override summary = 'How your workflow performs: gate run times, cache hits, flaky gates, feature lead time and review wait.'
  static override description = `Computed on this machine from flow's own history (flow/history.jsonl under the git directory of every worktree: one line per gate result and per finished run) and, for review wait, the reviews of the pull requests flow opened, read from the forge. Nothing is sent anywhere.

A gate is flaky when it failed and then passed on the same inputs (the same cache key; for a gate without inputs, the same commit).`
  static override examples = ['<%= config.bin %> metrics workflow', '<%= config.bin %> metrics workflow --since 7d --json', '<%= config.bin %> metrics workflow --no-reviews']

  static override flags = {
    since: Flags.string({description: 'How far back to look (a duration like 30d or 12h).', default: '30d'}),
    reviews: Flags.boolean({description: 'Ask the forge for the first review of each pull request (--no-reviews: skip).', default: true, allowNo: true}),
  }

  async run(): Promise<WorkflowReport> {
    let sinceMs: number
    try {
      sinceMs = parseDuration(this.flags.since)
    } catch {
      throw new FlowError('USAGE', `--since ${JSON.stringify(this.flags.since)} is not a duration`, {hint: 'Use a duration such as 30d, 12h or 90m.'})
    }
    const report = await measureWorkflow(await this.deps(), {sinceMs, reviews: this.flags.reviews})
    this.log(`Workflow from ${report.window.since.slice(0, 10)} to ${report.window.until.slice(0, 10)}`)
    if (report.gates.length === 0) this.log('No gate results in this window (flow gates run records them).')
    else {
      const rows = report.gates.map((g) => [g.gate, String(g.ran), String(g.failed), String(g.cached), `${Math.round(g.cacheHitRate * 100)}%`, g.medianMs === undefined ? '-' : formatDuration(g.medianMs), g.p90Ms === undefined ? '-' : formatDuration(g.p90Ms), String(g.flaky)])
      const head = ['gate', 'ran', 'failed', 'cached', 'hit rate', 'median', 'p90', 'flaky']
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
      for (const row of [head, ...rows]) this.log(`  ${row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`)
    }
    for (const s of report.stages) this.log(`stage ${s.stage}: ${s.runs} runs (${s.failedRuns} red), ${formatDuration(s.totalMs)} in all${s.medianMs === undefined ? '' : `, median ${formatDuration(s.medianMs)}`}`)
    if (report.slowest.length > 0) this.log(`slowest gates: ${report.slowest.join(', ')}`)
    this.log(report.flakyGates > 0 ? `flaky gates: ${report.flakiest.join(', ')}` : 'flaky gates: none')
    this.log(`feature start → finish: ${describeSample(report.featureLeadTime)}`)
    this.log(`wait for first review: ${describeSample(report.reviewWait)}${report.reviewWait.unknown ? `; reviews unknown: ${report.reviewWait.unknown}` : ''}`)
    return report
  }
}
