import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {parse} from 'yaml'
import {breakingChanges, child, deref} from './openapi-diff.js'

const BASE = parse(readFileSync(join(import.meta.dirname, 'testdata', 'petstore.yaml'), 'utf8'))

/** The petstore fixture with one edit: each test's head document. */
function head(edit: (doc: any) => void): any {
  const doc = structuredClone(BASE)
  edit(doc)
  return doc
}

const changes = (edit: (doc: any) => void) => breakingChanges(BASE, head(edit)).map((c) => [c.kind, c.path, c.message])

describe('breakingChanges on the petstore fixture', () => {
  test('the same document has none', () => {
    expect(breakingChanges(BASE, structuredClone(BASE))).toEqual([])
  })

  test('a removed path', () => {
    expect(changes((d) => delete d.paths['/pets/{petId}'])).toEqual([['removed-path', '$.paths["/pets/{petId}"]', 'path /pets/{petId} removed']])
  })

  test('a removed operation', () => {
    expect(changes((d) => delete d.paths['/pets/{petId}'].delete)).toEqual([['removed-operation', '$.paths["/pets/{petId}"].delete', 'operation DELETE /pets/{petId} removed']])
  })

  test('a new required parameter, and an optional one made required (through a $ref)', () => {
    expect(changes((d) => {
      d.components.parameters.Limit.required = true
      d.paths['/pets'].post.parameters = [{name: 'X-Request-Id', in: 'header', required: true, schema: {type: 'string'}}]
    })).toEqual([
      ['new-required-parameter', '$.paths["/pets"].get.parameters[0]', 'GET /pets: query parameter "limit" became required'],
      ['new-required-parameter', '$.paths["/pets"].post.parameters[0]', 'POST /pets: new required header parameter "X-Request-Id"'],
    ])
  })

  test('a new required request field (in a $ref-ed body); the response that shares the schema does not mind', () => {
    expect(changes((d) => {
      d.components.schemas.NewPet.required.push('tag')
      d.components.schemas.NewPet.properties.born = {type: 'string', format: 'date'}
      d.components.schemas.NewPet.required.push('born')
    })).toEqual([
      ['new-required-field', '$.paths["/pets"].post.requestBody.content["application/json"].schema.properties.tag', 'POST /pets: request field "tag" became required'],
      ['new-required-field', '$.paths["/pets"].post.requestBody.content["application/json"].schema.properties.born', 'POST /pets: new required request field "born"'],
    ])
  })

  test('a removed response field (nested, inside allOf) is reported for every response that returns it', () => {
    expect(changes((d) => delete d.components.schemas.Pet.allOf[1].properties.owner.properties.email)).toEqual([
      ['removed-response-field', '$.paths["/pets"].get.responses["200"].content["application/json"].schema.items.properties.owner.properties.email', 'GET /pets: response field "email" removed'],
      ['removed-response-field', '$.paths["/pets"].post.responses["201"].content["application/json"].schema.properties.owner.properties.email', 'POST /pets: response field "email" removed'],
      ['removed-response-field', '$.paths["/pets/{petId}"].get.responses["200"].content["application/json"].schema.properties.owner.properties.email', 'GET /pets/{petId}: response field "email" removed'],
    ])
  })

  test('a narrowed request type (number to integer); the response side is fine with it', () => {
    expect(changes((d) => (d.components.schemas.NewPet.properties.weight.type = 'integer'))).toEqual([
      ['narrowed-type', '$.paths["/pets"].post.requestBody.content["application/json"].schema.properties.weight.type', 'POST /pets: request type narrowed from number to integer'],
    ])
  })

  test('widening a schema requests and responses share changes the responses', () => {
    expect(changes((d) => (d.components.schemas.NewPet.properties.weight.type = ['number', 'string'])).map(([kind, , message]) => [kind, message])).toEqual([
      ['changed-response-type', 'GET /pets: response type changed from number to number | string'],
      ['changed-response-type', 'POST /pets: response type changed from number to number | string'],
      ['changed-response-type', 'GET /pets/{petId}: response type changed from number to number | string'],
    ])
  })

  test('a changed response type', () => {
    expect(changes((d) => (d.components.schemas.Pet.allOf[1].properties.id.type = 'string'))).toEqual([
      ['changed-response-type', '$.paths["/pets"].get.responses["200"].content["application/json"].schema.items.properties.id.type', 'GET /pets: response type changed from integer to string'],
      ['changed-response-type', '$.paths["/pets"].post.responses["201"].content["application/json"].schema.properties.id.type', 'POST /pets: response type changed from integer to string'],
      ['changed-response-type', '$.paths["/pets/{petId}"].get.responses["200"].content["application/json"].schema.properties.id.type', 'GET /pets/{petId}: response type changed from integer to string'],
    ])
  })

  test('a narrowed enum, and an enum put on a free field', () => {
    expect(changes((d) => {
      d.paths['/pets'].get.parameters[1].schema.enum = ['available', 'pending']
      d.components.schemas.NewPet.properties.tag.enum = ['cat', 'dog']
    })).toEqual([
      ['narrowed-enum', '$.paths["/pets"].get.parameters[1].schema.enum', 'GET /pets: request enum no longer accepts "sold"'],
      ['narrowed-enum', '$.paths["/pets"].post.requestBody.content["application/json"].schema.properties.tag.enum', 'POST /pets: request values restricted to ["cat","dog"]'],
    ])
  })

  test('removed responses and media types', () => {
    expect(changes((d) => {
      d.paths['/pets/{petId}'].delete.responses = {'200': {description: 'Deleted'}}
      d.components.requestBodies.NewPet.content = {'application/xml': d.components.requestBodies.NewPet.content['application/json']}
    })).toEqual([
      ['removed-media-type', '$.paths["/pets"].post.requestBody.content["application/json"]', 'POST /pets: request media type application/json removed'],
      ['removed-response', '$.paths["/pets/{petId}"].delete.responses["204"]', 'DELETE /pets/{petId}: response 204 removed'],
    ])
  })

  test('an additive change passes: new path, optional parameter and field, new response field, wider request enum, renamed path parameter', () => {
    const additive = head((d) => {
      d.paths['/stores'] = {get: {responses: {'200': {description: 'Stores'}}}}
      d.paths['/pets'].get.parameters.push({name: 'sort', in: 'query', schema: {type: 'string'}})
      d.paths['/pets'].get.parameters[1].schema.enum.push('adopted')
      d.components.schemas.NewPet.properties.nickname = {type: 'string'}
      d.components.schemas.Pet.allOf[1].properties.createdAt = {type: 'string', format: 'date-time'}
      d.paths['/pets/{id}'] = d.paths['/pets/{petId}']
      d.paths['/pets/{id}'].parameters[0].name = 'id'
      delete d.paths['/pets/{petId}']
    })
    expect(breakingChanges(BASE, additive)).toEqual([])
  })
})

