import {FlowCommand, dryRunFlag} from '../../cli/flow-command.js'
import {finishFeature, type FeatureFinished} from '../../core/feature/finish-feature.js'

export default class FeatureFinish extends FlowCommand<typeof FeatureFinish> {
  static override summary = 'Merge the current branch\'s approved pull request, delete the branch and update the base.'
  static override description = `Refuses (exit 6) without the approvals review.approvals asks for. Merges by review.merge: on GitHub
through the merge API, only at the head the checks saw; with the local forge, here (no checkout) and pushed.
The squash message is the title plus Flow-Change and Flow-Pull-Request trailers. Then the local and remote branch
are deleted, the local base updated, and child branches moved onto the base. The branch's preview environment, if it
has one, is destroyed last; a failed destroy is recorded for flow env prune and the finish still completes.
A merged pull request cannot be undone.`

  static override examples = ['<%= config.bin %> feature finish', '<%= config.bin %> feature finish --dry-run', '<%= config.bin %> feature finish --yes --json']

  static override flags = {...dryRunFlag}

  async run(): Promise<FeatureFinished> {
    const result = await finishFeature(await this.deps(), {dryRun: this.flags['dry-run']})
    if (result.dryRun) {
      this.log(`Would finish #${result.number} (${result.branch} → ${result.base}, ${result.method}):`)
      for (const step of result.steps ?? []) this.log(`  ${step.description}`)
    } else {
      this.log(`Merged #${result.number} into ${result.base} (${result.method}, Flow-Change: ${result.change}); on ${result.base}.`)
    }
    return result
  }
}
