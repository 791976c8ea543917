import {Args, Flags} from '@oclif/core'
import {FlowCommand, dryRunFlag} from '../../cli/flow-command.js'
import {approveDeployment, type EnvNoteResult} from '../../core/env/lock.js'

export default class EnvApprove extends FlowCommand<typeof EnvApprove> {
  static override summary = 'Approve deploying a sha to an environment that needs approvals (environments.<env>.approvals).'
  static override description = 'Approvals are per sha and per person (git user.email); your own approval does not count for your own deployment. With reviewers set, only they may approve.'
  static override examples = ['<%= config.bin %> env approve production --ref v1.4.0']

  static override args = {environment: Args.string({required: true, description: 'The environment.'})}
  static override flags = {ref: Flags.string({description: 'What is approved (default: HEAD).'}), ...dryRunFlag}

  async run(): Promise<EnvNoteResult> {
    const result = await approveDeployment(await this.deps(), {environment: this.args.environment, ref: this.flags.ref, dryRun: this.flags['dry-run']})
    const a = result.approvals!
    this.log(`${result.changed ? 'Approved' : 'Already approved'} ${result.sha?.slice(0, 7)} for ${result.environment} (${a.have} of ${a.need})`)
    return result
  }
}
