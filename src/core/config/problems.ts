import {isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node} from 'yaml'
import type {ConfigProblem} from './problem.js'
import type {FlowIssueParams} from './schema.js'

// The problem type and its one-line form live apart from the YAML code, so loading a config does not load yaml.
export {formatProblem, type ConfigProblem} from './problem.js'

/** A problem before it is placed in the file. */
export interface UnplacedProblem {
  path: Array<string | number>
  message: string
  expected: string
  found: string
  suggestion?: string
  /** Whether the position is the key (unknown and missing keys) or the value. */
  at: 'key' | 'value'
}

/** Marks zod messages flow did not write, so the mapper words them itself. */
export const DEFAULT_MESSAGE = '\u0000'

/** The edit distance (optimal string alignment: insertions, deletions, substitutions, transpositions). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({length: a.length + 1}, (_, i) => Array.from({length: b.length + 1}, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      const row = d[i] as number[]
      const prev = d[i - 1] as number[]
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1)
    }
  }
  return (d[a.length] as number[])[b.length] as number
}

/** The candidate closest to a misspelt word, when it is close enough to be a likely typo. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase()
  let best: {candidate: string; distance: number} | undefined
  for (const candidate of candidates) {
    if (candidate === word) continue
    const distance = editDistance(lower, candidate.toLowerCase())
    const limit = Math.max(1, Math.floor(Math.max(word.length, candidate.length) / 3))
    if (distance <= limit && (!best || distance < best.distance)) best = {candidate, distance}
  }
  return best?.candidate
}

/** A value as words, for "found ...". */
export function describeFound(value: unknown): string {
  if (value === undefined || value === null) return 'nothing'
  if (typeof value === 'string') return value.length > 60 ? `${JSON.stringify(value.slice(0, 57))}...` : JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) {
    if (value.length === 0) return 'an empty list'
    const json = JSON.stringify(value)
    return value.every((v) => v === null || typeof v !== 'object') && json.length <= 40 ? json : 'a list'
  }
  if (typeof value === 'object') return Object.keys(value).length === 0 ? 'an empty mapping' : 'a mapping'
  return String(value)
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  map: 'a mapping',
  null: 'nothing',
  literal: 'a fixed value',
}

/** Loose view of a zod issue: only the fields the mapper reads. */
export interface LooseIssue {
  code: string
  path: PropertyKey[]
  message: string
  input?: unknown
  expected?: string
  values?: unknown[]
  keys?: string[]
  origin?: string
  minimum?: number | bigint
  maximum?: number | bigint
  inclusive?: boolean
  divisor?: number
  pattern?: string
  format?: string
  errors?: LooseIssue[][]
  note?: string
  discriminator?: string
  options?: unknown[]
  params?: Partial<FlowIssueParams>
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const present = (issue: LooseIssue) => 'input' in issue && issue.input !== undefined

function sizeWords(issue: LooseIssue, big: boolean): string {
  const n = Number(big ? issue.maximum : issue.minimum)
  const cmp = big ? (issue.inclusive === false ? 'below' : 'at most') : issue.inclusive === false ? 'above' : 'at least'
  switch (issue.origin) {
    case 'array':
    case 'set':
      if (!big && n === 1) return 'a non-empty list'
      return big && issue.minimum === issue.maximum ? `a list of exactly ${n} items` : `a list of ${cmp} ${n} item${n === 1 ? '' : 's'}`
    case 'string':
      if (!big && n === 1) return 'a non-empty string'
      return `a string of ${cmp} ${n} characters`
    default:
      return `a number ${cmp} ${n}`
  }
}

/** The expected value of one zod issue, in words. */
export function expectedWords(issue: LooseIssue): string {
  if (issue.message && issue.message !== DEFAULT_MESSAGE && issue.code !== 'unrecognized_keys') return issue.params?.expected ?? issue.message
  switch (issue.code) {
    case 'invalid_type':
      return TYPE_WORDS[issue.expected ?? ''] ?? `a value of type ${issue.expected}`
    case 'invalid_value': {
      const values = (issue.values ?? []).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))
      return values.length === 1 ? (values[0] as string) : `one of ${values.join(', ')}`
    }
    case 'too_small':
      return sizeWords(issue, false)
    case 'too_big':
      return sizeWords(issue, true)
    case 'invalid_format':
      return issue.format === 'regex' ? `a string matching ${issue.pattern}` : `a valid ${issue.format}`
    case 'not_multiple_of':
      return `a multiple of ${issue.divisor}`
    case 'invalid_key':
      return 'a valid key'
    case 'invalid_union':
      if (issue.note === 'No matching discriminator') return `one of ${(issue.options ?? []).join(', ')}`
      return 'one of the allowed forms'
    default:
      return 'a valid value'
  }
}

/** How well a union branch fits the input: lower is better; a wrong type at the top is worst, missing keys next. */
export function branchScore(issues: LooseIssue[]): number {
  let score = 0
  for (const issue of issues) {
    if (issue.path.length === 0 && (issue.code === 'invalid_type' || issue.code === 'invalid_value')) score += 100
    else if (issue.note === 'No matching discriminator') score += isRecord(issue.input) && issue.discriminator && issue.discriminator in issue.input ? 1 : 10
    else if (issue.path.length === 1 && !present(issue)) score += 10
    else if (issue.code === 'unrecognized_keys') score += issue.keys?.length ?? 1
    else score += 1
  }
  return score
}

