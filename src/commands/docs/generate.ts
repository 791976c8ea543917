import {Flags} from '@oclif/core'
import {FlowCommand, dryRunFlag} from '../../cli/flow-command.js'
import type {DocsGenerated} from '../../core/docs/generate-docs.js'

export default class DocsGenerate extends FlowCommand<typeof DocsGenerate> {
  static override summary = 'Write the team\'s process document from flow.yml (docs.output, default docs/PROCESS.md).'
  static override description = `Follows the process document outline (feature development, source control, build and test, deployment,
incident response, change management, security and compliance, automation and self-service). Each statement names
the flow.yml keys it comes from and whether flow enforces the step or it stays manual; where flow.yml is silent the
document says so. The output is deterministic: --check exits 1 (DOCS_DRIFT) when the committed file is out of date.`

  static override examples = ['<%= config.bin %> docs generate', '<%= config.bin %> docs generate --out PROCESS.md', '<%= config.bin %> docs generate --check', '<%= config.bin %> docs generate --metrics']

  static override flags = {
    out: Flags.string({description: 'Where to write, relative to the repository root (default: flow.yml docs.output).'}),
    check: Flags.boolean({description: 'Write nothing; exit 1 when the file is not what flow.yml generates.'}),
    metrics: Flags.boolean({description: 'Include the current DORA figures (the document then changes as the figures do).'}),
    ...dryRunFlag,
  }

  async run(): Promise<DocsGenerated> {
    const {generateDocs} = await import('../../core/docs/generate-docs.js')
    const result = await generateDocs(await this.deps(), {out: this.flags.out, check: this.flags.check, dryRun: this.flags['dry-run'], metrics: this.flags.metrics})
    const what = {written: 'written', unchanged: 'already up to date', 'up-to-date': 'up to date', 'dry-run': 'would be written'}[result.status]
    this.log(`${result.path} ${what} (${result.sections} sections)`)
    for (const step of result.steps ?? []) this.log(`  ${step.description}`)
    return result
  }
}
