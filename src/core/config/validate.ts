import {isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document} from 'yaml'
import type {z} from 'zod'
import {branchScore, DEFAULT_MESSAGE, formatPath, issueProblems, pathAtOffset, placeProblems, type ConfigProblem, type LooseIssue, type UnplacedProblem} from './problems.js'
import {FlowConfigSchema, type FlowConfig} from './schema.js'

/** The outcome of checking flow.yml text: the problems, and the effective configuration when there are none. */
export interface ParsedConfig {
  problems: ConfigProblem[]
  config?: FlowConfig
}

type AnySchema = z.ZodType
interface Def {
  type: string
  innerType?: AnySchema
  in?: AnySchema
  shape?: Record<string, AnySchema>
  catchall?: AnySchema
  valueType?: AnySchema
  element?: AnySchema
  options?: AnySchema[]
  getter?: () => AnySchema
}
const defOf = (schema: AnySchema) => (schema as unknown as {_zod: {def: Def}})._zod.def

const parseOptions = {reportInput: true, error: () => DEFAULT_MESSAGE}

/** Strips wrappers and picks the union branch that fits the data best, as the problem mapper does. */
function unwrap(schema: AnySchema, data: unknown): AnySchema {
  for (let i = 0; i < 50; i++) {
    const def = defOf(schema)
    if (def.innerType) schema = def.innerType
    else if (def.type === 'pipe' && def.in) schema = def.in
    else if (def.type === 'lazy' && def.getter) schema = def.getter()
    else if (def.type === 'union' && def.options) {
      let best = def.options[0] as AnySchema
      let bestScore = Number.POSITIVE_INFINITY
      for (const option of def.options) {
        const result = option.safeParse(data, parseOptions)
        const score = result.success ? 0 : branchScore(result.error.issues as unknown as LooseIssue[])
        if (score < bestScore) [best, bestScore] = [option, score]
      }
      schema = best
    } else break
  }
  return schema
}

/** The keys the schema allows for the mapping at a path of the given data. */
export function allowedKeysAt(schema: AnySchema, root: unknown, path: ReadonlyArray<string | number>): string[] {
  let current: AnySchema | undefined = schema
  let data = root
  for (const seg of path) {
    const def = defOf(unwrap(current, data))
    if (def.type === 'object') current = def.shape?.[seg] ?? def.catchall
    else if (def.type === 'record') current = def.valueType
    else if (def.type === 'array') current = def.element
    else current = undefined
    if (!current) return []
    data = data !== null && typeof data === 'object' ? (data as Record<string | number, unknown>)[seg] : undefined
  }
  const def = defOf(unwrap(current, data))
  return def.type === 'object' ? Object.keys(def.shape ?? {}).filter((k) => k !== '$schema') : []
}

/** Parses and validates flow.yml text; every YAML and schema problem at once, each with line and column. */
export function parseConfigText(text: string, file: string): ParsedConfig {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, {lineCounter, prettyErrors: false, uniqueKeys: true, merge: true})
  const unplaced: UnplacedProblem[] = []
  const yamlProblems: ConfigProblem[] = []
  let syntaxBroken = false
  for (const error of doc.errors) {
    const offset = error.pos[0]
    const {line, col} = lineCounter.linePos(offset)
    const duplicate = error.code === 'DUPLICATE_KEY'
    if (!duplicate) syntaxBroken = true
    const path = pathAtOffset(doc, offset)
    const key = path.at(-1)
    const message = duplicate ? `duplicate key${key === undefined ? '' : ` "${key}"`}: each key may appear once` : `invalid YAML: ${error.message.split('\n')[0]}`
    yamlProblems.push({file, line, column: col, path: formatPath(path), message, expected: duplicate ? 'each key once' : 'valid YAML', found: duplicate ? `${key ?? 'a key'} again` : 'a syntax error'})
  }
  if (syntaxBroken) return {problems: yamlProblems}

  let data: unknown
  try {
    data = doc.contents === null ? {} : doc.toJS({maxAliasCount: 1000})
  } catch (error) {
    // Well-formed YAML that cannot be turned into data: an alias to no anchor, a merge (<<) of a non-map, too many aliases.
    const offset = unresolvableAt(doc) ?? 0
    const {line, col} = lineCounter.linePos(offset)
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0]
    return {problems: [{file, line, column: col, path: formatPath(pathAtOffset(doc, offset).map((seg) => (String(seg) === 'Symbol(<<)' ? '<<' : seg))), message: `invalid YAML: ${reason}`, expected: 'aliases to anchors set before them, merges (<<) of maps', found: 'an alias or merge that cannot be resolved'}]}
  }
  const input = data === null || data === undefined ? {} : data
  const result = FlowConfigSchema.safeParse(input, parseOptions)
  if (!result.success) {
    const allowed = (path: Array<string | number>) => allowedKeysAt(FlowConfigSchema, input, path)
    for (const issue of result.error.issues) unplaced.push(...issueProblems(issue as unknown as LooseIssue, [], allowed))
  }
  const problems = [...yamlProblems, ...placeProblems(unplaced, doc, lineCounter, file)].sort((a, b) => a.line - b.line || a.column - b.column)
  if (problems.length > 0) return {problems}
  return {problems, config: result.data}
}

/** Where the first alias without an anchor, or merge key of something other than maps, starts (undefined when none). */
function unresolvableAt(doc: Document): number | undefined {
  let found: number | undefined
  const mergeable = (node: unknown): boolean => {
    const target = isAlias(node) ? node.resolve(doc) : node
    return isMap(target) || (isSeq(target) && !isAlias(node) && target.items.every((item) => mergeable(item)))
  }
  visit(doc, {
    Alias(_, node) {
      if (node.resolve(doc) === undefined) {
        found = node.range?.[0]
        return visit.BREAK
      }
    },
    Pair(_, pair) {
      if (isScalar(pair.key) && (pair.key.value === '<<' || pair.key.source === '<<') && !mergeable(pair.value)) {
        found = pair.key.range?.[0]
        return visit.BREAK
      }
    },
  })
  return found
}

/** Every problem of a flow.yml text (empty when it is valid). */
export function validateConfigText(text: string, file: string): ConfigProblem[] {
  return parseConfigText(text, file).problems
}
