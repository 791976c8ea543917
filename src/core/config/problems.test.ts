import {describe, expect, test} from 'vitest'
import {describeFound, didYouMean, editDistance, formatPath, formatProblem} from './problems.js'
import {parseConfigText, validateConfigText} from './validate.js'

describe('did you mean', () => {
  test('edit distance counts insertions, deletions, substitutions and transpositions', () => {
    expect(editDistance('health', 'health')).toBe(0)
    expect(editDistance('healh', 'health')).toBe(1)
    expect(editDistance('sqaush', 'squash')).toBe(1)
    expect(editDistance('kitten', 'sitting')).toBe(3)
    expect(editDistance('', 'abc')).toBe(3)
  })

  test('suggests the closest candidate only when it is close', () => {
    expect(didYouMean('aprovals', ['merge', 'approvals', 'reviewers'])).toBe('approvals')
    expect(didYouMean('Enviroments', ['environments', 'gates'])).toBe('environments')
    expect(didYouMean('banana', ['merge', 'approvals'])).toBeUndefined()
    expect(didYouMean('run', ['run'])).toBeUndefined()
  })
})

describe('words', () => {
  test('found values in words', () => {
    expect(describeFound(undefined)).toBe('nothing')
    expect(describeFound(null)).toBe('nothing')
    expect(describeFound('fast')).toBe('"fast"')
    expect(describeFound(30)).toBe('30')
    expect(describeFound([])).toBe('an empty list')
    expect(describeFound([50, 10])).toBe('[50,10]')
    expect(describeFound({})).toBe('an empty mapping')
    expect(describeFound({a: 1})).toBe('a mapping')
  })

  test('paths use dots for keys and brackets for list items', () => {
    expect(formatPath(['environments', 'production', 'health', 'interval'])).toBe('environments.production.health.interval')
    expect(formatPath(['stages', 'submit', 2])).toBe('stages.submit[2]')
    expect(formatPath([])).toBe('')
  })
})

const FIVE_MISTAKES = `version: 1
review:
  merge: sqaush
gates:
  lint: {run: [npm, run, lint]}
  test:
    run: npm test
    timeout: 5
stages:
  submit: [lint, tests]
environments:
  production:
    healh:
      url: http://localhost/health
    deploy: [./deploy.sh]
  staging:
    health: {url: "http://x", interval: fast}
`

