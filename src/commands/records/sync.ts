import {Flags} from '@oclif/core'
import {FlowCommand, dryRunFlag} from '../../cli/flow-command.js'
import {syncRecords, type RecordsSyncResult} from '../../core/records/sync.js'

export default class RecordsSync extends FlowCommand<typeof RecordsSync> {
  static override summary = 'Fetch, merge and push the flow/records branch through a git remote.'
  static override description = `Records (incidents, changes, deployments, reviews) are append-only event files on the flow/records branch.
Sync fetches the remote's branch, merges it (event files never conflict) and pushes the result,
fetching and merging again when someone else pushed in between.`

  static override examples = [
    '<%= config.bin %> records sync',
    '<%= config.bin %> records sync --remote upstream --json',
    '<%= config.bin %> records sync --dry-run',
  ]

  static override flags = {
    remote: Flags.string({description: 'The git remote to sync with.', default: 'origin'}),
    ...dryRunFlag,
  }

  async run(): Promise<RecordsSyncResult> {
    const result = await syncRecords(await this.deps(), {remote: this.flags.remote, dryRun: this.flags['dry-run']})
    if (result.dryRun) {
      this.log(`Would sync flow/records with ${result.remote}:`)
      for (const step of result.steps ?? []) this.log(`  ${step.description}`)
    } else {
      const what = [result.fetched ? 'fetched' : 'nothing on the remote yet', result.merged ? 'merged' : undefined, result.pushed ? 'pushed' : 'nothing to push']
      this.log(`flow/records synced with ${result.remote}: ${what.filter(Boolean).join(', ')}; ${result.events.added} events added, ${result.events.total} in all.`)
    }
    return result
  }
}
