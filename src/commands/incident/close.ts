import {Flags} from '@oclif/core'
import {FlowCommand, dryRunFlag} from '../../cli/flow-command.js'
import {closeIncident, type IncidentChanged} from '../../core/incidents/actions.js'
import {formatChanged, formatDryRun} from '../../core/incidents/render.js'

export default class IncidentClose extends FlowCommand<typeof IncidentClose> {
  static override summary = 'Close a resolved incident; refused (exit 6) while a postmortem its severity requires is missing.'
  static override examples = ['<%= config.bin %> incident close --incident INC-3']
  static override flags = {
    incident: Flags.string({char: 'i', description: 'The incident, e.g. INC-3 (default: the only open one).'}),
    at: Flags.string({description: 'When it was closed (default: now).'}),
    ...dryRunFlag,
  }

  async run(): Promise<IncidentChanged> {
    const result = await closeIncident(await this.deps(), {incident: this.flags.incident, at: this.flags.at, dryRun: this.flags['dry-run']})
    for (const line of result.dryRun ? formatDryRun(result.action.toLowerCase(), result) : formatChanged(result)) this.log(line)
    return result
  }
}
