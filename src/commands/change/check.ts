import {Args, Flags} from '@oclif/core'
import {FlowCommand} from '../../cli/flow-command.js'
import {checkChange, type ChangeChecked} from '../../core/changes/check-change.js'

export default class ChangeCheck extends FlowCommand<typeof ChangeCheck> {
  static override summary = 'Check that a change may go ahead: approvals, gates, planned window, freezes and conflicts (exit 6 with every reason when not).'
  static override description = `Gates: the submit stage must have passed on the change's head commit (the last gate run on its branch in this
clone, as flow feature list shows it). On GitHub, approvals are pull request reviews by code owners of the changed
paths; offline, approval records. A new result is recorded on the change (it is what flow change evidence shows).
--status also posts it as the flow/change commit status, so a branch protection rule can require it.`

  static override examples = [
    '<%= config.bin %> change check',
    '<%= config.bin %> change check CHG-3 --json',
    '<%= config.bin %> change check CHG-3 --status',
    '<%= config.bin %> change check CHG-3 --break-glass "outage fix during the freeze"',
  ]

  static override args = {id: Args.string({description: 'The change id (default: the open change of the current branch).'})}
  static override flags = {
    status: Flags.boolean({description: 'Post the result as the flow/change commit status (GitHub).'}),
    'break-glass': Flags.string({description: 'Override a freeze, with the reason (recorded and flagged for review after).'}),
  }

  async run(): Promise<ChangeChecked> {
    const result = await checkChange(await this.deps(), {id: this.args.id, status: this.flags.status, breakGlass: this.flags['break-glass']})
    this.log(`${result.id} may go ahead: ${result.approvals.preApproved ? 'pre-approved' : `${result.approvals.given.length}/${result.approvals.required} approvals`}, gates ${result.gates.note ? 'not applicable' : 'green'}${result.posted ? `; posted ${result.posted.context} on ${result.posted.sha.slice(0, 7)}` : ''}`)
    return result
  }
}
