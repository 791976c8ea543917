import {Args} from '@oclif/core'
import {FlowCommand} from '../../cli/flow-command.js'
import type {SloStatus} from '../../core/slo/budget.js'
import {sloStatuses} from '../../core/slo/status.js'

const minutes = (ms: number) => (ms < 7_200_000 ? `${Math.round(ms / 60_000)} min` : `${(ms / 3_600_000).toFixed(1)} h`)

export default class SloStatusCommand extends FlowCommand<typeof SloStatusCommand> {
  static override summary = 'Where each service stands against its SLO: availability, error budget left, burn rate, and why.'
  static override description = `For each service with services.<name>.slo in flow.yml: the target, the availability measured over the
window, the error budget left (a share; below 0 when overspent), the burn rate over the window and the last day
(1 = the budget lasts exactly the window), whether the budget is spent and until when, and the downtime spans
with their sources. Downtime is the union of the impact windows of the service's incidents (drills excluded) and
the spans in which a deployment's health checks failed. With slo.source, the command is run (argv, no shell) and
its {"good": N, "total": N} is used instead. With when_exhausted: freeze, flow env deploy to production exits 6
while the budget is spent, except for deployments whose new commits are all fixes or reverts, rollbacks and
hotfixes (slo.allow), and --break-glass.`

  static override examples = ['<%= config.bin %> slo status', '<%= config.bin %> slo status api --json']

  static override args = {service: Args.string({description: 'The service (default: every service with an SLO).'})}

  async run(): Promise<{services: SloStatus[]}> {
    const services = await sloStatuses(await this.deps(), this.args.service)
    if (services.length === 0) this.log('No service has an SLO in flow.yml (services.<name>.slo).')
    for (const s of services) {
      const spent = s.exhausted ? `SPENT${s.ongoing ? ' (downtime ongoing)' : s.exhaustedUntil ? ` until ${s.exhaustedUntil}` : ''}` : 'ok'
      this.log(`${s.service}: ${s.availability}% of ${s.target}% over ${Math.round(s.window.ms / 86_400_000)}d; budget left ${Math.round(s.budgetLeft * 100)}%; burn rate ${s.burnRate}${s.burnRateLastDay === undefined ? '' : ` (last day ${s.burnRateLastDay})`}; ${spent}`)
      if (s.basis === 'downtime') this.log(`  downtime ${minutes(s.downtimeMs ?? 0)} of ${minutes(s.budgetMs ?? 0)} allowed`)
      else this.log(`  ${s.badEvents} bad event(s) of ${s.budgetEvents} allowed`)
      for (const span of s.spans) this.log(`  ${span.start} → ${span.end}  ${span.source}`)
    }
    return {services}
  }
}