describe('helpers', () => {
  test('child paths quote keys that are not identifiers', () => {
    expect(child(child(child('$', 'paths'), '/a/{b}'), 0)).toBe('$.paths["/a/{b}"][0]')
  })

  test('deref follows chains, decodes ~1, and leaves cycles and foreign refs alone', () => {
    const doc = {a: {$ref: '#/b'}, b: {$ref: '#/c~1d'}, 'c/d': {type: 'string'}, loop: {$ref: '#/loop'}}
    expect(deref(doc, doc.a)).toEqual({type: 'string'})
    expect(deref(doc, doc.loop)).toEqual({$ref: '#/loop'})
    expect(deref(doc, {$ref: 'other.yaml#/x'})).toEqual({$ref: 'other.yaml#/x'})
  })

  test('a self-referencing schema terminates', () => {
    const tree = {openapi: '3.0.0', paths: {'/t': {get: {responses: {'200': {description: 'x', content: {'application/json': {schema: {$ref: '#/components/schemas/Node'}}}}}}}},
      components: {schemas: {Node: {type: 'object', properties: {name: {type: 'string'}, children: {type: 'array', items: {$ref: '#/components/schemas/Node'}}}}}}}
    const changed = structuredClone(tree)
    delete (changed.components.schemas.Node.properties as any).name
    expect(breakingChanges(tree, changed).length).toBeGreaterThan(0)
  })
})
