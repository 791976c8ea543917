import {Args, Flags} from '@oclif/core'
import {FlowCommand, dryRunFlag} from '../../cli/flow-command.js'
import {implementChange, type ChangeImplemented} from '../../core/changes/implement-change.js'
import {logDeploy} from '../../core/env/show.js'

export default class ChangeImplement extends FlowCommand<typeof ChangeImplement> {
  static override summary = "Run a change's deployment under the change: refused (exit 6, every reason) unless it is approved and the environment allows it."
  static override description = `Deploys the change's branch (or its pull request's head, or its deployment's sha) to its environment, the way
flow env deploy does (health checks, automatic rollback). Before anything runs, the change must be ready (what flow
change check asks: approvals, no rejection, submit gates, planned window, no conflict) and the environment's policy
must allow it (freeze windows including changes.freeze, lock, approvals, promotion order); otherwise it exits 6
listing every reason. --break-glass "reason" goes ahead anyway: the reason and what it overrode are recorded on the
change (flagged for review after, shown by flow change evidence) and on the deployment. The deployment carries the
change id, so flow change evidence lists it with its outcome. Confirm with --yes when flow cannot prompt.`

  static override examples = [
    '<%= config.bin %> change implement CHG-3 --yes',
    '<%= config.bin %> change implement CHG-3 --dry-run',
    '<%= config.bin %> change implement CHG-4 --break-glass "outage fix during the freeze" --yes --json',
    '<%= config.bin %> change implement CHG-5 --env staging --yes',
  ]

  static override args = {id: Args.string({description: 'The change id, e.g. CHG-3.', required: true})}
  static override flags = {
    env: Flags.string({description: 'The environment to deploy, when the change names several.'}),
    'break-glass': Flags.string({description: 'Go ahead despite refusals; the reason is recorded on the change and the deployment and flagged for review.'}),
    ...dryRunFlag,
  }

  async run(): Promise<ChangeImplemented> {
    const result = await implementChange(await this.deps(), {id: this.args.id, environment: this.flags.env, breakGlass: this.flags['break-glass'], dryRun: this.flags['dry-run']})
    if (result.changeRefusals.length > 0 && result.breakGlass) this.log(`${result.id}: break-glass over: ${result.changeRefusals.map((r) => r.message).join('; ')}`)
    logDeploy(this, result)
    return result
  }
}
