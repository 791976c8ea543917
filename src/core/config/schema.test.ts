import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {defaultConfig, findCycles, FlowConfigSchema} from './schema.js'
import {parseConfigText} from './validate.js'

const sketch = () => {
  const design = readFileSync(join(import.meta.dirname, 'testdata', 'design-sketch.yml'), 'utf8')
  return design
}

describe('the flow.yml schema', () => {
  test('an empty file gives a complete effective configuration', () => {
    const config = defaultConfig()
    expect(config.version).toBe(1)
    expect(config.branches).toMatchObject({strategy: 'trunk', main: 'main', feature: 'feature/{slug}', hotfix: 'hotfix/{slug}', release: 'release/{version}'})
    expect(config.review).toMatchObject({merge: 'squash', approvals: 1, sync: 'rebase', delete_branch: true, draft: false})
    expect(config.release).toMatchObject({tag: 'v{version}', changelog: 'CHANGELOG.md', branches: ['main']})
    expect(config.commits.convention).toBe('conventional')
    expect(Object.keys(config.incidents.severities)).toEqual(['sev1', 'sev2', 'sev3'])
    expect(config.incidents.default_severity).toBe('sev3')
    expect(config.changes.types).toEqual({standard: {approvals: 0, review_after: false}, normal: {approvals: 1, review_after: false}, emergency: {approvals: 0, review_after: true}})
    expect(config.gates).toEqual({})
    expect(config.hooks.install).toEqual(['pre-commit', 'pre-push'])
    expect(config.docs.output).toBe('docs/PROCESS.md')
  })

  test('the sketch in DESIGN.md is valid, and its values come through', () => {
    const {problems, config} = parseConfigText(sketch(), 'flow.yml')
    expect(problems).toEqual([])
    expect(config?.forge.type).toBe('github')
    expect(config?.gates.test).toMatchObject({run: 'npm test', needs: ['types'], inputs: ['src/**', 'test/**'], timeout: '10m'})
    expect(config?.gates.commits).toMatchObject({builtin: 'conventional-commits'})
    expect(config?.environments.production?.after).toEqual(['staging'])
    expect(config?.environments.production?.strategy).toEqual({canary: {weight: ['./scripts/weight.sh', '{percent}'], steps: [10, 50, 100], pause: '60s'}})
    expect(config?.environments.staging?.health).toMatchObject({url: 'http://localhost:8080/health', interval: '2s', count: 5, failure_limit: 1, expect: {status: 200}})
    expect(config?.release.prerelease).toEqual({next: 'rc'})
    expect(config?.review.reviewers).toBe('codeowners')
    expect(config?.metrics.production).toBe('production')
  })

  test('a section the user writes keeps the defaults of the keys it omits', () => {
    const config = FlowConfigSchema.parse({branches: {strategy: 'git-flow'}, environments: {qa: {deploy: ['x']}}})
    expect(config.branches).toMatchObject({strategy: 'git-flow', main: 'main', develop: 'develop'})
    expect(config.environments.qa).toMatchObject({approvals: 0, lock: true, preview: false, after: [], freeze: []})
  })

  test('gate env values are strings, and CI node versions written as numbers become strings', () => {
    const config = FlowConfigSchema.parse({gates: {t: {run: ['x'], env: {CI: true, N: 3}}}, ci: {node: 22}})
    expect(config.gates.t?.env).toEqual({CI: 'true', N: '3'})
    expect(config.ci.node).toBe('22')
  })

  test('unknown keys are errors at every level', () => {
    expect(FlowConfigSchema.safeParse({bogus: 1}).success).toBe(false)
    expect(FlowConfigSchema.safeParse({review: {merge: 'squash', extra: 1}}).success).toBe(false)
    expect(FlowConfigSchema.safeParse({environments: {p: {health: {url: 'x', expect: {code: 200}}}}}).success).toBe(false)
  })

  test('commands are a non-empty argv list of strings or a non-empty string', () => {
    const gate = (run: unknown) => FlowConfigSchema.safeParse({gates: {g: {run}}}).success
    expect(gate(['npm', 'test'])).toBe(true)
    expect(gate('npm test')).toBe(true)
    expect(gate([])).toBe(false)
    expect(gate('')).toBe(false)
    expect(gate(['npm', 1])).toBe(false)
    expect(gate(42)).toBe(false)
  })

  test('a gate is either run or builtin, with each builtin taking only its own options', () => {
    const ok = (gate: unknown) => FlowConfigSchema.safeParse({gates: {g: gate}}).success
    expect(ok({builtin: 'coverage', min: 90, metric: 'branches'})).toBe(true)
    expect(ok({builtin: 'required-files', files: ['README.md']})).toBe(true)
    expect(ok({builtin: 'required-files'})).toBe(false)
    expect(ok({builtin: 'no-secrets', min: 90})).toBe(false)
    expect(ok({run: 'x', builtin: 'no-secrets'})).toBe(false)
    expect(ok({})).toBe(false)
  })

  test('branch and tag patterns only take their placeholders', () => {
    expect(FlowConfigSchema.safeParse({branches: {feature: 'feat/{user}/{issue}-{slug}'}}).success).toBe(true)
    expect(FlowConfigSchema.safeParse({branches: {feature: 'feat/{slugg}'}}).success).toBe(false)
    expect(FlowConfigSchema.safeParse({branches: {feature: 'feat/static'}}).success).toBe(false)
    expect(FlowConfigSchema.safeParse({release: {tag: '{package}@{version}', packages: {web: {path: 'web'}}}}).success).toBe(true)
    // A package placeholder means nothing without release.packages.
    expect(FlowConfigSchema.safeParse({release: {tag: '{package}@{version}'}}).success).toBe(false)
    expect(FlowConfigSchema.safeParse({release: {tag: 'latest'}}).success).toBe(false)
  })

  test('environment strategies: rolling, canary, blue-green', () => {
    const ok = (strategy: unknown) => FlowConfigSchema.safeParse({environments: {p: {strategy}}}).success
    expect(ok('rolling')).toBe(true)
    expect(ok({rolling: {batch: '25%', pause: '30s'}})).toBe(true)
    expect(ok({canary: {weight: ['w', '{percent}'], steps: [5, 25, 100], analysis: {command: ['check']}}})).toBe(true)
    expect(ok({'blue-green': {switch: ['switch', '{color}']}})).toBe(true)
    expect(ok({canary: {weight: ['w'], steps: [50, 10]}})).toBe(false)
    expect(ok('canary')).toBe(false)
  })

  test('cross-field checks: stages, needs, after, severities, services', () => {
    const messages = (input: unknown) => {
      const result = FlowConfigSchema.safeParse(input)
      return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
    }
    expect(messages({gates: {a: {run: 'x'}}, stages: {submit: ['a', 'b']}})).toEqual(['stages.submit.1: a gate defined under gates (defined: a)'])
    expect(messages({gates: {a: {run: 'x', needs: ['c']}}})).toEqual(['gates.a.needs.0: a gate defined under gates (none is defined)'])
    expect(messages({environments: {p: {after: 'staging'}}})).toEqual(['environments.p.after.0: another environment defined under environments (none is defined)'])
    expect(messages({incidents: {default_severity: 'p1'}})).toEqual(['incidents.default_severity: a severity defined under incidents.severities (defined: sev1, sev2, sev3)'])
    expect(messages({incidents: {roles: ['lead'], severities: {p1: {summary: 'x', roles: ['scribe']}}}})).toEqual(['incidents.severities.p1.roles.0: a role listed in incidents.roles (defined: lead)'])
    expect(messages({services: {api: {environments: ['prod']}}, environments: {production: {}}})).toEqual(['services.api.environments.0: an environment defined under environments (defined: production)'])
    expect(messages({environments: {pr: {preview: true}}})).toEqual(['environments.pr.preview: a preview environment needs create (or deploy)'])
    expect(messages({branches: {strategy: 'git-flow', develop: 'main'}})).toEqual(['branches.develop: with git-flow, develop must differ from main'])
  })

  test('needs cycles and promotion cycles are named', () => {
    const result = FlowConfigSchema.safeParse({gates: {a: {run: 'x', needs: ['b']}, b: {run: 'x', needs: ['c']}, c: {run: 'x', needs: ['a']}, d: {run: 'x', needs: ['d']}}, environments: {s: {after: 'p'}, p: {after: 's'}}})
    const messages = result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
    expect(messages).toEqual([
      'gates.a.needs: needs form a cycle: a → b → c → a',
      'gates.d.needs: needs form a cycle: d → d',
      'environments.s.after: after forms a cycle: s → p → s',
    ])
  })
})

describe('findCycles', () => {
  test('finds each cycle once and ignores edges to unknown nodes', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['a', 'x']],
      ['c', ['c']],
      ['d', ['a']],
    ])
    expect(findCycles(graph)).toEqual([['a', 'b'], ['c']])
    expect(findCycles(new Map([['a', ['b']], ['b', []]]))).toEqual([])
  })
})
