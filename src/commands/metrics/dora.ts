import {Flags} from '@oclif/core'
import {FlowCommand} from '../../cli/flow-command.js'
import type {DoraReport} from '../../core/metrics/dora.js'
import {metricsFlags} from '../../cli/metrics-flags.js'

export default class MetricsDora extends FlowCommand<typeof MetricsDora> {
  static override summary = 'DORA\'s four keys and rework rate, from flow\'s own deployment and incident records and git.'
  static override description = `Deployment frequency, lead time for changes (from commit and from merge), change failure rate (rolled back,
caused an incident through an explicit cause link, or needed a hotfix; each deployment counted once), failed
deployment recovery time and rework rate, with the sample size, the window and each definition. DORA's 2023 and
2024 bands are shown only with at least 20 deployments (20 commits for lead time, 5 failures for recovery).
Drill incidents are left out; there is no per-person view.`

  static override examples = [
    '<%= config.bin %> metrics dora',
    '<%= config.bin %> metrics dora --since 90d --service checkout',
    '<%= config.bin %> metrics dora --format html --out dora.html',
    '<%= config.bin %> metrics dora --import    # GitHub forge, empty record store: read GitHub\'s deployments and incident issues first',
  ]

  static override flags = {
    env: Flags.string({description: 'The environment that counts as production (default: flow.yml metrics.production).'}),
    ...metricsFlags,
  }

  async run(): Promise<DoraReport> {
    const {metricsDoraBody} = await import('../../cli/metrics-dora-body.js')
    return metricsDoraBody(await this.deps(), this.flags, {json: this.jsonEnabled(), cwd: this.cwd, log: (line) => this.log(line)})
  }
}
