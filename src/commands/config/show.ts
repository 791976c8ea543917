import {FlowCommand} from '../../cli/flow-command.js'
import {showConfig, type ShownConfig} from '../../core/config/show-config.js'

export default class ConfigShow extends FlowCommand<typeof ConfigShow> {
  static override summary = 'Print the effective configuration, with every default filled in.'
  static override examples = ['<%= config.bin %> config show', '<%= config.bin %> config show --json']

  async run(): Promise<ShownConfig> {
    const shown = await showConfig(await this.deps())
    this.log(shown.yaml)
    return {file: shown.file, config: shown.config}
  }
}
