import {Flags} from '@oclif/core'
import {FlowCommand} from '../../cli/flow-command.js'
import {listIncidents, type IncidentList} from '../../core/incidents/queries.js'
import {formatList} from '../../core/incidents/render.js'

export default class IncidentListCommand extends FlowCommand<typeof IncidentListCommand> {
  static override summary = 'List incidents, newest first, with their durations; drills only with --drills.'
  static override examples = ['<%= config.bin %> incident list --open', '<%= config.bin %> incident list --sev sev1 --json', '<%= config.bin %> incident list --drills']
  static override flags = {
    open: Flags.boolean({description: 'Only incidents not resolved yet.'}),
    sev: Flags.string({description: 'Only this severity.'}),
    drills: Flags.boolean({description: 'List the drills instead (they are kept apart from real incidents).'}),
  }

  async run(): Promise<IncidentList> {
    const result = await listIncidents(await this.deps(), {open: this.flags.open, severity: this.flags.sev, drills: this.flags.drills})
    for (const line of formatList(result)) this.log(line)
    return result
  }
}
