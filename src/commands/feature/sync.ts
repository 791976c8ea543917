import {Flags} from '@oclif/core'
import {FlowCommand, dryRunFlag} from '../../cli/flow-command.js'
import {syncFeature, type FeatureSynced} from '../../core/feature/sync-feature.js'

export default class FeatureSync extends FlowCommand<typeof FeatureSync> {
  static override summary = 'Bring the current branch (or the stack, or all flow branches) up to date with their parents.'
  static override description = `Rebases or merges (review.sync) each branch onto its recorded parent, parents first. A parent that was
squash-merged (its pull request merged, or its change already in the base) is skipped over with rebase --onto, so
its commits do not come back as conflicts. A conflict pauses the run (exit 8) with the files listed: resolve them,
then flow continue (git rebase --continue or git commit by hand first is fine). Branches whose pull request merged
or whose remote branch is gone are listed; --prune deletes them.`

  static override examples = ['<%= config.bin %> feature sync', '<%= config.bin %> feature sync --stack', '<%= config.bin %> feature sync --all --prune --json']

  static override flags = {
    all: Flags.boolean({description: 'Sync every flow branch.', exclusive: ['stack']}),
    stack: Flags.boolean({description: 'Sync the current branch, its flow parents and its children.'}),
    prune: Flags.boolean({description: 'Delete branches whose pull request merged or whose remote branch is gone.'}),
    ...dryRunFlag,
  }

  async run(): Promise<FeatureSynced> {
    const f = this.flags
    const result = await syncFeature(await this.deps(), {all: f.all, stack: f.stack, prune: f.prune, dryRun: f['dry-run']})
    for (const b of result.branches) this.log(`${result.dryRun ? 'Would sync' : 'Synced'} ${b.branch} with ${b.newParent ?? b.parent} (${b.how})`)
    if (result.branches.length === 0) this.log('Everything is up to date.')
    for (const p of result.prunable) this.log(`${result.pruned.includes(p.branch) ? 'Deleted' : 'Can be deleted (--prune)'}: ${p.branch}: ${p.reason}`)
    return result
  }
}
