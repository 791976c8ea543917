import {FlowCommand} from '../../cli/flow-command.js'
import {listGates, type GatesListed} from '../../core/gates/list-gates.js'
import {formatDuration} from '../../core/gates/run-gates.js'

export default class GatesList extends FlowCommand<typeof GatesList> {
  static override summary = 'List the gates, the stages they belong to, and their last results.'
  static override description = 'Reads flow.yml and the results of the last runs in this worktree (flow/gates/last.json under the git directory).'
  static override examples = ['<%= config.bin %> gates list', '<%= config.bin %> gates list --json']

  async run(): Promise<GatesListed> {
    const listed = await listGates(await this.deps())
    if (listed.gates.length === 0) this.log('No gates in flow.yml.')
    for (const g of listed.gates) {
      const last = g.last ? `last: ${g.last.status}${g.last.status === 'cached' ? '' : ` in ${formatDuration(g.last.durationMs)}`} at ${g.last.at}` : 'never run'
      this.log(`${g.name}${g.optional ? ' (optional)' : ''}: ${g.does}`)
      this.log(`  needs: ${g.needs.join(', ') || '-'}; inputs: ${g.inputs.join(', ') || '- (never cached)'}; stages: ${g.stages.join(', ') || '-'}; ${last}`)
    }
    for (const [stage, gates] of Object.entries(listed.stages)) this.log(`stage ${stage}: ${gates.join(', ') || '(empty)'}`)
    return listed
  }
}
