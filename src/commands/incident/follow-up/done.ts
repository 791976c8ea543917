import {Args, Flags} from '@oclif/core'
import {FlowCommand, dryRunFlag} from '../../../cli/flow-command.js'
import {completeFollowUp, type IncidentChanged} from '../../../core/incidents/actions.js'
import {formatChanged, formatDryRun} from '../../../core/incidents/render.js'

export default class IncidentFollowUpDone extends FlowCommand<typeof IncidentFollowUpDone> {
  static override summary = 'Mark a follow-up of an incident done (by its number in flow incident show, its title or its URL).'
  static override examples = ['<%= config.bin %> incident follow-up done 1 --incident INC-3']
  static override args = {followUp: Args.string({required: true, description: 'The follow-up: its number, title or URL.'})}
  static override flags = {
    incident: Flags.string({char: 'i', description: 'The incident, e.g. INC-3 (default: the only open one).'}),
    ...dryRunFlag,
  }

  async run(): Promise<IncidentChanged> {
    const result = await completeFollowUp(await this.deps(), {which: this.args.followUp, incident: this.flags.incident, dryRun: this.flags['dry-run']})
    for (const line of result.dryRun ? formatDryRun(result.action.toLowerCase(), result) : formatChanged(result)) this.log(line)
    return result
  }
}
