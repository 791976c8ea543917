import {Args} from '@oclif/core'
import {FlowCommand} from '../../cli/flow-command.js'
import {changeRisk, type ChangeRisk} from '../../core/changes/read-changes.js'

export default class ChangeRiskCommand extends FlowCommand<typeof ChangeRiskCommand> {
  static override summary = 'Score a change\'s risk as it stands, with every reason and the approvals it calls for.'
  static override description = `Deterministic: points for the size of the diff, sensitive paths (changes.risk.sensitive), each owning team
beyond the first (CODEOWNERS), target environments (more for production), recent incidents on the touched services,
and a freeze in force or starting within a day. changes.risk.thresholds map the score to approvals.`

  static override examples = ['<%= config.bin %> change risk CHG-3', '<%= config.bin %> change risk CHG-3 --json']
  static override args = {id: Args.string({description: 'The change id, e.g. CHG-3.', required: true})}

  async run(): Promise<ChangeRisk> {
    const result = await changeRisk(await this.deps(), {id: this.args.id})
    this.log(`${result.id}: risk ${result.score}, ${result.approvals} approval${result.approvals === 1 ? '' : 's'} required`)
    for (const r of result.reasons) this.log(`  +${r.points} ${r.factor}: ${r.detail}`)
    return result
  }
}
