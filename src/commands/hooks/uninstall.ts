import {Flags} from '@oclif/core'
import {FlowCommand, dryRunFlag} from '../../cli/flow-command.js'
import {uninstallHooks, type HooksResult} from '../../core/hooks/install-hooks.js'

export default class HooksUninstall extends FlowCommand<typeof HooksUninstall> {
  static override summary = "Remove flow's git hooks and put back the hooks they chained to."
  static override description = 'Only hooks flow wrote (they contain the text "flow hooks") are removed; HOOK.local files are renamed back to HOOK.'
  static override examples = ['<%= config.bin %> hooks uninstall', '<%= config.bin %> hooks uninstall --json']

  static override flags = {
    hook: Flags.string({description: 'Remove only this hook (repeatable; default: every flow hook).', multiple: true}),
    ...dryRunFlag,
  }

  async run(): Promise<HooksResult> {
    const result = await uninstallHooks(await this.deps(), {hooks: this.flags.hook, dryRun: this.flags['dry-run']})
    if (result.dryRun) {
      this.log(`Would change ${result.dir}:`)
      for (const step of result.steps ?? []) this.log(`  ${step.description}`)
      return result
    }
    if (result.hooks.length === 0) this.log('No flow hooks to remove.')
    for (const h of result.hooks) this.log(`${h.hook}: ${h.action}${h.restored ? ` (${h.restored} restored)` : ''}`)
    return result
  }
}
