import {describe, expect, test} from 'vitest'
import {branchNameProblem, commitMessageProblem, coverageFromLcov, coverageFromSummary, missingRequiredFiles, scanDiffForSecrets, templateRegex} from './checks.js'

const rules = {types: ['feat', 'fix', 'chore'], scopes: [], maxHeaderLength: 50}

describe('commitMessageProblem', () => {
  test.each([
    ['feat: add login form', undefined],
    ['fix(api)!: drop v1\n\nBREAKING CHANGE: gone', undefined],
    ['feat: x\n# a comment git strips\n', undefined],
    ['Add login form', /not "type\(scope\): subject"/],
    ['feature: add login', /type "feature" is not one of feat, fix, chore/],
    ['feat:missing space', /not "type/],
    ['', /empty/],
    [`feat: ${'x'.repeat(60)}`, /66 characters long, more than 50/],
    ['feat: ok\nno blank line', /blank line/],
  ])('%j', (message, expected) => {
    const problem = commitMessageProblem(message, rules)
    if (expected === undefined) expect(problem).toBeUndefined()
    else expect(problem).toMatch(expected)
  })

  test('scopes are checked when listed', () => {
    expect(commitMessageProblem('feat(ui): x', {...rules, scopes: ['api']})).toMatch(/scope "ui" is not one of api/)
    expect(commitMessageProblem('feat(api): x', {...rules, scopes: ['api']})).toBeUndefined()
  })
})

describe('branch names', () => {
  test('templates with placeholders as wildcards', () => {
    expect(templateRegex('feature/{issue}-{slug}').test('feature/12-login')).toBe(true)
    expect(templateRegex('feature/{slug}').test('feature/')).toBe(false)
    expect(templateRegex('feat.{slug}').test('featX1')).toBe(false)
    const input = {templates: ['feature/{slug}', 'hotfix/{slug}'], exempt: ['main']}
    expect(branchNameProblem('feature/login', input)).toBeUndefined()
    expect(branchNameProblem('main', input)).toBeUndefined()
    expect(branchNameProblem('wip', input)).toBe('branch "wip" matches none of feature/{slug}, hotfix/{slug}')
    expect(branchNameProblem('wip', {...input, pattern: '^wip$'})).toBeUndefined()
  })
})

describe('scanDiffForSecrets', () => {
  const token = `ghp_${'A1b2C3d4E5'.repeat(4)}`
  const diff = [
    'diff --git a/config.js b/config.js',
    '--- a/config.js',
    '+++ b/config.js',
    '@@ -3,0 +4,3 @@',
    '+const ok = 1',
    `+const token = "${token}"`,
    '+const aws = "AKIAIOSFODNN7EXAMPLE"',
    '@@ -20 +23 @@',
    `-const removed = "${token}"`,
    '+-----BEGIN OPENSSH PRIVATE KEY-----',
    'diff --git a/docs/x.md b/docs/x.md',
    '--- a/docs/x.md',
    '+++ b/docs/x.md',
    '@@ -0,0 +1 @@',
    '+xoxb-1234567890-abcdefghij',
  ].join('\n')

  test('finds each kind on added lines only, with file and line, never the value', () => {
    const findings = scanDiffForSecrets(diff)
    expect(findings).toEqual([
      {file: 'config.js', line: 5, kind: 'GitHub token'},
      {file: 'config.js', line: 6, kind: 'AWS access key id'},
      {file: 'config.js', line: 23, kind: 'private key'},
      {file: 'docs/x.md', line: 1, kind: 'Slack token'},
    ])
    expect(JSON.stringify(findings)).not.toContain(token)
  })

  test('an allowlist, excluded files and extra patterns', () => {
    const findings = scanDiffForSecrets(diff, {allow: ['EXAMPLE$'], exclude: ['docs/**'], patterns: ['const ok']})
    expect(findings.map((f) => f.kind)).toEqual(['custom pattern', 'GitHub token', 'private key'])
  })
})

describe('coverage', () => {
  test('istanbul summary and lcov', () => {
    expect(coverageFromSummary({total: {lines: {pct: 81.5}}}, 'lines')).toBe(81.5)
    expect(coverageFromSummary({}, 'lines')).toBeUndefined()
    const lcov = 'SF:a.ts\nFNF:2\nFNH:1\nLF:10\nLH:8\nend_of_record\nSF:b.ts\nLF:10\nLH:10\nend_of_record\n'
    expect(coverageFromLcov(lcov, 'lines')).toBe(90)
    expect(coverageFromLcov(lcov, 'functions')).toBe(50)
    expect(coverageFromLcov(lcov, 'branches')).toBeUndefined()
  })
})

describe('missingRequiredFiles', () => {
  test('with when: required only when a matching path changed, then a matching file must change', () => {
    const base = {files: ['docs/design/*.md'], when: ['src/api/**'], existing: ['docs/design/old.md']}
    expect(missingRequiredFiles({...base, changed: ['src/ui/x.ts']})).toEqual({required: false, missing: []})
    expect(missingRequiredFiles({...base, changed: ['src/api/x.ts']})).toEqual({required: true, missing: ['docs/design/*.md']})
    expect(missingRequiredFiles({...base, changed: ['src/api/x.ts', 'docs/design/new.md']})).toEqual({required: true, missing: []})
  })

  test('without when: each glob must match an existing file', () => {
    expect(missingRequiredFiles({files: ['LICENSE', 'CODEOWNERS'], when: [], changed: [], existing: ['LICENSE']}).missing).toEqual(['CODEOWNERS'])
  })
})
