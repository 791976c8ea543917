import {describe, expect, it} from 'vitest'
import {commitBump, parseCommit} from './commits.js'
import {logArgs, parseLog} from './history.js'
import {FlowConfigSchema} from '../config/schema.js'
import {findPackage, releasePackages} from './context.js'
import {buildNotes, changelogHasVersion, prependChangelog, renderNotes} from './notes.js'
import {tagPattern} from './tags.js'
import {maintenanceRange, nextVersion} from './version.js'

const c = (subject: string, body = '', sha = 'a'.repeat(40)) => parseCommit(sha, subject, body)
const sections = [{title: 'Features', types: ['feat']}, {title: 'Bug fixes', types: ['fix']}]

describe('parseCommit', () => {
  it('reads type, scope, !, PR number and footers', () => {
    const p = c('feat(api)!: drop v1 endpoints (#123)', 'Why it changed.\n\nRefs: #7, #8\nBREAKING CHANGE: the v1 routes are gone\n  for good\nCo-authored-by: A <a@x>')
    expect(p).toMatchObject({conventional: true, type: 'feat', scope: 'api', description: 'drop v1 endpoints', pr: 123, breaking: true, refs: [7, 8]})
    expect(p.breakingNotes).toEqual(['the v1 routes are gone\n  for good'])
    expect(p.footers.map((f) => f.token)).toEqual(['Refs', 'BREAKING CHANGE', 'Co-authored-by'])
  })
  it('takes BREAKING-CHANGE, footers over several paragraphs and the Flow-Change trailer', () => {
    const p = c('fix: x', 'Body text: not a footer? yes it is prose.\n\nRefs: #3\n\nBREAKING-CHANGE: y\n\nFlow-Change: minor')
    expect(p.breaking).toBe(true)
    expect(p.refs).toEqual([3])
    expect(p.flowChange).toBe('minor')
    expect(commitBump(c('chore: x', 'Flow-Change: minor'))).toBe('minor')
    expect(commitBump(c('Update things', 'Flow-Change: patch'))).toBe('patch')
  })
  it('keeps a body paragraph that is prose out of the footers', () => {
    expect(c('fix: y', 'This fixes the crash.\n\nMore words here.').footers).toEqual([])
  })
  it('marks non-conventional subjects and gives them no bump', () => {
    const p = c('Update README')
    expect(p.conventional).toBe(false)
    expect(commitBump(p)).toBeUndefined()
    expect(c('feat:missing space').conventional).toBe(false)
  })
  it('bumps breaking → major, feat → minor, other types → patch', () => {
    expect([c('feat!: a'), c('feat: a'), c('fix: a'), c('docs: a')].map(commitBump)).toEqual(['major', 'minor', 'patch', 'patch'])
  })
})