describe('validateConfigText', () => {
  test('a key with a newline in it still makes a one-line problem (found by fuzzing)', () => {
    const [first] = validateConfigText('"a\\nb": 1\n', 'flow.yml').map(formatProblem)
    expect(first).toMatch(/^flow\.yml:1:1 a\\nb: unknown key "a\\nb"; expected one of: version, /)
    expect(first).not.toContain('\n')
  })

  test('an alias to no anchor, or a merge (<<) of a scalar, is a problem at its place, not a crash (found by fuzzing)', () => {
    expect(validateConfigText('gates:\n  lint: *nothing\n', 'flow.yml').map(formatProblem)).toEqual([
      'flow.yml:2:9 gates.lint: invalid YAML: Unresolved alias (the anchor must be set before the alias): nothing',
    ])
    expect(validateConfigText('review:\n  <<: 3\n', 'flow.yml').map(formatProblem)).toEqual([
      'flow.yml:2:3 review.<<: invalid YAML: Merge sources must be maps or map aliases',
    ])
  })

  test('a file with five different mistakes reports all five, each at its key or value', () => {
    const problems = validateConfigText(FIVE_MISTAKES, 'flow.yml')
    expect(problems.map(formatProblem)).toEqual([
      'flow.yml:3:10 review.merge: expected one of squash, rebase, merge, found "sqaush" (did you mean squash?)',
      'flow.yml:8:14 gates.test.timeout: expected a duration like 30s, found 5',
      'flow.yml:10:18 stages.submit[1]: expected a gate defined under gates (defined: lint, test), found "tests" (did you mean test?)',
      'flow.yml:13:5 environments.production.healh: unknown key "healh" (did you mean health?)',
      'flow.yml:17:41 environments.staging.health.interval: expected a duration like 30s, found "fast"',
    ])
    expect(problems[3]).toEqual({
      file: 'flow.yml',
      line: 13,
      column: 5,
      path: 'environments.production.healh',
      message: 'unknown key "healh"',
      expected: expect.stringContaining('one of: description, url, deploy, rollback, health'),
      found: '"healh"',
      suggestion: 'health',
    })
  })

  test('a wrong type says what was expected and what was found', () => {
    const [problem] = validateConfigText('review:\n  approvals: two\n', 'flow.yml')
    expect(problem).toMatchObject({line: 2, column: 14, path: 'review.approvals', expected: 'a whole number', found: '"two"'})
  })

  test('a missing required key points at its parent key', () => {
    const [problem] = validateConfigText('environments:\n  prod:\n    strategy:\n      canary:\n        steps: [10, 100]\n', 'flow.yml')
    expect(problem).toMatchObject({line: 4, column: 7, path: 'environments.prod.strategy.canary.weight', found: 'nothing', message: expect.stringContaining('(the key is missing)')})
  })

  test('a mapping that fits none of the forms of a union says which forms there are', () => {
    const [problem] = validateConfigText('environments:\n  prod:\n    health:\n      interval: 2s\n', 'flow.yml')
    expect(problem).toMatchObject({line: 4, column: 7, path: 'environments.prod.health', expected: 'a health check: {url: ...} or {command: ...}', found: 'a mapping'})
  })

  test('unions are reported in the branch the user meant', () => {
    const problems = validateConfigText('gates:\n  a: {builtin: no-secret}\n  b: {run: [1]}\n  c: {run: x, neds: []}\n', 'flow.yml')
    expect(problems.map(formatProblem)).toEqual([
      'flow.yml:2:16 gates.a.builtin: expected one of conventional-commits, branch-name, no-secrets, coverage, required-files, dependency-audit, api-compatibility, found "no-secret" (did you mean no-secrets?)',
      'flow.yml:3:13 gates.b.run[0]: expected a string, found 1',
      'flow.yml:4:15 gates.c.neds: unknown key "neds" (did you mean needs?)',
    ])
  })

  test('an unknown key without a close match lists the keys allowed there', () => {
    const [problem] = validateConfigText('docs:\n  banana: 1\n', 'flow.yml')
    expect(problem?.message).toBe('unknown key "banana"; expected one of: output')
    expect(problem?.suggestion).toBeUndefined()
  })

  test('a needs cycle is named at the first gate of the cycle', () => {
    const problems = validateConfigText('gates:\n  a: {run: x, needs: [b]}\n  b: {run: x, needs: [a]}\n', 'flow.yml')
    expect(problems.map(formatProblem)).toEqual(['flow.yml:2:22 gates.a.needs: needs form a cycle: a → b → a'])
  })

  test('duplicate keys are errors with their position', () => {
    const problems = validateConfigText('review:\n  merge: squash\n  merge: rebase\n', 'flow.yml')
    expect(problems).toEqual([expect.objectContaining({line: 3, column: 3, path: 'review.merge', message: expect.stringContaining('duplicate key "merge"')})])
  })

  test('YAML syntax errors are reported with their position, and nothing else', () => {
    const problems = validateConfigText('review:\n  merge: [squash\nbogus: 1\n', 'flow.yml')
    expect(problems.length).toBeGreaterThan(0)
    expect(problems.every((p) => p.message.startsWith('invalid YAML'))).toBe(true)
    expect(problems[0]?.line).toBeGreaterThan(1)
  })

  test('an empty file or a file of comments is valid', () => {
    expect(parseConfigText('', 'flow.yml')).toMatchObject({problems: [], config: {version: 1}})
    expect(parseConfigText('# nothing yet\n', 'flow.yml').problems).toEqual([])
  })

  test('a file that is not a mapping is one problem at 1:1', () => {
    expect(validateConfigText('- a\n- b\n', 'flow.yml')).toEqual([expect.objectContaining({line: 1, column: 1, path: '', message: 'expected a mapping, found ["a","b"]'})])
  })

  test('YAML anchors and merge keys are understood', () => {
    const text = 'gates:\n  base: &base {run: [x], timeout: 2m}\n  other:\n    <<: *base\n    run: [y]\n'
    const {problems, config} = parseConfigText(text, 'flow.yml')
    expect(problems).toEqual([])
    expect(config?.gates.other).toMatchObject({run: ['y'], timeout: '2m'})
  })
})
