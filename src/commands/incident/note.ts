import {Args, Flags} from '@oclif/core'
import {FlowCommand, dryRunFlag} from '../../cli/flow-command.js'
import {noteIncident, type IncidentChanged} from '../../core/incidents/actions.js'
import {formatChanged, formatDryRun} from '../../core/incidents/render.js'

export default class IncidentNote extends FlowCommand<typeof IncidentNote> {
  static override summary = 'Add a note to the timeline of an incident.'
  static override examples = ['<%= config.bin %> incident note "web pods restarting in a loop"', '<%= config.bin %> incident note "paged the db team" --incident INC-3 --at "5m ago"']
  static override args = {text: Args.string({required: true, description: 'The note.'})}
  static override flags = {
    incident: Flags.string({char: 'i', description: 'The incident, e.g. INC-3 (default: the only open one).'}),
    at: Flags.string({description: 'When it happened (default: now).'}),
    ...dryRunFlag,
  }

  async run(): Promise<IncidentChanged> {
    const result = await noteIncident(await this.deps(), {text: this.args.text, incident: this.flags.incident, at: this.flags.at, dryRun: this.flags['dry-run']})
    for (const line of result.dryRun ? formatDryRun(result.action.toLowerCase(), result) : formatChanged(result)) this.log(line)
    return result
  }
}