describe('nextVersion', () => {
  const commits = (...s: string[]) => s.map((x) => c(x))
  it('applies the largest bump', () => {
    expect(nextVersion({lastStable: '1.2.3', existing: ['1.2.3'], commits: commits('fix: a', 'feat: b')}).version).toBe('1.3.0')
    expect(nextVersion({lastStable: '1.2.3', existing: [], commits: commits('fix: a', 'feat!: b')}).version).toBe('2.0.0')
    expect(nextVersion({lastStable: '1.2.3', existing: [], commits: commits('fix: a')}).version).toBe('1.2.4')
  })
  it('0.x: feat and breaking bump the minor, fixes the patch', () => {
    expect(nextVersion({lastStable: '0.1.0', existing: [], commits: commits('feat: a')}).version).toBe('0.2.0')
    expect(nextVersion({lastStable: '0.1.0', existing: [], commits: commits('feat!: a')}).version).toBe('0.2.0')
    expect(nextVersion({lastStable: '0.1.0', existing: [], commits: commits('fix: a')}).version).toBe('0.1.1')
  })
  it('refuses a prerelease identifier that is not one (usage, not an internal error)', () => {
    for (const pre of ['$(touch x)', 'a b', 'rc..1', '', 'é', 'x'.repeat(300)]) expect(() => nextVersion({lastStable: '1.0.0', existing: [], commits: commits('feat: a'), pre})).toThrow(/not a prerelease identifier/)
  })
  it('numbers prereleases and promotes without --pre', () => {
    const base = {lastStable: '1.2.0', commits: commits('feat: a')}
    expect(nextVersion({...base, existing: ['1.2.0'], pre: 'rc'}).version).toBe('1.3.0-rc.1')
    expect(nextVersion({...base, existing: ['1.2.0', '1.3.0-rc.1'], pre: 'rc'}).version).toBe('1.3.0-rc.2')
    expect(nextVersion({...base, existing: ['1.2.0', '1.3.0-rc.1', '1.3.0-rc.2', '1.3.0-beta.4'], pre: 'beta'}).version).toBe('1.3.0-beta.5')
    expect(nextVersion({...base, existing: ['1.2.0', '1.3.0-rc.1', '1.3.0-rc.2']}).version).toBe('1.3.0')
  })
  it('refuses nothing to release, a taken version, and a version below the last', () => {
    expect(() => nextVersion({lastStable: '1.0.0', existing: [], commits: commits('Merge stuff')})).toThrow(/Nothing to release/)
    expect(() => nextVersion({lastStable: '1.0.0', existing: ['1.1.0'], commits: commits('feat: a')})).toThrow(/already tagged/)
    expect(() => nextVersion({lastStable: '1.0.0', existing: [], commits: [], version: 'abc'})).toThrow(/not a semantic version/)
    expect(nextVersion({lastStable: '1.0.0', existing: [], commits: [], version: 'v3.0.0'}).version).toBe('3.0.0')
  })
  it('first release: 0.1.0, or 1.0.0 with a breaking change', () => {
    expect(nextVersion({existing: [], commits: commits('feat: a')}).version).toBe('0.1.0')
    expect(nextVersion({existing: [], commits: commits('feat!: a')}).version).toBe('1.0.0')
  })
  it('keeps a maintenance branch inside its range, refusing with the reason', () => {
    expect(maintenanceRange('1.x')).toEqual({range: '>=1.0.0 <2.0.0', label: '1.x'})
    expect(maintenanceRange('release/1.2.x')).toEqual({range: '>=1.2.0 <1.3.0', label: '1.2.x'})
    expect(maintenanceRange('main')).toBeUndefined()
    expect(nextVersion({lastStable: '1.2.0', existing: [], commits: commits('feat: a'), branch: '1.x'}).version).toBe('1.3.0')
    expect(() => nextVersion({lastStable: '1.2.0', existing: [], commits: commits('feat!: a'), branch: '1.x'})).toThrow(/outside the maintenance line 1.x.*major bump/)
    expect(() => nextVersion({lastStable: '1.2.0', existing: [], commits: commits('feat: a'), branch: '1.2.x'})).toThrow(/outside the maintenance line 1.2.x/)
    expect(nextVersion({lastStable: '1.2.0', existing: [], commits: commits('fix: a'), branch: '1.2.x'}).version).toBe('1.2.1')
  })
})

describe('tags', () => {
  it('formats and parses v{version} and prefix patterns', () => {
    const t = tagPattern('v{version}')
    expect(t.format('1.2.3')).toBe('v1.2.3')
    expect(t.parse('v1.2.3-rc.1')).toBe('1.2.3-rc.1')
    expect(t.parse('1.2.3')).toBeUndefined()
    expect(t.parse('v1.2')).toBeUndefined()
    expect(tagPattern('release-{version}-final').parse('release-2.0.0-final')).toBe('2.0.0')
  })

  it('package patterns: a@ never takes b@ (or a-b@), v{version} and {name}@{version} never take each other', () => {
    const a = tagPattern('{name}@{version}', 'a')
    const b = tagPattern('{name}@{version}', 'b')
    const root = tagPattern('v{version}')
    expect(a.format('1.0.0')).toBe('a@1.0.0')
    expect(tagPattern('{package}/v{version}', '@scope/web').format('2.0.0')).toBe('@scope/web/v2.0.0')
    expect([a.parse('a@1.0.0'), a.parse('b@2.0.0'), a.parse('a-b@1.0.0'), a.parse('v1.0.0')]).toEqual(['1.0.0', undefined, undefined, undefined])
    expect([b.parse('b@2.0.0'), b.parse('a@1.0.0')]).toEqual(['2.0.0', undefined])
    expect([root.parse('a@1.0.0'), root.parse('v1.0.0')]).toEqual([undefined, '1.0.0'])
    expect(tagPattern('{name}-{version}', 'a').parse('a-b-1.0.0')).toBeUndefined()
    expect(() => tagPattern('{name}@{version}')).toThrow(/no package was chosen/)
  })
})

