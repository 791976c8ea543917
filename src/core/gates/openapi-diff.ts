/**
 * Breaking changes between two OpenAPI documents (3.x; 2.0 paths, operations and parameters too): removed paths,
 * operations and responses, new required parameters and request fields, removed response fields, narrowed types
 * and enums. Local `$ref`s (`#/...`) are resolved; oneOf/anyOf are compared only as a whole.
 */

/** One breaking change, with where it is. */
export interface BreakingChange {
  kind: 'removed-path' | 'removed-operation' | 'removed-response' | 'removed-media-type' | 'new-required-parameter' | 'new-required-field' | 'removed-response-field' | 'narrowed-type' | 'changed-response-type' | 'narrowed-enum'
  /** JSONPath of the element, in the base document for removals, in the head document otherwise. */
  path: string
  message: string
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- OpenAPI documents of any shape, read defensively
type Json = Record<string, any>
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']
const SIMPLE_KEY = /^[A-Za-z_$][A-Za-z0-9_$]*$/

/** A JSONPath child step: `.name`, or `["odd/key"]`. */
export function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`
  return SIMPLE_KEY.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`
}

/** Follows local `$ref`s (JSON pointers into the same document); an unresolvable or cyclic ref yields the ref object. */
export function deref(doc: unknown, node: unknown, seen: Set<string> = new Set()): unknown {
  if (!isObject(node) || typeof node.$ref !== 'string') return node
  const ref = node.$ref
  if (!ref.startsWith('#') || seen.has(ref)) return node
  let target: unknown = doc
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    target = isObject(target) || Array.isArray(target) ? (target as Json)[key] : undefined
  }
  if (target === undefined) return node
  return deref(doc, target, new Set([...seen, ref]))
}

/** A path template with its parameter names blanked, so `/pets/{id}` and `/pets/{petId}` are the same path. */
const pathKey = (p: string) => p.replace(/\{[^}]*\}/g, '{}')

interface Side {
  doc: Json
}

function typesOf(schema: Json): Set<string> | undefined {
  const t = schema.type
  if (t === undefined) return undefined
  const types = new Set<string>(Array.isArray(t) ? t.map(String) : [String(t)])
  if (schema.nullable === true) types.add('null')
  return types
}

/** allOf flattened into one schema (properties and required merged), enough to compare object shapes. */
function flatten(side: Side, schema: unknown, depth = 0): Json | undefined {
  const s = deref(side.doc, schema)
  if (!isObject(s)) return undefined
  if (!Array.isArray(s.allOf) || depth > 20) return s
  const out: Json = {...s, properties: {...(s.properties ?? {})}, required: [...(s.required ?? [])]}
  delete out.allOf
  for (const part of s.allOf) {
    const p = flatten(side, part, depth + 1)
    if (!p) continue
    Object.assign(out.properties, p.properties ?? {})
    out.required.push(...(p.required ?? []))
    for (const key of ['type', 'enum', 'items', 'nullable']) if (out[key] === undefined && p[key] !== undefined) out[key] = p[key]
  }
  return out
}

