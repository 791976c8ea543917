import {z} from 'zod'
import {FlowConfigSchema} from './schema.js'

/** The JSON Schema of flow.yml (draft-07, as editors expect), shipped as flow.schema.json. */
export function flowJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(FlowConfigSchema, {io: 'input', target: 'draft-7', unrepresentable: 'any'}) as Record<string, unknown>
  const {$schema, ...rest} = schema
  return {$schema, title: 'flow.yml', ...rest}
}
