import {Args, Flags} from '@oclif/core'
import {FlowCommand, dryRunFlag} from '../../cli/flow-command.js'
import {setIncidentCause, type IncidentChanged} from '../../core/incidents/actions.js'
import {formatChanged, formatDryRun} from '../../core/incidents/render.js'

export default class IncidentCause extends FlowCommand<typeof IncidentCause> {
  static override summary = 'State what caused an incident: a recorded deployment (DEP-n) or a commit (the one link metrics use).'
  static override examples = ['<%= config.bin %> incident cause DEP-12', '<%= config.bin %> incident cause 3f2a9c1 --incident INC-3']
  static override args = {cause: Args.string({required: true, description: 'DEP-n, or a commit sha.'})}
  static override flags = {
    incident: Flags.string({char: 'i', description: 'The incident, e.g. INC-3 (default: the only open one).'}),
    ...dryRunFlag,
  }

  async run(): Promise<IncidentChanged> {
    const result = await setIncidentCause(await this.deps(), {cause: this.args.cause, incident: this.flags.incident, dryRun: this.flags['dry-run']})
    for (const line of result.dryRun ? formatDryRun(result.action.toLowerCase(), result) : formatChanged(result)) this.log(line)
    return result
  }
}