/** Differences of two schemas, read as a request (narrowing breaks senders) or a response (removals break readers). */
function compareSchema(base: Side, head: Side, b: unknown, h: unknown, where: {base: string; head: string}, mode: 'request' | 'response', out: BreakingChange[], depth = 0): void {
  if (depth > 30) return
  const bs = flatten(base, b)
  const hs = flatten(head, h)
  if (!bs || !hs) return
  const bt = typesOf(bs)
  const ht = typesOf(hs)
  if (mode === 'request' && ht && (!bt || [...bt].some((t) => !(ht.has(t) || (t === 'integer' && ht.has('number')))))) {
    out.push({kind: 'narrowed-type', path: child(where.head, 'type'), message: `request type narrowed from ${bt ? [...bt].join(' | ') : 'any'} to ${[...ht].join(' | ')}`})
  }
  if (mode === 'response' && bt && ht && [...ht].some((t) => !(bt.has(t) || (t === 'integer' && bt.has('number'))))) {
    out.push({kind: 'changed-response-type', path: child(where.head, 'type'), message: `response type changed from ${[...bt].join(' | ')} to ${[...ht].join(' | ')}`})
  }
  if (mode === 'request' && Array.isArray(hs.enum)) {
    const removed = Array.isArray(bs.enum) ? bs.enum.filter((v: unknown) => !hs.enum.some((x: unknown) => JSON.stringify(x) === JSON.stringify(v))) : undefined
    if (removed === undefined) out.push({kind: 'narrowed-enum', path: child(where.head, 'enum'), message: `request values restricted to ${JSON.stringify(hs.enum)}`})
    else if (removed.length > 0) out.push({kind: 'narrowed-enum', path: child(where.head, 'enum'), message: `request enum no longer accepts ${removed.map((v: unknown) => JSON.stringify(v)).join(', ')}`})
  }
  const bp: Json = isObject(bs.properties) ? bs.properties : {}
  const hp: Json = isObject(hs.properties) ? hs.properties : {}
  const breq = new Set<string>(Array.isArray(bs.required) ? bs.required : [])
  const hreq = new Set<string>(Array.isArray(hs.required) ? hs.required : [])
  if (mode === 'request') {
    for (const name of hreq) {
      if (breq.has(name)) continue
      const at = name in hp ? child(child(where.head, 'properties'), name) : child(where.head, 'required')
      out.push({kind: 'new-required-field', path: at, message: name in bp ? `request field "${name}" became required` : `new required request field "${name}"`})
    }
  } else {
    for (const name of Object.keys(bp)) {
      if (!(name in hp)) out.push({kind: 'removed-response-field', path: child(child(where.base, 'properties'), name), message: `response field "${name}" removed`})
      else if (breq.has(name) && !hreq.has(name)) out.push({kind: 'removed-response-field', path: child(child(where.head, 'properties'), name), message: `response field "${name}" is no longer required (may be absent)`})
    }
  }
  for (const name of Object.keys(bp)) {
    if (name in hp) compareSchema(base, head, bp[name], hp[name], {base: child(child(where.base, 'properties'), name), head: child(child(where.head, 'properties'), name)}, mode, out, depth + 1)
  }
  if (bs.items !== undefined && hs.items !== undefined) {
    compareSchema(base, head, bs.items, hs.items, {base: child(where.base, 'items'), head: child(where.head, 'items')}, mode, out, depth + 1)
  }
}

interface Param {
  param: Json
  path: string
}

/** Parameters by `in:name`; path parameters by their place in the template, so renaming `{id}` changes nothing. */
function parametersOf(side: Side, template: string, pathItem: Json, op: Json, pathAt: string, opAt: string): Map<string, Param> {
  const out = new Map<string, Param>()
  const slots = [...template.matchAll(/\{([^}]*)\}/g)].map((m) => m[1])
  const collect = (list: unknown, at: string) => {
    if (!Array.isArray(list)) return
    list.forEach((raw, i) => {
      const p = deref(side.doc, raw)
      if (!isObject(p) || typeof p.name !== 'string') return
      const key = p.in === 'path' && slots.includes(p.name) ? `path:#${slots.indexOf(p.name)}` : `${p.in}:${p.name}`
      out.set(key, {param: p, path: child(child(at, 'parameters'), i)})
    })
  }
  collect(pathItem.parameters, pathAt)
  collect(op.parameters, opAt)
  return out
}

function compareContent(base: Side, head: Side, b: Json, h: Json, where: {base: string; head: string}, mode: 'request' | 'response', out: BreakingChange[]): void {
  const bc: Json = isObject(b.content) ? b.content : {}
  const hc: Json = isObject(h.content) ? h.content : {}
  for (const [type, media] of Object.entries(bc)) {
    const at = {base: child(child(where.base, 'content'), type), head: child(child(where.head, 'content'), type)}
    if (!(type in hc)) {
      out.push({kind: 'removed-media-type', path: at.base, message: `${mode} media type ${type} removed`})
      continue
    }
    compareSchema(base, head, (media as Json)?.schema, hc[type]?.schema, {base: child(at.base, 'schema'), head: child(at.head, 'schema')}, mode, out)
  }
}

