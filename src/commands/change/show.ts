import {Args} from '@oclif/core'
import {FlowCommand} from '../../cli/flow-command.js'
import type {Change} from '../../core/changes/model.js'
import {showChange} from '../../core/changes/read-changes.js'

export default class ChangeShow extends FlowCommand<typeof ChangeShow> {
  static override summary = 'Show one change request: its plan, risk, decisions, checks and outcome.'
  static override examples = ['<%= config.bin %> change show CHG-3', '<%= config.bin %> change show CHG-3 --json']
  static override args = {id: Args.string({description: 'The change id, e.g. CHG-3.', required: true})}

  async run(): Promise<Change> {
    const c = await showChange(await this.deps(), {id: this.args.id})
    this.log(`${c.id} ${c.type} change: ${c.title} (${c.status}${c.closed ? `, ${c.closed.code}` : ''})`)
    this.log(`  raised by ${c.author} at ${c.createdAt}; ${c.binding.kind}${c.binding.branch ? ` ${c.binding.branch}` : ''}${c.binding.pullRequest !== undefined ? ` #${c.binding.pullRequest}` : ''}${c.binding.deployment ? ` ${c.binding.deployment}` : ''}`)
    if (c.environments.length > 0) this.log(`  environments: ${c.environments.join(', ')}`)
    if (c.window) this.log(`  window: ${c.window.start}..${c.window.end}`)
    if (c.risk) this.log(`  risk ${c.risk.score}: ${c.preApproved ? 'pre-approved' : `${c.risk.approvals} approvals required`}`)
    for (const d of c.decisions) this.log(`  ${d.decision} by ${d.login ?? d.by} at ${d.at}${d.comment ? `: ${d.comment}` : ''}`)
    for (const g of c.breakGlass) this.log(`  break-glass by ${g.by}: ${g.reason}`)
    return c
  }
}
