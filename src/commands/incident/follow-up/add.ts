import {Args, Flags} from '@oclif/core'
import {FlowCommand, dryRunFlag} from '../../../cli/flow-command.js'
import {addFollowUp, type IncidentChanged} from '../../../core/incidents/actions.js'
import {formatChanged, formatDryRun} from '../../../core/incidents/render.js'

export default class IncidentFollowUpAdd extends FlowCommand<typeof IncidentFollowUpAdd> {
  static override summary = 'Add a follow-up to an incident: a GitHub issue (labelled follow-up) with the GitHub forge, else a record.'
  static override examples = ['<%= config.bin %> incident follow-up add "Alert on checkout error rate" --incident INC-3', '<%= config.bin %> incident follow-up add "Runbook for failover" --record']
  static override args = {title: Args.string({required: true, description: 'What should be done.'})}
  static override flags = {
    incident: Flags.string({char: 'i', description: 'The incident, e.g. INC-3 (default: the only open one).'}),
    record: Flags.boolean({description: 'Only record it, even with the GitHub forge (no issue).'}),
    ...dryRunFlag,
  }

  async run(): Promise<IncidentChanged> {
    const result = await addFollowUp(await this.deps(), {title: this.args.title, record: this.flags.record, incident: this.flags.incident, dryRun: this.flags['dry-run']})
    for (const line of result.dryRun ? formatDryRun(result.action.toLowerCase(), result) : formatChanged(result)) this.log(line)
    return result
  }
}
