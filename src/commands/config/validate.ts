import {Flags} from '@oclif/core'
import {FlowCommand} from '../../cli/flow-command.js'
import {ExitCode} from '../../core/errors.js'
import {formatProblem} from '../../core/config/problems.js'
import {validateConfig, type ValidationReport} from '../../core/config/validate-config.js'

export default class ConfigValidate extends FlowCommand<typeof ConfigValidate> {
  static override summary = 'Check flow.yml and report every problem at once.'
  static override description = 'Each problem names the file, line and column, the setting, what was expected and what was found. Exits 3 when the file is invalid.'
  static override examples = ['<%= config.bin %> config validate', '<%= config.bin %> config validate --file ci/flow.yml --json']
  static override flags = {
    file: Flags.string({description: 'File to check (default: flow.yml found from the current directory up to the repository root).'}),
  }

  async run(): Promise<ValidationReport> {
    const report = await validateConfig(await this.deps(), {file: this.flags.file})
    if (report.valid) {
      this.log(`${report.file} is valid.`)
      return report
    }
    if (this.jsonEnabled()) this.logJson(report)
    for (const problem of report.problems) this.log(formatProblem(problem))
    this.progress(`${report.problems.length} problem${report.problems.length === 1 ? '' : 's'} in ${report.file}`)
    return this.exit(ExitCode.config)
  }
}
