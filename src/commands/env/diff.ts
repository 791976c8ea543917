import {Args} from '@oclif/core'
import {FlowCommand} from '../../cli/flow-command.js'
import {environmentDiff} from '../../core/env/status.js'

export default class EnvDiff extends FlowCommand<typeof EnvDiff> {
  static override summary = 'The commits and pull requests live in B that are not live in A.'
  static override examples = ['<%= config.bin %> env diff production staging', '<%= config.bin %> env diff production staging --json']

  static override args = {
    a: Args.string({required: true, description: 'The environment behind (e.g. production).'}),
    b: Args.string({required: true, description: 'The environment ahead (e.g. staging).'}),
  }

  async run(): Promise<Awaited<ReturnType<typeof environmentDiff>>> {
    const result = await environmentDiff(await this.deps(), this.args.a, this.args.b)
    this.log(`${result.commits.length} commit(s) in ${result.to.environment} not in ${result.from.environment}${result.pullRequests.length > 0 ? ` (pull requests ${result.pullRequests.map((n) => `#${n}`).join(', ')})` : ''}`)
    for (const c of result.commits) this.log(`  ${c.sha.slice(0, 7)} ${c.subject}`)
    return result
  }
}