/** Picks the branch of a failed union that the input was most likely meant to be, or undefined on a tie. */
function bestBranch(branches: LooseIssue[][]): LooseIssue[] | undefined {
  const scores = branches.map(branchScore)
  const min = Math.min(...scores)
  const best = branches.filter((_, i) => scores[i] === min)
  return best.length === 1 ? best[0] : undefined
}

/** Turns one zod issue into the problems it stands for (flattening unions to the branch that was meant). */
export function issueProblems(issue: LooseIssue, base: Array<string | number>, allowedKeys: (path: Array<string | number>) => string[]): UnplacedProblem[] {
  const path = [...base, ...(issue.path as Array<string | number>)]
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(path)
    return (issue.keys ?? []).map((key) => {
      const suggestion = didYouMean(key, allowed)
      const expected = allowed.length > 0 ? `one of: ${allowed.join(', ')}` : 'no other keys'
      return {path: [...path, key], message: suggestion ? `unknown key "${key}"` : `unknown key "${key}"; expected ${expected}`, expected, found: JSON.stringify(key), suggestion, at: 'key'}
    })
  }
  if (issue.code === 'invalid_union' && issue.errors && issue.errors.length > 0) {
    const branch = bestBranch(issue.errors)
    if (branch) return branch.flatMap((sub) => issueProblems(sub, path, allowedKeys))
  }
  if (issue.note === 'No matching discriminator' && issue.discriminator) {
    const input = isRecord(issue.input) ? issue.input[issue.discriminator] : undefined
    const options = (issue.options ?? []).map(String)
    const expected = `one of ${options.join(', ')}`
    return [{path, message: `expected ${expected}, found ${describeFound(input)}`, expected, found: describeFound(input), suggestion: typeof input === 'string' ? didYouMean(input, options) : undefined, at: input === undefined ? 'key' : 'value'}]
  }
  const params = issue.code === 'custom' ? (issue.params ?? {}) : {}
  const expected = expectedWords(issue)
  const found = params.found ?? describeFound(issue.input)
  let suggestion = params.suggestion
  if (!suggestion && typeof issue.input === 'string') {
    const candidates = params.candidates ?? (issue.code === 'invalid_value' ? (issue.values ?? []).map(String) : [])
    suggestion = didYouMean(issue.input, candidates)
  }
  const missing = !present(issue) && issue.code !== 'custom'
  const message = params.text ?? `expected ${expected}, found ${found}${missing ? ' (the key is missing)' : ''}`
  return [{path, message, expected, found, suggestion, at: missing ? 'key' : 'value'}]
}

/** `environments.production.health.interval`, with list indexes as `[2]`. */
export function formatPath(path: ReadonlyArray<string | number>): string {
  let text = ''
  for (const seg of path) text += typeof seg === 'number' ? `[${seg}]` : text === '' ? seg : `.${seg}`
  return text
}

function keyText(node: unknown): string | undefined {
  if (isScalar(node)) return String(node.value)
  return undefined
}

/** The source offset of the key or value at a path in a YAML document (the nearest existing ancestor when absent). */
export function locate(doc: Document, path: ReadonlyArray<string | number>, at: 'key' | 'value'): number {
  let node: unknown = doc.contents
  let key: Node | undefined
  let complete = true
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(doc)
    if (isMap(node)) {
      const pair = node.items.find((p) => keyText(p.key) === String(seg))
      if (!pair) {
        complete = false
        break
      }
      key = pair.key as Node
      node = pair.value ?? undefined
    } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
      node = node.items[seg]
      key = node as Node
    } else {
      complete = false
      break
    }
  }
  const range = (n: unknown) => (n && typeof n === 'object' && 'range' in n ? (n as Node).range : undefined)
  const target = !complete || at === 'key' ? (key ?? node) : (range(node) ? node : key)
  return range(target)?.[0] ?? 0
}

/** The path of the key or value that contains a source offset (for YAML errors such as duplicate keys). */
export function pathAtOffset(doc: Document, offset: number): Array<string | number> {
  const path: Array<string | number> = []
  let node: unknown = doc.contents
  const within = (n: unknown) => {
    const r = n && typeof n === 'object' && 'range' in n ? (n as Node).range : undefined
    return r !== undefined && r !== null && offset >= r[0] && offset < Math.max(r[2], r[1])
  }
  for (;;) {
    if (isMap(node)) {
      const pair = node.items.find((p) => within(p.key) || within(p.value))
      if (!pair || !isPair(pair)) break
      path.push(keyText(pair.key) ?? '?')
      if (within(pair.key)) break
      node = pair.value
    } else if (isSeq(node)) {
      const index = node.items.findIndex((item) => within(item))
      if (index < 0) break
      path.push(index)
      node = node.items[index]
    } else {
      break
    }
  }
  return path
}

/** Places problems in the file: line and column from the document's source positions, sorted by position. */
export function placeProblems(problems: UnplacedProblem[], doc: Document, lineCounter: LineCounter, file: string): ConfigProblem[] {
  return problems
    .map((p) => {
      const {line, col} = lineCounter.linePos(locate(doc, p.path, p.at))
      const placed: ConfigProblem = {file, line, column: col, path: formatPath(p.path), message: p.message, expected: p.expected, found: p.found}
      if (p.suggestion) placed.suggestion = p.suggestion
      return placed
    })
    .sort((a, b) => a.line - b.line || a.column - b.column)
}