describe('release.packages (config)', () => {
  const parse = (release: unknown) => FlowConfigSchema.safeParse({release})
  it('fills the defaults: tag {name}@{version} (or release.tag with {name}), changelog <path>/CHANGELOG.md', () => {
    const config = FlowConfigSchema.parse({release: {packages: {a: {path: './packages/a/'}, b: {path: 'packages/b', tag: 'b-v{version}', changelog: false, bump: []}}}})
    expect(releasePackages(config.release)).toEqual([
      {name: 'a', path: 'packages/a', tag: '{name}@{version}', changelog: 'packages/a/CHANGELOG.md'},
      {name: 'b', path: 'packages/b', tag: 'b-v{version}', changelog: false, bump: []},
    ])
    const shared = FlowConfigSchema.parse({release: {tag: '{name}/v{version}', packages: {a: {path: 'a'}}}})
    expect(releasePackages(shared.release)[0]!.tag).toBe('{name}/v{version}')
    expect(() => findPackage(config.release, 'c')).toThrow(/No package c.*/)
  })
  it('refuses a {name} tag without packages, two packages sharing tags or a path, a path outside', () => {
    expect(parse({tag: '{name}@{version}'}).success).toBe(false)
    expect(parse({packages: {a: {path: 'a', tag: 'x{version}'}, b: {path: 'b', tag: 'x{version}'}}}).success).toBe(false)
    expect(parse({packages: {a: {path: 'a'}, b: {path: './a/'}}}).success).toBe(false)
    expect(parse({packages: {a: {path: '../a'}}}).success).toBe(false)
    expect(parse({packages: {a: {path: 'a', tag: '{nom}@{version}'}}}).success).toBe(false)
    expect(parse({packages: {a: {path: 'a'}, b: {path: 'b'}}}).success).toBe(true)
  })
  it('logArgs limits the one git log to the package path', () => {
    expect(logArgs(['v1..HEAD'], ['packages/a']).slice(-3)).toEqual(['v1..HEAD', '--', 'packages/a'])
  })
})

describe('parseLog', () => {
  it('splits NUL/record-separated commits, bodies with blank lines included', () => {
    const out = `${'1'.repeat(40)}\x00feat: a\x00body\n\nRefs: #2\n\x1e\n${'2'.repeat(40)}\x00fix: b\x00\x1e\n`
    const seen: string[] = []
    parseLog(out, (x) => seen.push(`${x.sha[0]} ${x.type} ${x.refs.join()}`))
    expect(seen).toEqual(['1 feat 2', '2 fix '])
  })
})

describe('notes', () => {
  const commits = [c('feat(api): add x (#4)', '', '1'.repeat(40)), c('fix: y', 'BREAKING CHANGE: z', '2'.repeat(40)), c('chore: tidy'), c('WIP')]
  it('groups by section, lists breaking changes, counts the rest, keeps non-conventional commits', () => {
    const notes = buildNotes(commits, sections, {version: '1.3.0', date: '2026-01-02'})
    expect(notes.sections.map((s) => s.entries.length)).toEqual([1, 1])
    expect(notes.breaking.map((b) => b.note)).toEqual(['z'])
    expect(notes.other).toEqual({chore: 1})
    expect(notes.nonConventional.map((n) => n.subject)).toEqual(['WIP'])
    expect(notes.commits).toBe(4)
    const md = renderNotes(notes, {repoUrl: 'https://github.com/o/r'})
    expect(md).toContain('## [1.3.0] - 2026-01-02')
    expect(md).toContain('### Breaking changes\n\n- z')
    expect(md).toContain('- **api:** add x ([#4](https://github.com/o/r/pull/4)) ([1111111](https://github.com/o/r/commit/1111111111111111111111111111111111111111))')
    expect(md).toContain('_Also: 1 chore, 1 without a conventional type._')
  })
  it('prepends under the heading and after Unreleased, never rewriting', () => {
    const old = '# Changelog\n\nIntro.\n\n## [Unreleased]\n\n- soon\n\n## [1.0.0] - 2020-01-01\n\n- old\n'
    const next = prependChangelog(old, '## [1.1.0] - 2026-01-01\n\n- new\n')
    expect(next).toBe('# Changelog\n\nIntro.\n\n## [Unreleased]\n\n- soon\n\n## [1.1.0] - 2026-01-01\n\n- new\n\n## [1.0.0] - 2020-01-01\n\n- old\n')
    expect(prependChangelog(undefined, '## [0.1.0]\n')).toMatch(/^# Changelog\n[\s\S]*## \[0\.1\.0\]\n$/)
    expect(prependChangelog('# Changes\n', '## [0.1.0]\n')).toBe('# Changes\n\n## [0.1.0]\n')
    expect(changelogHasVersion(next, '1.1.0')).toBe(true)
    expect(changelogHasVersion(next, '1.1')).toBe(false)
  })
})
