import {Flags} from '@oclif/core'
import {FlowCommand, dryRunFlag} from '../../cli/flow-command.js'
import {resolveIncident, type IncidentChanged} from '../../core/incidents/actions.js'
import {formatChanged, formatDryRun} from '../../core/incidents/render.js'

export default class IncidentResolve extends FlowCommand<typeof IncidentResolve> {
  static override summary = 'Resolve an incident: the impact is over (and mitigated, if it was not marked so).'
  static override examples = ['<%= config.bin %> incident resolve', '<%= config.bin %> incident resolve --incident INC-3 --mitigated 10:05 --at 10:30']
  static override flags = {
    incident: Flags.string({char: 'i', description: 'The incident, e.g. INC-3 (default: the only open one).'}),
    at: Flags.string({description: 'When it was resolved (default: now); checked against the other times.'}),
    mitigated: Flags.string({description: 'When it was mitigated, if not recorded yet.'}),
    ...dryRunFlag,
  }

  async run(): Promise<IncidentChanged> {
    const f = this.flags
    const result = await resolveIncident(await this.deps(), {incident: f.incident, at: f.at, mitigated: f.mitigated, dryRun: f['dry-run']})
    for (const line of result.dryRun ? formatDryRun(result.action.toLowerCase(), result) : formatChanged(result)) this.log(line)
    return result
  }
}
