import {Args, Flags} from '@oclif/core'
import {FlowCommand} from '../../cli/flow-command.js'
import type {ChangeEvidence} from '../../core/changes/evidence.js'
import {changeEvidence} from '../../core/changes/read-changes.js'

export default class ChangeEvidenceCommand extends FlowCommand<typeof ChangeEvidenceCommand> {
  static override summary = 'Print the audit bundle of a change: who asked, risk and reasons, approvals with times, gates, deployments, closing code.'
  static override examples = ['<%= config.bin %> change evidence CHG-3 > CHG-3.md', '<%= config.bin %> change evidence CHG-3 --format json']
  static override args = {id: Args.string({description: 'The change id, e.g. CHG-3.', required: true})}
  static override flags = {format: Flags.string({description: 'md (default) or json (--json gives json too).', options: ['md', 'json'], default: 'md'})}

  async run(): Promise<ChangeEvidence> {
    const {evidence, markdown} = await changeEvidence(await this.deps(), {id: this.args.id})
    if (this.flags.format === 'json' && !this.jsonEnabled()) this.logJson(evidence)
    else this.log(markdown.trimEnd())
    return evidence
  }
}
