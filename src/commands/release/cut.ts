import {Flags} from '@oclif/core'
import {FlowCommand, dryRunFlag} from '../../cli/flow-command.js'
import {cutRelease, type CutReleaseResult} from '../../core/release/cut-release.js'
import type {NoRelease} from '../../core/release/plan-release.js'

export default class ReleaseCut extends FlowCommand<typeof ReleaseCut> {
  static override summary = 'Cut a release: changelog and version files, commit, annotated tag, push, forge release (draft, then published).'
  static override description = `Every step checks the real state first (the tag at the release commit, a release for the tag), so after a
failure or a kill flow continue finishes the release exactly once, and flow undo before publication removes the
tag (here and on origin), the release commit and the draft release. A dirty work tree or a branch that does not
cut releases is refused up front. Without a TTY, --yes is required. With no releasable commit it does nothing
and exits 0 (--json: {release: null, reason}). In a monorepo (release.packages), --package names the one
package cut per run: its files, commit, tag NAME@VERSION (its pattern), push and forge release.`

  static override examples = ['<%= config.bin %> release cut --yes', '<%= config.bin %> release cut --pre rc --yes', '<%= config.bin %> release cut --version 2.0.0 --dry-run', '<%= config.bin %> release cut --package web --yes']

  static override flags = {
    version: Flags.string({description: 'Release this version instead of the computed one.'}),
    pre: Flags.string({description: 'Cut a prerelease with this identifier (rc → 1.3.0-rc.1, then rc.2).'}),
    package: Flags.string({description: 'The monorepo package (release.packages) to cut.'}),
    ...dryRunFlag,
  }

  async run(): Promise<CutReleaseResult | NoRelease> {
    const cut = await cutRelease(await this.deps(), {version: this.flags.version, pre: this.flags.pre, package: this.flags.package, dryRun: this.flags['dry-run']})
    if ('release' in cut) {
      this.log(cut.reason)
      return cut
    }
    const {plan, ...result} = cut
    for (const w of result.warnings) this.warn(w)
    if (result.status === 'dry-run') {
      this.log(`Would cut ${result.tag} (${plan.reason}):`)
      result.steps.forEach((s, i) => this.log(`  ${i + 1}. ${s.description}`))
    } else {
      this.log(`Released ${result.tag}${result.url ? `: ${result.url}` : ''}`)
    }
    return result
  }
}
