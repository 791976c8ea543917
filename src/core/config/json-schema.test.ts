import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {flowJsonSchema} from './json-schema.js'

const committed = join(import.meta.dirname, '..', '..', '..', 'flow.schema.json')

describe('flow.schema.json', () => {
  test('the committed file matches the schema (run npm run build and commit flow.schema.json when this fails)', () => {
    expect(readFileSync(committed, 'utf8')).toBe(`${JSON.stringify(flowJsonSchema(), null, 2)}\n`)
  })

  test('is useful for editors: closed objects, descriptions, enums and defaults', () => {
    const schema = flowJsonSchema() as any
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#')
    expect(schema.additionalProperties).toBe(false)
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['version', 'forge', 'branches', 'review', 'commits', 'gates', 'stages', 'hooks', 'ci', 'release', 'environments', 'incidents', 'changes', 'services', 'metrics', 'docs']))
    expect(schema.properties.review.additionalProperties).toBe(false)
    expect(schema.properties.review.properties.merge).toMatchObject({enum: ['squash', 'rebase', 'merge'], default: 'squash', description: expect.any(String)})
    const environment = schema.properties.environments.additionalProperties
    expect(environment.additionalProperties).toBe(false)
    expect(environment.properties.health.description).toMatch(/health check/i)
    const described = JSON.stringify(schema).match(/"description"/g) ?? []
    expect(described.length).toBeGreaterThan(100)
  })
})
