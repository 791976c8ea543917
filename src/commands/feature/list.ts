import {FlowCommand} from '../../cli/flow-command.js'
import {listFeatures, type FeatureList as Listed} from '../../core/feature/list-features.js'

export default class FeatureList extends FlowCommand<typeof FeatureList> {
  static override summary = 'List the flow branches with their parent, pull request, ahead/behind counts and last gate run.'
  static override description = 'Every local branch with a recorded parent (git config branch.<name>.flow-parent). Ahead/behind compare the branch with its parent (or the parent\'s remote copy when that is newer).'
  static override examples = ['<%= config.bin %> feature list', '<%= config.bin %> feature list --json']

  async run(): Promise<Listed> {
    const result = await listFeatures(await this.deps())
    if (result.branches.length === 0) this.log('No flow branches (start one with flow feature start NAME).')
    for (const b of result.branches) {
      const pr = b.pullRequest ? `#${b.pullRequest.number} ${b.pullRequest.state}${b.pullRequest.draft ? ' (draft)' : ''}` : 'no pull request'
      const gates = !b.gates ? 'gates not run' : `gates ${b.gates.ok ? 'green' : `red (${b.gates.failed.join(', ')})`}${b.gates.current ? '' : ' before the last commit'}`
      this.log(`${b.current ? '*' : ' '} ${b.branch}  ← ${b.parent}  +${b.ahead}/-${b.behind}  ${pr}  ${gates}`)
    }
    return result
  }
}
