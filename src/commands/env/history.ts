import {Args, Flags} from '@oclif/core'
import {FlowCommand} from '../../cli/flow-command.js'
import {environmentHistory} from '../../core/env/status.js'
import type {DeploymentFact} from '../../core/records/facts.js'

export default class EnvHistory extends FlowCommand<typeof EnvHistory> {
  static override summary = 'The deployments of an environment, newest first, with outcome, rollbacks, break-glass and failed checks.'
  static override examples = ['<%= config.bin %> env history production', '<%= config.bin %> env history staging --limit 5 --json']

  static override args = {environment: Args.string({required: true, description: 'The environment.'})}
  static override flags = {limit: Flags.integer({description: 'Show at most this many.', min: 1})}

  async run(): Promise<{environment: string; deployments: DeploymentFact[]}> {
    const result = await environmentHistory(await this.deps(), this.args.environment, this.flags.limit)
    if (result.deployments.length === 0) this.log(`Nothing deployed to ${result.environment} yet.`)
    for (const d of result.deployments) {
      const failed = d.health.filter((h) => !h.ok).length
      const notes = [
        d.rollbackOf ? `rollback of ${d.rollbackOf}` : '', d.rolledBackBy ? `rolled back by ${d.rolledBackBy}` : '',
        d.breakGlass ? `BREAK-GLASS: ${d.breakGlass.reason} (overrode ${d.breakGlass.overrode.join(', ')})` : '',
        failed > 0 ? `${failed} failed check(s)` : '', d.changeId ? `change ${d.changeId}` : '',
      ].filter(Boolean)
      this.log(`${d.id}  ${d.startedAt}  ${d.kind.padEnd(8)} ${(d.version ?? d.sha.slice(0, 7)).padEnd(10)} ${d.outcome.padEnd(11)} ${d.actor ?? ''}${notes.length > 0 ? `  ${notes.join('; ')}` : ''}`)
    }
    return result
  }
}
