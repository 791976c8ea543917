import {FlowCommand} from '../../cli/flow-command.js'
import {flowJsonSchema} from '../../core/config/json-schema.js'

export default class ConfigSchema extends FlowCommand<typeof ConfigSchema> {
  static override summary = 'Print the JSON Schema of flow.yml (shipped as flow.schema.json for editors).'
  static override examples = ['<%= config.bin %> config schema > flow.schema.json']

  async run(): Promise<Record<string, unknown>> {
    const schema = flowJsonSchema()
    this.log(JSON.stringify(schema, null, 2))
    return schema
  }
}
