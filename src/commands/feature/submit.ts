import {Flags} from '@oclif/core'
import {FlowCommand, dryRunFlag} from '../../cli/flow-command.js'
import {submitFeature, type FeatureSubmitted} from '../../core/feature/submit-feature.js'

export default class FeatureSubmit extends FlowCommand<typeof FeatureSubmit> {
  static override summary = 'Push the current branch and open or update its pull request against the recorded parent.'
  static override description = `The title is the single commit's subject, or made from the branch name (--title to set it); it is checked
against the commit convention. The body is the pull request template with the list of commits added (an update
replaces only the list). Running it again updates the same pull request. --reviewer takes users, org/team, or
codeowners (the owners of the changed files in CODEOWNERS). With the local forge, a review request record is made.
When flow.yml has a preview environment (preview: true), the branch's preview is created (or updated) and its URL
put in the pull request body on one line that a re-submit replaces; a failed preview is a warning and is recorded,
the pull request opens anyway (--no-preview skips it).`

  static override examples = [
    '<%= config.bin %> feature submit',
    '<%= config.bin %> feature submit --draft --reviewer alice --reviewer octo/platform --label api',
    '<%= config.bin %> feature submit --reviewer codeowners --json',
    '<%= config.bin %> feature submit --no-preview',
  ]

  static override flags = {
    draft: Flags.boolean({description: 'Open the pull request as a draft (default: review.draft).'}),
    reviewer: Flags.string({description: 'A user, org/team or codeowners to request a review from (repeatable).', multiple: true}),
    label: Flags.string({description: 'A label to add (repeatable).', multiple: true}),
    assignee: Flags.string({description: 'A user to assign (repeatable).', multiple: true}),
    title: Flags.string({description: 'The pull request title (default: from the commits).'}),
    preview: Flags.boolean({description: 'Create or update the branch\'s preview environment when flow.yml has one (--no-preview: skip).', default: true, allowNo: true}),
    ...dryRunFlag,
  }

  async run(): Promise<FeatureSubmitted> {
    const f = this.flags
    const result = await submitFeature(await this.deps(), {
      draft: f.draft || undefined, reviewers: f.reviewer, labels: f.label, assignees: f.assignee, title: f.title, preview: f.preview, dryRun: f['dry-run'],
    })
    if (result.dryRun) {
      this.log(`Would submit ${result.branch} into ${result.base}: ${result.title}`)
      for (const step of result.steps ?? []) this.log(`  ${step.description}`)
    } else {
      this.log(`${result.created ? 'Opened' : 'Updated'} #${result.number} ${result.url ?? ''} (${result.branch} → ${result.base})`)
      if (result.preview && !result.preview.error) this.log(`Preview: ${result.preview.url ?? result.preview.environment}`)
    }
    return result
  }
}
