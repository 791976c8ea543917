import {Args, Flags} from '@oclif/core'
import {FlowCommand, dryRunFlag} from '../../cli/flow-command.js'
import {closeChange, type ChangeClosed} from '../../core/changes/close-change.js'

export default class ChangeClose extends FlowCommand<typeof ChangeClose> {
  static override summary = 'Close a change with its outcome; emergency and break-glass changes get a review-after follow-up issue.'
  static override examples = ['<%= config.bin %> change close CHG-3 --code successful', '<%= config.bin %> change close CHG-4 --code failed --comment "rolled back" --json']
  static override args = {id: Args.string({description: 'The change id, e.g. CHG-3.', required: true})}
  static override flags = {
    code: Flags.string({description: 'How it went.', options: ['successful', 'issues', 'failed'], required: true}),
    comment: Flags.string({description: 'A closing note.'}),
    ...dryRunFlag,
  }

  async run(): Promise<ChangeClosed> {
    const result = await closeChange(await this.deps(), {id: this.args.id, code: this.flags.code as ChangeClosed['code'], comment: this.flags.comment, dryRun: this.flags['dry-run']})
    this.log(`${result.dryRun ? 'Would close' : 'Closed'} ${result.id}: ${result.code}${result.followUp ? `; review-after follow-up #${result.followUp.number} ${result.followUp.url}` : ''}`)
    return result
  }
}
