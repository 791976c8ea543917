import {Args, Flags} from '@oclif/core'
import {FlowCommand, dryRunFlag} from '../../cli/flow-command.js'
import {updateIncident, type IncidentChanged} from '../../core/incidents/actions.js'
import {formatChanged, formatDryRun} from '../../core/incidents/render.js'

export default class IncidentUpdate extends FlowCommand<typeof IncidentUpdate> {
  static override summary = 'Post a status update (due every update_every of the severity); --status moves the state forward.'
  static override examples = [
    '<%= config.bin %> incident update "error rate falling after the rollback" --status mitigated',
    '<%= config.bin %> incident update "still investigating the database" --incident INC-3 --json',
  ]

  static override args = {text: Args.string({required: true, description: 'The status update.'})}
  static override flags = {
    incident: Flags.string({char: 'i', description: 'The incident, e.g. INC-3 (default: the only open one).'}),
    status: Flags.string({description: 'The new state.', options: ['investigating', 'identified', 'mitigated']}),
    at: Flags.string({description: 'When it happened (default: now); checked against the other times.'}),
    ...dryRunFlag,
  }

  async run(): Promise<IncidentChanged> {
    const f = this.flags
    const result = await updateIncident(await this.deps(), {text: this.args.text, status: f.status, incident: f.incident, at: f.at, dryRun: f['dry-run']})
    for (const line of result.dryRun ? formatDryRun(result.action.toLowerCase(), result) : formatChanged(result)) this.log(line)
    return result
  }
}
