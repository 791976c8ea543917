import {Args} from '@oclif/core'
import {FlowCommand} from '../../cli/flow-command.js'
import {showIncident, type IncidentShown} from '../../core/incidents/queries.js'
import {formatShown} from '../../core/incidents/render.js'

export default class IncidentShow extends FlowCommand<typeof IncidentShow> {
  static override summary = 'Show an incident: timeline, durations (TTA, TTM, TTR), roles, open follow-ups; warns when a status update is overdue.'
  static override examples = ['<%= config.bin %> incident show INC-3', '<%= config.bin %> incident show INC-3 --json']
  static override args = {id: Args.string({description: 'The incident, e.g. INC-3 (default: the only open one).'})}

  async run(): Promise<IncidentShown> {
    const result = await showIncident(await this.deps(), {incident: this.args.id})
    for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`)
    for (const line of formatShown(result)) this.log(line)
    return result
  }
}
