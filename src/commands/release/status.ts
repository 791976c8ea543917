import {Flags} from '@oclif/core'
import {FlowCommand} from '../../cli/flow-command.js'
import {releaseStatus, type ReleaseStatusResult} from '../../core/release/release-status.js'

export default class ReleaseStatus extends FlowCommand<typeof ReleaseStatus> {
  static override summary = 'Explain a half-done release: the paused run, the tag here and on origin, the forge release.'
  static override description = 'Also says what flow continue would do next. Reads origin (ls-remote) and the forge.'
  static override examples = ['<%= config.bin %> release status', '<%= config.bin %> release status --json']

  static override flags = {
    package: Flags.string({description: 'The monorepo package (release.packages); default: the paused run\'s.'}),
  }

  async run(): Promise<ReleaseStatusResult> {
    const result = await releaseStatus(await this.deps(), {package: this.flags.package})
    this.log(result.summary)
    if (result.state) {
      const s = result.state
      this.log(`  tag here: ${s.tagLocal ? s.tagLocal.slice(0, 7) : 'missing'}; on origin: ${s.tagRemote === 'unknown' ? 'unknown' : s.tagRemote ? 'pushed' : 'missing'}; forge release: ${s.release}${s.url ? ` (${s.url})` : ''}`)
    }
    if (result.continueWould.length > 0) {
      this.log('flow continue would:')
      for (const step of result.continueWould) this.log(`  - ${step}`)
    }
    return result
  }
}
