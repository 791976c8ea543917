import {Args, Flags} from '@oclif/core'
import {FlowCommand, dryRunFlag} from '../../cli/flow-command.js'
import type {FeatureStarted} from '../../core/feature/start-feature.js'
import {featureStartBody} from '../../cli/feature-start-body.js'

export default class FeatureStart extends FlowCommand<typeof FeatureStart> {
  static override summary = 'Create a feature (or hotfix) branch from an up-to-date base and record its parent.'
  static override description = `The branch name comes from branches.feature (or branches.hotfix) in flow.yml: {slug} from NAME, {issue} from --issue,
{user} from git user.name, {date} as YYYY-MM-DD. The base is --base, else the current branch with --stack, else the
strategy's integration branch (main; develop for git-flow). Hotfixes start from the latest release tag, or main.
The base is fetched first (offline: the local copy). The parent is recorded in git config branch.<name>.flow-parent.
A dirty work tree is refused unless --stash, which carries the changes onto the new branch. flow undo goes back.`

  static override examples = [
    '<%= config.bin %> feature start login-form',
    '<%= config.bin %> feature start "Login form" --issue 42 --stash',
    '<%= config.bin %> feature start api-retry --stack',
    '<%= config.bin %> feature start broken-login --type hotfix --dry-run',
  ]

  static override args = {name: Args.string({required: true, description: 'Short name, e.g. login-form.'})}

  static override flags = {
    base: Flags.string({description: 'Branch to start from (default: from the strategy in flow.yml).'}),
    stack: Flags.boolean({description: 'Start from the current branch (a stacked branch).', exclusive: ['base']}),
    issue: Flags.string({description: 'Issue number or key, for {issue} in the branch template.'}),
    type: Flags.string({description: 'Kind of branch.', options: ['feature', 'hotfix'], default: 'feature'}),
    stash: Flags.boolean({description: 'Stash uncommitted changes and restore them on the new branch.'}),
    ...dryRunFlag,
  }

  async run(): Promise<FeatureStarted> {
    const {name} = this.args
    const f = this.flags
    // The same body runs in the fast lane (src/cli/fast-lane.ts) for the common forms of this command line.
    return featureStartBody(await this.deps(), {
      name, base: f.base, stack: f.stack, issue: f.issue, type: f.type as 'feature' | 'hotfix', stash: f.stash, dryRun: f['dry-run'],
    }, {log: (line) => this.log(line)})
  }
}
