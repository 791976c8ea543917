import {Args, Flags} from '@oclif/core'
import {FlowCommand} from '../../cli/flow-command.js'
import {approveFeature, type FeatureApproved} from '../../core/feature/approve-feature.js'

export default class FeatureApprove extends FlowCommand<typeof FeatureApprove> {
  static override summary = 'Approve a pull request (a review record on the local forge).'
  static override description = 'Records an approval by the git user (the local forge), or submits an approving review on GitHub. Without NUMBER, the pull request of the current branch.'
  static override examples = ['<%= config.bin %> feature approve 12', '<%= config.bin %> feature approve --body "Looks good" --json']
  static override args = {number: Args.integer({description: 'The pull request number (default: the current branch\'s).', min: 1})}
  static override flags = {body: Flags.string({description: 'A comment with the approval.'})}

  async run(): Promise<FeatureApproved> {
    const result = await approveFeature(await this.deps(), {number: this.args.number, body: this.flags.body})
    this.log(`Approved #${result.number} as ${result.review.author}.`)
    return result
  }
}
