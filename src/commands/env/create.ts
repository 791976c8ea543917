import {Args, Flags} from '@oclif/core'
import {FlowCommand, dryRunFlag} from '../../cli/flow-command.js'
import {FlowError} from '../../core/errors.js'
import {createPreview, type PreviewCreated} from '../../core/env/previews.js'

export default class EnvCreate extends FlowCommand<typeof EnvCreate> {
  static override summary = 'Create the preview environment of a branch (default: the current one) and deploy its head there.'
  static override description = `The environment of flow.yml marked preview: true is the template: its create command runs (with {branch},
{slug}, {number} and {url} as separate arguments, and FLOW_BRANCH, FLOW_SLUG, FLOW_PREVIEW_URL, FLOW_PR_NUMBER),
then the branch head is deployed with the same steps as any environment (deploy command, health checks, automatic
rollback, a deployment record for environment <template>-<slug>). The URL comes from the template's url pattern.
Run again to deploy the branch's new head to the same preview. A failure is recorded and exits 1.`

  static override examples = [
    '<%= config.bin %> env create --preview',
    '<%= config.bin %> env create --preview feature/login --json',
    '<%= config.bin %> env create --preview feature/login --from review --dry-run',
  ]

  static override args = {branch: Args.string({description: 'The branch (default: the current one).'})}
  static override flags = {
    preview: Flags.boolean({description: 'Create a preview environment (the only kind flow creates).', required: true}),
    from: Flags.string({description: 'The preview template (default: the environment with preview: true).'}),
    ...dryRunFlag,
  }

  async run(): Promise<PreviewCreated> {
    if (!this.flags.preview) throw new FlowError('USAGE', 'flow env create only creates previews', {hint: 'Pass --preview [BRANCH].'})
    const result = await createPreview(await this.deps(), {branch: this.args.branch, from: this.flags.from, dryRun: this.flags['dry-run']})
    if (result.status === 'dry-run') {
      this.log(`Would ${result.created ? 'create' : 'update'} the preview of ${result.branch} (${result.environment}):`)
      result.steps.forEach((s, i) => this.log(`  ${i + 1}. ${s.description}`))
    } else {
      this.log(`Preview of ${result.branch}${result.url ? `: ${result.url}` : ''} (${result.environment}${result.deployment ? `, ${result.deployment}` : ''})`)
    }
    return result
  }
}
