import {Args, Flags} from '@oclif/core'
import {FlowCommand, dryRunFlag} from '../../cli/flow-command.js'
import {deployEnvironment, type DeployResult} from '../../core/env/deploy.js'
import {logDeploy} from '../../core/env/show.js'

export default class EnvDeploy extends FlowCommand<typeof EnvDeploy> {
  static override summary = 'Deploy a ref to an environment: policy checks, the deploy command, health checks, automatic rollback.'
  static override description = `Before anything runs, flow checks freeze windows, the environment lock, required approvals and the promotion
order (after:) and the error budget of the services with an SLO (services.<name>.slo), and runs the deploy gate
stage; any refusal exits 6 listing every reason (a spent budget says until when), unless --break-glass
"reason", which goes ahead and records the reason and what it overrode. The deploy command gets FLOW_ENV,
FLOW_SHA, FLOW_PREVIOUS_SHA and FLOW_VERSION, and {sha}, {ref}, {environment}, {previous_sha}, {version} as
separate arguments. A failed check rolls back automatically (the rollback command, or a redeploy of the previous
sha), verifies the rollback, records both and exits 1. Strategies: rolling (in batches with {rolling: {batch, pause}}:
the deploy command once per batch with {batch} {batches} / FLOW_BATCH FLOW_BATCHES, checked after each), blue-green, canary.`

  static override examples = [
    '<%= config.bin %> env deploy staging --yes',
    '<%= config.bin %> env deploy production --ref v1.4.0 --yes',
    '<%= config.bin %> env deploy production --break-glass "hotfix for INC-7" --yes',
    '<%= config.bin %> env deploy staging --dry-run',
  ]

  static override args = {environment: Args.string({required: true, description: 'The environment (flow.yml environments).'})}
  static override flags = {
    ref: Flags.string({description: 'Branch, tag or sha to deploy (default: HEAD).'}),
    'break-glass': Flags.string({description: 'Deploy despite refusals (freeze, lock, approvals, order); the reason is recorded and flagged.'}),
    ...dryRunFlag,
  }

  async run(): Promise<DeployResult> {
    const result = await deployEnvironment(await this.deps(), {
      environment: this.args.environment, ref: this.flags.ref, breakGlass: this.flags['break-glass'], dryRun: this.flags['dry-run'],
    })
    logDeploy(this, result)
    return result
  }
}
