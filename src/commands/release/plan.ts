import {Flags} from '@oclif/core'
import {FlowCommand} from '../../cli/flow-command.js'
import {releasePlanReport, type ReleasePlanReport, type ReleasePlanResult} from '../../core/release/plan-release.js'

export default class ReleasePlan extends FlowCommand<typeof ReleasePlan> {
  static override summary = 'Show the next release: version, notes, files and steps (offline: no token, no network).'
  static override description = `Finds the last release tag (release.tag), reads the commits since in one git log, and works out the next
version from conventional commits: breaking → major, feat → minor, anything else → patch (in 0.x, breaking
changes and features bump the minor). A Flow-Change: major|minor|patch trailer raises a commit's bump.
Commits that follow no convention are listed as warnings, never dropped. With no releasable commit it says so
and exits 0 (--json: {release: null, reason}). In a monorepo (release.packages) it shows every package with
changes ({packages, unchanged}), or one with --package.`

  static override examples = ['<%= config.bin %> release plan', '<%= config.bin %> release plan --pre rc --json', '<%= config.bin %> release plan --package web']

  static override flags = {
    version: Flags.string({description: 'Release this version instead of the computed one.'}),
    pre: Flags.string({description: 'Cut a prerelease with this identifier (rc → 1.3.0-rc.1, then rc.2).'}),
    package: Flags.string({description: 'The monorepo package (release.packages) to plan.'}),
  }

  async run(): Promise<ReleasePlanReport> {
    const report = await releasePlanReport(await this.deps(), {version: this.flags.version, pre: this.flags.pre, package: this.flags.package})
    if ('release' in report) this.log(report.reason)
    else if ('packages' in report) {
      if (report.packages.length === 0) this.log('Nothing to release: no package has releasable commits')
      for (const p of report.packages) this.show(p)
      for (const u of report.unchanged) this.log(`${u.package}: ${u.reason}`)
    } else this.show(report)
    return report
  }

  private show(result: Omit<ReleasePlanResult, 'plan'>): void {
    this.log(`Next release${result.package ? ` of ${result.package}` : ''}: ${result.tag} (${result.reason})`)
    this.log(`Last release: ${result.lastTag ?? 'none'}; ${result.commits} commit(s) since on ${result.branch ?? 'a detached HEAD'}`)
    this.log('')
    this.log(result.markdown.trimEnd())
    this.log('')
    this.log('Files:')
    for (const f of result.files) this.log(`  ${f.path}: ${f.change}`)
    this.log('Steps of flow release cut:')
    result.steps.forEach((s, i) => this.log(`  ${i + 1}. ${s}`))
    for (const w of result.warnings) this.warn(w)
    this.log('')
  }
}
