import {Flags} from '@oclif/core'
import {FlowCommand, dryRunFlag} from '../../cli/flow-command.js'
import {destroyPreview, type PreviewsDestroyed} from '../../core/env/previews.js'

export default class EnvDestroy extends FlowCommand<typeof EnvDestroy> {
  static override summary = 'Destroy the preview environment of a branch (default: the current one).'
  static override description = 'Runs the template\'s destroy command and records it. A failed destroy is recorded (exit 1) and retried by the next flow env prune: a preview is never forgotten.'
  static override examples = ['<%= config.bin %> env destroy', '<%= config.bin %> env destroy --preview feature/login --json']

  static override flags = {
    preview: Flags.string({description: 'The branch whose preview is destroyed (default: the current branch).'}),
    ...dryRunFlag,
  }

  async run(): Promise<PreviewsDestroyed> {
    const result = await destroyPreview(await this.deps(), {branch: this.flags.preview, dryRun: this.flags['dry-run']})
    if (result.status === 'dry-run') for (const s of result.steps) this.log(`Would: ${s.description}`)
    for (const b of result.destroyed) this.log(`Destroyed the preview of ${b}`)
    return result
  }
}
