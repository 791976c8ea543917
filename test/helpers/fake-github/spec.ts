import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {join} from 'node:path'
import {OpenAPIBackend, type Operation} from 'openapi-backend'

/** GitHub's own OpenAPI description: only this file, never the package root (which loads every variant). */
export const SPEC_PATH = join(import.meta.dirname, '..', '..', '..', 'node_modules', '@octokit', 'openapi', 'generated', 'api.github.com.json')

/** A request as the validator sees it. */
export interface SpecRequest {
  method: string
  path: string
  query: Record<string, string | string[]>
  headers: Record<string, string>
  body?: unknown
}

/** The validator and the spec's example bodies, built once per process. */
export interface GitHubSpec {
  /** The operation a request is for, or undefined for a route GitHub does not have. */
  match(req: SpecRequest): Operation | undefined
  /** Path parameters of a matched request. */
  params(req: SpecRequest, operation: Operation): Record<string, string>
  /** Problems with a request (empty when it is valid). */
  checkRequest(req: SpecRequest, operation: Operation): string[]
  /** Problems with a response (empty when it is valid). */
  checkResponse(body: unknown, operation: Operation, status: number): string[]
  /** A deep copy of `components.examples[name].value`. */
  example<T = any>(name: string): T
}

/**
 * The two fix-ups Ajv needs: `nullable` without `type` becomes an extra `{enum: [null]}` branch, and nullable
 * enums list `null` (see research/testing-offline.md §2).
 */
function fixNullable(node: unknown): void {
  if (!node || typeof node !== 'object') return
  const o = node as Record<string, any>
  if (o.nullable !== undefined && o.type === undefined && !o.$ref) {
    delete o.nullable
    if (Array.isArray(o.oneOf)) o.oneOf.push({enum: [null]})
    else if (Array.isArray(o.anyOf)) o.anyOf.push({enum: [null]})
  }
  if (o.nullable && Array.isArray(o.enum) && !o.enum.includes(null)) o.enum.push(null)
  for (const value of Object.values(o)) fixNullable(value)
}

const formatErrors = (errors: Array<{instancePath?: string; message?: string; params?: unknown}> | null | undefined): string[] =>
  (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`)

let cached: Promise<GitHubSpec> | undefined

/** Parses the spec and initialises openapi-backend (quick mode) the first time it is asked for; cached after. */
export function githubSpec(): Promise<GitHubSpec> {
  return (cached ??= load())
}

async function load(): Promise<GitHubSpec> {
  const definition = JSON.parse(readFileSync(SPEC_PATH, 'utf8'))
  fixNullable(definition)
  const examples = definition.components.examples as Record<string, {value: unknown}>
  // ajv-formats is CommonJS whose default export is the plugin itself.
  const addFormats = createRequire(import.meta.url)('ajv-formats') as (ajv: unknown) => unknown
  const api = new OpenAPIBackend({
    definition,
    quick: true,
    validate: true,
    ajvOpts: {allErrors: true, strict: false},
    customizeAjv: (ajv) => {
      addFormats(ajv)
      ajv.addFormat('repo.nwo', /^[^/]+\/[^/]+$/)
      return ajv
    },
  })
  await api.init()
  const asRequest = (req: SpecRequest) => ({method: req.method.toLowerCase(), path: req.path, query: req.query, headers: req.headers, body: req.body as any})
  return {
    match: (req) => api.router.matchOperation(asRequest(req)),
    params: (req, operation) => api.router.parseRequest(asRequest(req), operation).params as Record<string, string>,
    checkRequest: (req, operation) => {
      const result = api.validator.validateRequest(asRequest(req), operation)
      return result.valid ? [] : formatErrors(result.errors as any)
    },
    checkResponse: (body, operation, status) => {
      const result = api.validator.validateResponse(body, operation, status)
      return result.valid ? [] : formatErrors(result.errors as any)
    },
    example: (name) => {
      const found = examples[name]
      if (!found) throw new Error(`the spec has no example named ${name}`)
      return structuredClone(found.value) as any
    },
  }
}
