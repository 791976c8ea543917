import {Args, Flags} from '@oclif/core'
import {FlowCommand, dryRunFlag} from '../../cli/flow-command.js'
import {rollbackEnvironment, type DeployResult} from '../../core/env/deploy.js'
import {logDeploy} from '../../core/env/show.js'

export default class EnvRollback extends FlowCommand<typeof EnvRollback> {
  static override summary = 'Roll an environment back to an earlier sha (default: the previous successful deployment).'
  static override description = 'Runs the rollback command (or the deploy command with the earlier sha) and verifies it; recorded as a rollback of the live deployment. Only a lock refuses a rollback.'
  static override examples = ['<%= config.bin %> env rollback production --yes', '<%= config.bin %> env rollback staging --to 1a2b3c4 --yes']

  static override args = {environment: Args.string({required: true, description: 'The environment.'})}
  static override flags = {
    to: Flags.string({description: 'The sha, tag or branch to go back to.'}),
    'break-glass': Flags.string({description: 'Roll back despite a lock; the reason is recorded and flagged.'}),
    ...dryRunFlag,
  }

  async run(): Promise<DeployResult> {
    const result = await rollbackEnvironment(await this.deps(), {environment: this.args.environment, to: this.flags.to, breakGlass: this.flags['break-glass'], dryRun: this.flags['dry-run']})
    logDeploy(this, result)
    return result
  }
}
