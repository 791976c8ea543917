import {Flags} from '@oclif/core'
import {FlowCommand, dryRunFlag} from '../../cli/flow-command.js'
import {prunePreviews, type PreviewsDestroyed} from '../../core/env/previews.js'

export default class EnvPrune extends FlowCommand<typeof EnvPrune> {
  static override summary = 'Destroy stale preview environments, and retry every destroy that failed before.'
  static override description = 'A preview is stale when it was not created or deployed for --older-than (default: its template\'s ttl in flow.yml). Previews whose destroy failed earlier are always retried. Exits 1 when a destroy fails again (recorded; the next prune retries it).'
  static override examples = ['<%= config.bin %> env prune', '<%= config.bin %> env prune --older-than 7d', '<%= config.bin %> env prune --older-than 12h --dry-run --json']

  static override flags = {
    'older-than': Flags.string({description: 'Destroy previews idle for this long (e.g. 7d; default: the template\'s ttl).'}),
    ...dryRunFlag,
  }

  async run(): Promise<PreviewsDestroyed> {
    const result = await prunePreviews(await this.deps(), {olderThan: this.flags['older-than'], dryRun: this.flags['dry-run']})
    if (result.status === 'dry-run') for (const s of result.steps) this.log(`Would: ${s.description}`)
    for (const b of result.destroyed) this.log(`Destroyed the preview of ${b}`)
    if (result.steps.length === 0) this.log('No stale preview.')
    return result
  }
}
