import {Args, Flags} from '@oclif/core'
import {FlowCommand, dryRunFlag} from '../../../cli/flow-command.js'
import {setIncidentRole, type IncidentChanged} from '../../../core/incidents/actions.js'
import {formatChanged, formatDryRun} from '../../../core/incidents/render.js'

export default class IncidentRoleSet extends FlowCommand<typeof IncidentRoleSet> {
  static override summary = 'Say who fills an incident role (flow.yml incidents.roles: commander, communications, scribe, ...).'
  static override examples = ['<%= config.bin %> incident role set commander alice', '<%= config.bin %> incident role set scribe bob --incident INC-3']
  static override args = {
    role: Args.string({required: true, description: 'The role.'}),
    who: Args.string({required: true, description: 'Who fills it.'}),
  }

  static override flags = {
    incident: Flags.string({char: 'i', description: 'The incident, e.g. INC-3 (default: the only open one).'}),
    ...dryRunFlag,
  }

  async run(): Promise<IncidentChanged> {
    const result = await setIncidentRole(await this.deps(), {role: this.args.role, who: this.args.who, incident: this.flags.incident, dryRun: this.flags['dry-run']})
    for (const line of result.dryRun ? formatDryRun(result.action.toLowerCase(), result) : formatChanged(result)) this.log(line)
    return result
  }
}
