import {Args, Flags} from '@oclif/core'
import {FlowCommand, dryRunFlag} from '../../cli/flow-command.js'
import {promoteEnvironment, type DeployResult} from '../../core/env/deploy.js'
import {logDeploy} from '../../core/env/show.js'

export default class EnvPromote extends FlowCommand<typeof EnvPromote> {
  static override summary = 'Deploy to TO exactly the sha that is live and healthy in FROM.'
  static override description = 'The same checks and steps as flow env deploy; refused (exit 6) when FROM has nothing live, its last health check failed, or it has not soaked for --min-soak.'
  static override examples = ['<%= config.bin %> env promote staging production --yes', '<%= config.bin %> env promote staging production --min-soak 30m --yes']

  static override args = {
    from: Args.string({required: true, description: 'The environment whose live sha is promoted.'}),
    to: Args.string({required: true, description: 'The environment to deploy it to.'}),
  }
  static override flags = {
    'min-soak': Flags.string({description: 'Minimum time the sha must have run in FROM, e.g. 30m.'}),
    'break-glass': Flags.string({description: 'Promote despite refusals; the reason is recorded and flagged.'}),
    ...dryRunFlag,
  }

  async run(): Promise<DeployResult> {
    const result = await promoteEnvironment(await this.deps(), {
      from: this.args.from, to: this.args.to, minSoak: this.flags['min-soak'], breakGlass: this.flags['break-glass'], dryRun: this.flags['dry-run'],
    })
    logDeploy(this, result)
    return result
  }
}
