import {Flags} from '@oclif/core'
import {FlowCommand, dryRunFlag} from '../../cli/flow-command.js'
import {generateCi, type CiGenerated} from '../../core/ci/generate-ci.js'

export default class CiGenerate extends FlowCommand<typeof CiGenerate> {
  static override summary = 'Write the GitHub Actions workflow that runs a stage\'s gates (ci.path, default .github/workflows/flow.yml).'
  static override description = `One job per gate, with needs mirroring the gates' needs (or one job with --single-job). Each job checks out
the full history, sets up Node (ci.node) with the npm cache, runs npm ci and flow gates run --only GATE.
The output is deterministic: --check exits 1 (CI_DRIFT) when the committed file differs, so CI catches drift.`

  static override examples = [
    '<%= config.bin %> ci generate',
    '<%= config.bin %> ci generate --single-job --stage pre-push',
    '<%= config.bin %> ci generate --check',
  ]

  static override flags = {
    stage: Flags.string({description: 'The stage whose gates the workflow runs.', default: 'submit'}),
    'single-job': Flags.boolean({description: 'One job running the whole stage.'}),
    check: Flags.boolean({description: 'Write nothing; exit 1 when the file is not what flow.yml generates.'}),
    ...dryRunFlag,
  }

  async run(): Promise<CiGenerated> {
    const result = await generateCi(await this.deps(), {stage: this.flags.stage, singleJob: this.flags['single-job'], check: this.flags.check, dryRun: this.flags['dry-run']})
    const what = {written: 'written', unchanged: 'already up to date', 'up-to-date': 'up to date', 'dry-run': 'would be written'}[result.status]
    this.log(`${result.path} ${what} (stage ${result.stage}: ${result.jobs.join(', ')})`)
    for (const step of result.steps ?? []) this.log(`  ${step.description}`)
    return result
  }
}
