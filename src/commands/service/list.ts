import {FlowCommand} from '../../cli/flow-command.js'
import type {ServiceList} from '../../core/services/catalog.js'

export default class ServiceListCommand extends FlowCommand<typeof ServiceListCommand> {
  static override summary = 'The services of this repository: flow.yml services and Backstage catalog-info.yaml components.'
  static override description = 'Owners from flow.yml (else the catalog\'s spec.owner) and from CODEOWNERS for the service\'s paths; environments, the latest deployment and open incidents from the records.'
  static override examples = ['<%= config.bin %> service list', '<%= config.bin %> service list --json']

  async run(): Promise<ServiceList> {
    const {listServices} = await import('../../core/services/catalog.js')
    const result = await listServices(await this.deps())
    if (result.services.length === 0) this.log('No services: add them under services in flow.yml, or a catalog-info.yaml (kind: Component).')
    for (const s of result.services) {
      const last = s.recentDeployments[0]
      this.log(`${s.name}  owner ${s.owner ?? '–'}${s.codeowners.length > 0 ? ` (CODEOWNERS: ${s.codeowners.join(', ')})` : ''}  environments ${s.environments.join(', ') || '–'}  last deployment ${last ? `${last.id} ${last.environment} ${last.outcome} ${last.at.slice(0, 16).replace('T', ' ')}` : '–'}  open incidents ${s.openIncidents.length}`)
    }
    return result
  }
}
