import {describe, expect, test} from 'vitest'
import {approvers} from './finish-feature.js'
import {changeSize, checkName, isConventional, pullRequestBody, pullRequestTitle, renderBranchName, slugify, splitReviewers, squashMessage} from './names.js'

const commit = (subject: string, body = '') => ({sha: `${subject.length}`.padEnd(40, 'a'), subject, body})

describe('branch names', () => {
  test('slugs', () => {
    expect(slugify('Login Form!')).toBe('login-form')
    expect(slugify('  Ünïcodé  façade ')).toBe('unicode-facade')
    expect(slugify('---')).toBe('')
    expect(slugify('a'.repeat(80))).toHaveLength(60)
  })

  test('templates: slug, issue, user, date; slashes in the name stay path segments', () => {
    const date = new Date('2026-03-04T23:59:00Z')
    expect(renderBranchName('feature/{slug}', {name: 'Login Form'})).toBe('feature/login-form')
    // found by fuzzing against git check-ref-format
    expect(renderBranchName('release/{version}', {name: 'x', version: '../../etc'})).toBe('release/etc')
    expect(renderBranchName('release/{version}', {name: 'x', version: '@{-1}'})).toBe('release/1')
    expect(renderBranchName('release/{version}', {name: 'x', version: ' .8.+f.'})).toBe('release/8.+f')
    expect(renderBranchName('{user}/{issue}-{slug}', {name: 'x', issue: 'PROJ-42', user: 'Ada Lovelace'})).toBe('ada-lovelace/proj-42-x')
    expect(renderBranchName('f/{date}-{slug}', {name: 'api/retry', date})).toBe('f/2026-03-04-api/retry')
    expect(() => renderBranchName('f/{issue}', {name: 'x'})).toThrow(/needs \{issue\}.*--issue/)
    expect(() => renderBranchName('f/{slug}', {name: '!!!'})).toThrow(/no letters or digits/)
  })

  test.each([';rm', '$(x)', '`x`', '-x', 'a\nb', 'a|b', 'a&b', "a'b", 'a>b', 'a\tb'])('refuses %j with USAGE (exit 2)', (name) => {
    expect(() => checkName(name, 'name', {spaces: true})).toThrow(expect.objectContaining({code: 'USAGE', exit: 2}))
  })

  test('accepts ordinary names; spaces only where the name is slugged', () => {
    expect(() => checkName('Login form', 'name', {spaces: true})).not.toThrow()
    expect(() => checkName('release/1.2', 'base')).not.toThrow()
    expect(() => checkName('my base', 'base')).toThrow(expect.objectContaining({code: 'USAGE'}))
  })
})

describe('pull request title and body', () => {
  test('title: --title, else the single commit subject, else from the branch name', () => {
    expect(pullRequestTitle({title: ' feat: x \nmore', commits: [], branch: 'b'})).toBe('feat: x')
    expect(pullRequestTitle({commits: [commit('fix: one')], branch: 'feature/a'})).toBe('fix: one')
    expect(pullRequestTitle({commits: [commit('a'), commit('b')], branch: 'feature/login-form_v2'})).toBe('Login form v2')
  })

  test('conventional check', () => {
    expect(isConventional('feat(ui)!: x', ['feat'])).toBe(true)
    expect(isConventional('feat: x', ['fix'])).toBe(false)
    expect(isConventional('Login form', ['feat'])).toBe(false)
  })

  test('body: the template kept, the commit list added; an update replaces only the list', () => {
    const first = pullRequestBody({template: '## Why\n', commits: [commit('feat: a')]})
    expect(first).toBe('## Why\n\n<!-- flow:commits -->\n## Commits\n\n- feat: a (7aaaaaa)\n<!-- /flow:commits -->\n')
    const edited = first.replace('## Why\n', '## Why\n\nBecause.\n')
    const second = pullRequestBody({commits: [commit('feat: a'), commit('fix: b')], previous: edited})
    expect(second).toContain('Because.')
    expect(second).toContain('- fix: b')
    expect(second.match(/<!-- flow:commits -->/g)).toHaveLength(1)
    expect(pullRequestBody({commits: [commit('x')], previous: 'written by hand'})).toMatch(/^written by hand\n\n<!-- flow:commits -->/)
    expect(pullRequestBody({commits: []})).toContain('(none yet)')
  })
})

describe('squash message and change size', () => {
  test('breaking → major, feat → minor, else patch', () => {
    expect(changeSize([commit('fix: a'), commit('docs: b')])).toBe('patch')
    expect(changeSize([commit('fix: a'), commit('feat: b')])).toBe('minor')
    expect(changeSize([commit('feat(api)!: b')])).toBe('major')
    expect(changeSize([commit('fix: a', 'BREAKING CHANGE: gone')])).toBe('major')
    expect(changeSize([commit('Update readme')])).toBe('patch')
  })

  test('title, commit list, trailers', () => {
    expect(squashMessage({title: 'feat: login', number: 7, commits: [commit('feat: a'), commit('fix: b')]}))
      .toBe('feat: login\n\n* feat: a\n* fix: b\n\nFlow-Change: minor\nFlow-Pull-Request: #7\n')
  })
})

describe('reviewers', () => {
  test('reviewers split into users and team slugs', () => {
    expect(splitReviewers(['@alice', 'octo/core', 'bob'])).toEqual({users: ['alice', 'bob'], teams: ['core']})
  })
})

describe('approvals', () => {
  test('the latest approving or blocking review per reviewer counts; comments do not', () => {
    const r = (author: string, state: 'approved' | 'changes_requested' | 'commented' | 'dismissed') => ({id: Math.random(), author, state})
    expect(approvers([r('a', 'approved'), r('b', 'changes_requested'), r('a', 'commented'), r('c', 'approved'), r('c', 'dismissed')])).toEqual(['a'])
    expect(approvers([r('b', 'changes_requested'), r('b', 'approved')])).toEqual(['b'])
  })
})
