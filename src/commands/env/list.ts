import {FlowCommand} from '../../cli/flow-command.js'
import {listPreviews, type PreviewListed} from '../../core/env/previews.js'
import {showEnvironments, showPreviews} from '../../core/env/show.js'
import {environmentStatus, type EnvStatus} from '../../core/env/status.js'

export default class EnvList extends FlowCommand<typeof EnvList> {
  static override summary = 'List the environments (what runs where, health, lock, freeze, commits waiting) and the preview environments with their age.'
  static override examples = ['<%= config.bin %> env list', '<%= config.bin %> env list --json']

  async run(): Promise<{environments: EnvStatus[]; previews: PreviewListed[]}> {
    const deps = await this.deps()
    const {environments} = await environmentStatus(deps)
    const previews = await listPreviews(deps)
    showEnvironments(this, environments)
    showPreviews(this, previews)
    return {environments, previews}
  }
}
