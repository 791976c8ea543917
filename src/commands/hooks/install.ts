import {Flags} from '@oclif/core'
import {FlowCommand, dryRunFlag} from '../../cli/flow-command.js'
import {installHooks, type HooksResult} from '../../core/hooks/install-hooks.js'

export default class HooksInstall extends FlowCommand<typeof HooksInstall> {
  static override summary = 'Install git hooks that run the stage of the same name (hooks.install in flow.yml).'
  static override description = `Each hook runs flow gates run HOOK (commit-msg checks the message being written). The hooks directory is
git's own (core.hooksPath honoured). A hook that is already there is kept: renamed to HOOK.local and run first,
its exit status respected; flow hooks uninstall puts it back. With husky or lefthook in charge of the hooks,
flow installs nothing and says what to add to their configuration instead.`

  static override examples = ['<%= config.bin %> hooks install', '<%= config.bin %> hooks install --hook pre-push --dry-run']

  static override flags = {
    hook: Flags.string({description: 'Install only this hook (repeatable; default: hooks.install).', multiple: true, options: ['pre-commit', 'prepare-commit-msg', 'commit-msg', 'post-commit', 'pre-push', 'post-checkout', 'post-merge', 'pre-rebase']}),
    ...dryRunFlag,
  }

  async run(): Promise<HooksResult> {
    const result = await installHooks(await this.deps(), {hooks: this.flags.hook, dryRun: this.flags['dry-run']})
    if (result.dryRun) {
      this.log(`Would change ${result.dir}:`)
      for (const step of result.steps ?? []) this.log(`  ${step.description}`)
      return result
    }
    for (const h of result.hooks) this.log(`${h.hook}: ${h.action}${h.chained ? ` (runs ${h.chained} first)` : ''}`)
    this.log(`Hooks in ${result.dir}.`)
    return result
  }
}
