import {Flags} from '@oclif/core'
import {FlowCommand, dryRunFlag} from '../../cli/flow-command.js'
import {acknowledgeIncident, type IncidentChanged} from '../../core/incidents/actions.js'
import {formatChanged, formatDryRun} from '../../core/incidents/render.js'

export default class IncidentAck extends FlowCommand<typeof IncidentAck> {
  static override summary = 'Acknowledge an incident (once); --at for a time in the past.'
  static override examples = ['<%= config.bin %> incident ack', '<%= config.bin %> incident ack --incident INC-3 --at "10:42"']
  static override flags = {
    incident: Flags.string({char: 'i', description: 'The incident, e.g. INC-3 (default: the only open one).'}),
    at: Flags.string({description: 'When it was acknowledged (default: now); checked against the other times.'}),
    ...dryRunFlag,
  }

  async run(): Promise<IncidentChanged> {
    const result = await acknowledgeIncident(await this.deps(), {incident: this.flags.incident, at: this.flags.at, dryRun: this.flags['dry-run']})
    for (const line of result.dryRun ? formatDryRun(result.action.toLowerCase(), result) : formatChanged(result)) this.log(line)
    return result
  }
}
