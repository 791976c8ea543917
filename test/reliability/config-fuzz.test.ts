import {readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import fc from 'fast-check'
import {describe, expect, test} from 'vitest'
import {stringify, parse} from 'yaml'
import {invalidConfigError} from '../../src/core/config/load.js'
import {parseConfigText} from '../../src/core/config/validate.js'
import {runFlow} from '../helpers/e2e.js'
import {count, pool} from '../helpers/reliability.js'
import {FLOW_YML} from '../helpers/reliability-scenes.js'
import {tempRepo} from '../helpers/temp-repo.js'

// flow.yml fuzzed: valid files (the init templates, the scenes' file, a full example) mutated as text and as data,
// and random YAML. Each case must end in a config or in problems that each carry a line and a column inside the
// file, and the CONFIG_INVALID error built from them must be one line; never a throw. A seeded sample of the same
// cases then goes through the built binary: exit 3, one line naming file:line:column, no stack trace.

const FULL = process.env.FLOW_RELIABILITY_FULL === '1'
const RUNS = FULL ? 10_000 : 1500
const SEED = 20261126

const templates = join(import.meta.dirname, '..', '..', 'templates')
const EXAMPLE = `version: 1
forge: {type: local}
branches: {strategy: trunk, main: main, feature: "feature/{slug}"}
review: {merge: squash, approvals: 1}
commits: {convention: conventional}
gates:
  lint: {run: npm run lint}
  types: {run: [npx, tsc, --noEmit]}
  test: {run: npm test, needs: [types], inputs: ["src/**", "test/**"]}
  commits: {builtin: conventional-commits}
stages:
  pre-push: [lint, types]
  submit: [lint, types, test, commits]
  release: [test]
release: {tag: "v{version}", changelog: CHANGELOG.md}
environments:
  staging:
    deploy: ["./scripts/deploy.sh", "staging", "{sha}"]
    health: {url: "http://localhost:8080/health", interval: 2s, count: 5, failure_limit: 1}
    rollback: ["./scripts/deploy.sh", "staging", "{previous_sha}"]
  production:
    after: staging
    approvals: 1
    freeze: ["cron: 0 16 * * 5 for 64h", "2026-12-20..2027-01-04"]
incidents:
  severities:
    sev1: {summary: "Customer-facing outage", update_every: 30m, postmortem: required}
    sev3: {summary: "Minor impact", postmortem: optional}
changes:
  types:
    standard: {approvals: 0}
    normal: {approvals: 1}
  risk: {sensitive: ["migrations/**"]}
`

const candidates = [...readdirSync(templates).filter((f) => f.endsWith('.yml')).map((f) => readFileSync(join(templates, f), 'utf8')), FLOW_YML, EXAMPLE]
const seeds = candidates.filter((text) => parseConfigText(text, 'flow.yml').config)

/** What one text does in the validator, checked; returns a description of what is wrong with the outcome, or null. */
function judge(text: string): string | null {
  let parsed: ReturnType<typeof parseConfigText>
  try {
    parsed = parseConfigText(text, 'flow.yml')
  } catch (error) {
    return `threw ${(error as Error).stack}`
  }
  count('fuzzCases')
  if (parsed.config) return parsed.problems.length === 0 ? null : 'a config and problems at once'
  if (parsed.problems.length === 0) return 'neither a config nor a problem'
  const lines = text.split(/\r\n|\r|\n/).length
  for (const p of parsed.problems) {
    if (!(Number.isInteger(p.line) && p.line >= 1 && p.line <= lines + 1)) return `line ${p.line} outside 1..${lines + 1}: ${p.message}`
    if (!(Number.isInteger(p.column) && p.column >= 1)) return `column ${p.column}: ${p.message}`
  }
  const error = invalidConfigError(parsed.problems)
  if (error.code !== 'CONFIG_INVALID' || error.exit !== 3) return `error ${error.code} exit ${error.exit}`
  if (/[\r\n]/.test(error.message)) return `a message of several lines: ${JSON.stringify(error.message)}`
  if (!/^flow\.yml:\d+:\d+ /.test(error.message)) return `no file:line:column: ${error.message}`
  return null
}

const NASTY = [':', '-', ' ', '  ', '\t', '[', ']', '{', '}', '"', "'", '#', '&a', '*a', '!!str', '!!binary', '|', '>', '%', '@', '`', '?', ',', '\n', '\r\n', '\0', '\uFEFF', '<<: *a', '~', 'null', '1e999', '0x1F', '.nan', '\u2028', 'é', '🙂']

/** Text mutations of a valid file: what a hurried edit does to YAML. */
const textMutation = (seed: string) => {
  const lines = seed.split('\n')
  return fc.oneof(
    fc.nat(lines.length - 1).map((i) => lines.filter((_, j) => j !== i).join('\n')),
    fc.tuple(fc.nat(lines.length - 1), fc.nat(lines.length - 1)).map(([i, j]) => {
      const copy = [...lines]
      ;[copy[i], copy[j]] = [copy[j]!, copy[i]!]
      return copy.join('\n')
    }),
    fc.tuple(fc.nat(lines.length - 1), fc.integer({min: -4, max: 4})).map(([i, d]) => lines.map((l, j) => (j !== i ? l : d > 0 ? ' '.repeat(d) + l : l.slice(-d))).join('\n')),
    fc.tuple(fc.nat(seed.length), fc.constantFrom(...NASTY)).map(([at, s]) => seed.slice(0, at) + s + seed.slice(at)),
    fc.tuple(fc.nat(seed.length), fc.nat(8)).map(([at, n]) => seed.slice(0, at) + seed.slice(at + n)),
    fc.nat(seed.length).map((at) => seed.slice(0, at)),
    fc.tuple(fc.nat(lines.length - 1), fc.string({maxLength: 20})).map(([i, s]) => lines.map((l, j) => (j === i ? l.replace(/:\s*.*$/, `: ${s}`) : l)).join('\n')),
  )
}

type Json = unknown
/** Every path to a value inside a parsed document. */
function paths(value: Json, at: Array<string | number> = []): Array<Array<string | number>> {
  const out = [at]
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...at, i])))
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...at, k]))
  return out
}