function compareOperation(base: Side, head: Side, bPath: Json, hPath: Json, bOp: Json, hOp: Json, where: {base: string; head: string; basePath: string; headPath: string; baseName: string; headName: string}, out: BreakingChange[]): void {
  const bParams = parametersOf(base, where.baseName, bPath, bOp, where.basePath, where.base)
  const hParams = parametersOf(head, where.headName, hPath, hOp, where.headPath, where.head)
  for (const [key, {param, path}] of hParams) {
    const before = bParams.get(key)
    const [location] = key.split(':')
    if (param.required === true && before?.param.required !== true) {
      out.push({kind: 'new-required-parameter', path, message: before ? `${location} parameter "${param.name}" became required` : `new required ${location} parameter "${param.name}"`})
    }
    if (before) {
      compareSchema(base, head, before.param.schema, param.schema, {base: child(before.path, 'schema'), head: child(path, 'schema')}, 'request', out)
      // Swagger 2.0 keeps type and enum on the parameter itself.
      if (param.schema === undefined && before.param.schema === undefined) compareSchema(base, head, before.param, param, {base: before.path, head: path}, 'request', out)
    }
  }
  const bBody = deref(base.doc, bOp.requestBody)
  const hBody = deref(head.doc, hOp.requestBody)
  if (isObject(hBody)) {
    const bodyAt = {base: child(where.base, 'requestBody'), head: child(where.head, 'requestBody')}
    if (hBody.required === true && !(isObject(bBody) && bBody.required === true)) {
      out.push({kind: 'new-required-field', path: child(bodyAt.head, 'required'), message: 'the request body became required'})
    }
    if (isObject(bBody)) compareContent(base, head, bBody, hBody, bodyAt, 'request', out)
  }
  const bResponses: Json = isObject(bOp.responses) ? bOp.responses : {}
  const hResponses: Json = isObject(hOp.responses) ? hOp.responses : {}
  for (const [status, raw] of Object.entries(bResponses)) {
    const at = {base: child(child(where.base, 'responses'), status), head: child(child(where.head, 'responses'), status)}
    if (!(status in hResponses)) {
      out.push({kind: 'removed-response', path: at.base, message: `response ${status} removed`})
      continue
    }
    const b = deref(base.doc, raw)
    const h = deref(head.doc, hResponses[status])
    if (!isObject(b) || !isObject(h)) continue
    compareContent(base, head, b, h, at, 'response', out)
    // Swagger 2.0: the response schema sits on the response.
    if (b.schema !== undefined && h.schema !== undefined) compareSchema(base, head, b.schema, h.schema, {base: child(at.base, 'schema'), head: child(at.head, 'schema')}, 'response', out)
  }
}

/** Every breaking change from `base` to `head` (both parsed OpenAPI documents), in document order. */
export function breakingChanges(baseDoc: unknown, headDoc: unknown): BreakingChange[] {
  const base: Side = {doc: isObject(baseDoc) ? baseDoc : {}}
  const head: Side = {doc: isObject(headDoc) ? headDoc : {}}
  const out: BreakingChange[] = []
  const bPaths: Json = isObject(base.doc.paths) ? base.doc.paths : {}
  const hPaths: Json = isObject(head.doc.paths) ? head.doc.paths : {}
  const hByKey = new Map(Object.keys(hPaths).map((p) => [pathKey(p), p]))
  for (const [path, rawItem] of Object.entries(bPaths)) {
    const basePath = child('$.paths', path)
    const headName = hByKey.get(pathKey(path))
    if (headName === undefined) {
      out.push({kind: 'removed-path', path: basePath, message: `path ${path} removed`})
      continue
    }
    const headPath = child('$.paths', headName)
    const bItem = deref(base.doc, rawItem)
    const hItem = deref(head.doc, hPaths[headName])
    if (!isObject(bItem) || !isObject(hItem)) continue
    for (const method of METHODS) {
      if (!isObject(bItem[method])) continue
      const where = {base: child(basePath, method), head: child(headPath, method), basePath, headPath, baseName: path, headName}
      if (!isObject(hItem[method])) {
        out.push({kind: 'removed-operation', path: where.base, message: `operation ${method.toUpperCase()} ${path} removed`})
        continue
      }
      const before = out.length
      compareOperation(base, head, bItem, hItem, bItem[method], hItem[method], where, out)
      for (const change of out.slice(before)) change.message = `${method.toUpperCase()} ${headName}: ${change.message}`
    }
  }
  return out
}
