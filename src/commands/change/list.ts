import {Flags} from '@oclif/core'
import {FlowCommand} from '../../cli/flow-command.js'
import {listChanges, type ChangeList} from '../../core/changes/read-changes.js'

export default class ChangeListCommand extends FlowCommand<typeof ChangeListCommand> {
  static override summary = 'List the change requests, newest first.'
  static override examples = ['<%= config.bin %> change list', '<%= config.bin %> change list --status open --json']
  static override flags = {status: Flags.string({description: 'Only changes in this status.', options: ['open', 'closed', 'withdrawn']})}

  async run(): Promise<ChangeList> {
    const result = await listChanges(await this.deps(), {status: this.flags.status as 'open' | undefined})
    if (result.changes.length === 0) this.log('No changes (raise one with flow change new --type normal).')
    for (const c of result.changes) {
      this.log(`${c.id.padEnd(7)} ${c.status.padEnd(9)} ${c.type.padEnd(9)} risk ${String(c.risk ?? '-').padEnd(5)} ${c.approvals}/${c.approvalsRequired} approvals  ${c.title}`)
    }
    return result
  }
}
