import {Args, Flags} from '@oclif/core'
import {FlowCommand, dryRunFlag} from '../../cli/flow-command.js'
import {decideChange, type ChangeDecided} from '../../core/changes/decide-change.js'

export default class ChangeReject extends FlowCommand<typeof ChangeReject> {
  static override summary = 'Reject a change: a changes-requested review on GitHub, a rejection record offline.'
  static override description = 'The author of a change cannot approve it. A later decision by the same person replaces their earlier one.'
  static override examples = ['<%= config.bin %> change reject CHG-3', '<%= config.bin %> change reject CHG-3 --comment "Reviewed the migration" --json']
  static override args = {id: Args.string({description: 'The change id, e.g. CHG-3.', required: true})}
  static override flags = {comment: Flags.string({description: 'A comment with the decision.'}), ...dryRunFlag}

  async run(): Promise<ChangeDecided> {
    const result = await decideChange(await this.deps(), {id: this.args.id, decision: 'rejected', comment: this.flags.comment, dryRun: this.flags['dry-run']})
    this.log(`${result.dryRun ? 'Would record' : 'Recorded'}: ${result.id} rejected by ${result.login ?? result.by}${result.pullRequest !== undefined ? ` (review on #${result.pullRequest})` : ''}`)
    return result
  }
}
