import {Flags} from '@oclif/core'
import {FlowCommand} from '../../cli/flow-command.js'
import {releaseNotes, type ReleaseNotesResult} from '../../core/release/release-notes.js'

export default class ReleaseNotes extends FlowCommand<typeof ReleaseNotes> {
  static override summary = 'Print release notes for a range, or with --all the changelog of every release.'
  static override description = `Keep a Changelog style, grouped by the sections of release.notes.sections, with compare links when origin is on
GitHub. Without --from, the range starts at the last release tag before --to (default HEAD). --all reads the whole
history in one git log and splits it at the release tags. In a monorepo, --package NAME is required.`

  static override examples = [
    '<%= config.bin %> release notes',
    '<%= config.bin %> release notes --from v1.2.0 --to v1.3.0',
    '<%= config.bin %> release notes --all > CHANGELOG.md',
    '<%= config.bin %> release notes --format json',
    '<%= config.bin %> release notes --package web',
  ]

  static override flags = {
    from: Flags.string({description: 'Start after this ref (default: the last release tag).'}),
    to: Flags.string({description: 'End at this ref.', default: 'HEAD'}),
    all: Flags.boolean({description: 'Every release in the history.'}),
    package: Flags.string({description: 'The monorepo package (release.packages): its tags, and the commits touching its path.'}),
    format: Flags.string({description: 'Output format.', options: ['md', 'json'], default: 'md'}),
  }

  async run(): Promise<Omit<ReleaseNotesResult, 'markdown'>> {
    const entries = this.jsonEnabled() || this.flags.format === 'json'
    const {markdown, ...result} = await releaseNotes(await this.deps(), {from: this.flags.from, to: this.flags.to, all: this.flags.all, entries, package: this.flags.package})
    if (this.flags.format === 'json' && !this.jsonEnabled()) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
    else if (!this.jsonEnabled()) process.stdout.write(markdown)
    if (result.accounted !== result.commits) this.warn(`${result.commits - result.accounted} commit(s) were not assigned to a release`)
    return result
  }
}