/** Data mutations: a value anywhere replaced by something of another shape, a key renamed or removed, a key added. */
const dataMutation = (seed: string) => {
  const data = parse(seed) as Json
  const all = paths(data).filter((p) => p.length > 0)
  const odd = fc.oneof(fc.jsonValue({maxDepth: 2}), fc.constantFrom('', '-1', '0s', '1x', 'cron: nope', '2026-13-40..x', '{slug}{slug}', '../../etc', '$(touch CANARY)', 'a'.repeat(5000)), fc.string({maxLength: 30}))
  return fc.tuple(fc.constantFrom(...all), fc.nat(3), odd, fc.string({maxLength: 12})).map(([path, op, value, key]) => {
    const copy = structuredClone(data) as Record<string | number, unknown>
    const parent = path.slice(0, -1).reduce<any>((node, seg) => node[seg], copy)
    const last = path.at(-1)!
    if (op === 0) parent[last] = value
    else if (op === 1 && !Array.isArray(parent)) {
      parent[key || '_'] = parent[last]
      delete parent[last]
    } else if (op === 2) {
      if (Array.isArray(parent)) parent.splice(Number(last), 1)
      else delete parent[last]
    } else if (parent[last] && typeof parent[last] === 'object' && !Array.isArray(parent[last])) (parent[last] as Record<string, unknown>)[key || '_'] = value
    else parent[last] = [value]
    return stringify(copy)
  })
}

const randomYaml = fc.oneof(
  fc.jsonValue({maxDepth: 4}).map((v) => stringify(v)),
  fc.dictionary(fc.constantFrom('version', 'forge', 'branches', 'review', 'gates', 'stages', 'release', 'environments', 'incidents', 'changes', 'services', 'metrics', 'docs', 'commits', 'x'), fc.jsonValue({maxDepth: 3})).map((v) => stringify(v)),
  fc.array(fc.constantFrom(...NASTY, 'a', 'gates', 'run', 'x:', '- ', 'version: 1'), {maxLength: 40}).map((parts) => parts.join('')),
  fc.string({unit: 'binary', maxLength: 200}),
)

const texts = fc.oneof(
  {arbitrary: fc.constantFrom(...seeds).chain(textMutation), weight: 4},
  {arbitrary: fc.constantFrom(...seeds).chain(dataMutation), weight: 3},
  {arbitrary: randomYaml, weight: 3},
)

describe('flow.yml fuzzed (fast-check)', () => {
  test('the seeds are valid flow.yml files', () => {
    expect(seeds.length).toBeGreaterThanOrEqual(4)
  })

  test(`${RUNS} mutated and random files: a config, or CONFIG_INVALID problems each at a line and column, never a throw`, () => {
    fc.assert(fc.property(texts, (text) => {
      const verdict = judge(text)
      if (verdict) throw new Error(verdict)
    }), {numRuns: RUNS, seed: SEED})
  }, 120_000)

  test('a seeded sample of invalid files through the built binary: exit 3, one line with file:line:column, no stack trace', async () => {
    const sample = fc.sample(texts, {numRuns: 400, seed: SEED + 1}).filter((t) => !t.includes('\0') && !parseConfigText(t, 'flow.yml').config).slice(0, FULL ? 100 : 12)
    expect(sample.length).toBeGreaterThanOrEqual(FULL ? 100 : 12)
    const repo = tempRepo()
    const bad = await pool(sample, 2, async (text, i) => {
      const dir = join(repo.scratch, `c${i}`)
      repo.gitIn(repo.scratch, 'init', '-q', '-b', 'main', dir)
      repo.write(`../c${i}/flow.yml`, text)
      const run = await runFlow(['gates', 'list'], {cwd: dir, env: repo.env})
      count('fuzzCases')
      const lines = run.stderr.split('\n').filter(Boolean)
      const problems: string[] = []
      if (run.exitCode !== 3) problems.push(`exit ${run.exitCode}`)
      if (/\n\s+at .+:\d+:\d+\)?\n/.test(run.stderr) || /Error: .*\n\s+at /.test(run.stderr)) problems.push('a stack trace')
      const message = lines.find((l) => l.includes('flow.yml:'))
      if (!message || !/flow\.yml:\d+:\d+ /.test(message)) problems.push('no flow.yml:line:column')
      if (lines.length > 3) problems.push(`${lines.length} lines on stderr`)
      return problems.length > 0 ? `${JSON.stringify(text.slice(0, 80))}: ${problems.join(', ')}\n${run.stderr}` : null
    })
    expect(bad.filter(Boolean)).toEqual([])
  }, 120_000)
})
