import {Flags} from '@oclif/core'
import {dryRunFlag, FlowCommand} from '../cli/flow-command.js'
import {initConfig, TEMPLATES, type InitResult} from '../core/init/init-config.js'

export default class Init extends FlowCommand<typeof Init> {
  static override summary = 'Write flow.yml at the repository root from a starter template.'
  static override description = 'Detects the default branch, the origin remote and its forge, and the package.json scripts (lint, test, typecheck, build) to prefill gates and stages. Without a terminal, pass --template (or --yes for trunk).'
  static override examples = ['<%= config.bin %> init', '<%= config.bin %> init --template github-flow --yes', '<%= config.bin %> init --template trunk --dry-run']
  static override flags = {
    template: Flags.string({description: 'Starter to use.', options: [...TEMPLATES]}),
    force: Flags.boolean({description: 'Replace an existing flow.yml.'}),
    ...dryRunFlag,
  }

  async run(): Promise<InitResult> {
    const result = await initConfig(await this.deps(), {template: this.flags.template as InitResult['template'] | undefined, force: this.flags.force, dryRun: this.flags['dry-run']})
    if (result.dryRun) {
      this.log(result.content.trimEnd())
      this.progress(`Dry run: would write ${result.path} (${result.template}); nothing written.`)
    } else {
      this.log(`Wrote ${result.path} (${result.template}; gates: ${result.gates.join(', ')}).`)
      this.log('Next: flow config validate, then flow doctor.')
    }
    return result
  }
}
