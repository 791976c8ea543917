import {FlowCommand} from '../../cli/flow-command.js'
import type {IncidentReport} from '../../core/metrics/incident-metrics.js'
import {metricsFlags} from '../../cli/metrics-flags.js'
import {emitReport} from '../../core/metrics/output.js'

export default class MetricsIncidents extends FlowCommand<typeof MetricsIncidents> {
  static override summary = 'Incident figures: counts by severity and service, time to acknowledge, mitigate and resolve, follow-ups, postmortem lag.'
  static override description = 'Real incidents declared in the window; drills are left out. Medians and 90th percentiles with their sample sizes.'
  static override examples = ['<%= config.bin %> metrics incidents', '<%= config.bin %> metrics incidents --since 180d --format md', '<%= config.bin %> metrics incidents --json']
  static override flags = {...metricsFlags}

  async run(): Promise<IncidentReport> {
    const {metricsIncidents} = await import('../../core/metrics/run-metrics.js')
    const report = await metricsIncidents(await this.deps(), {since: this.flags.since, until: this.flags.until, service: this.flags.service, import: this.flags.import})
    await emitReport(this.jsonEnabled(), {...this.flags, cwd: this.cwd}, {kind: 'incidents', report}, (line) => this.log(line))
    return report
  }
}
