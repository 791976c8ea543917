import {describe, expect, test} from 'vitest'
import type {EnforcedBranchRules} from '../ports.js'
import {branchRules, collapseUnowned, environmentRules, mergeEnforced} from './rules.js'

const strict: EnforcedBranchRules = {source: 'branch protection', pullRequest: true, approvals: 2, codeOwnerReview: true, dismissStaleReviews: true, statusChecks: ['lint', 'test'], blocksForcePushes: true, blocksDeletions: true}
const policy = {approvals: 2, codeOwnerReview: true, statusChecks: ['lint', 'test']}
const statuses = (rules: ReturnType<typeof branchRules>) => Object.fromEntries(rules.map((r) => [r.id.split(':')[2], r.status]))

describe('branchRules', () => {
  test('strict settings pass every rule; none at all fail every rule with the same evidence', () => {
    expect(Object.values(statuses(branchRules('main', policy, strict)))).toEqual(Array(6).fill('pass'))
    const bare = branchRules('main', policy, undefined)
    expect(bare.every((r) => r.status === 'fail' && r.evidence === 'the branch has neither branch protection nor a ruleset' && r.fix)).toBe(true)
  })

  test('approvals 0 and no codeowners make the review rules not applicable; no CI gates, the checks too', () => {
    expect(statuses(branchRules('main', {approvals: 0, codeOwnerReview: false, statusChecks: []}, {...strict, approvals: 0}))).toEqual({
      reviews: 'not-applicable', 'code-owner-review': 'not-applicable', 'dismiss-stale-reviews': 'not-applicable', 'status-checks': 'not-applicable', 'force-pushes': 'pass', deletions: 'pass',
    })
  })

  test('missing checks are listed', () => {
    const checks = branchRules('main', {...policy, statusChecks: ['lint', 'test', 'flow/change']}, strict).find((r) => r.id === 'branch:main:status-checks')
    expect(checks).toMatchObject({status: 'fail', items: ['flow/change'], evidence: 'not required (branch protection): flow/change'})
  })
})

describe('mergeEnforced', () => {
  test('the strictest of protection and rulesets', () => {
    const weak: EnforcedBranchRules = {source: 'ruleset 7', pullRequest: true, approvals: 1, codeOwnerReview: false, dismissStaleReviews: false, statusChecks: ['build'], blocksForcePushes: false, blocksDeletions: true}
    expect(mergeEnforced([{...strict, approvals: 0, pullRequest: false, blocksDeletions: false}, weak, undefined])).toEqual({
      source: 'branch protection + ruleset 7', pullRequest: true, approvals: 1, codeOwnerReview: true, dismissStaleReviews: true, statusChecks: ['build', 'lint', 'test'], blocksForcePushes: true, blocksDeletions: true,
    })
    expect(mergeEnforced([undefined])).toBeUndefined()
  })
})

describe('environmentRules', () => {
  test('missing, without reviewers, missing a reviewer (teams by slug), and fine', () => {
    const rules = environmentRules(
      [{name: 'prod', approvals: 1, reviewers: ['@alice', 'org/sre']}, {name: 'staging', approvals: 0, reviewers: []}, {name: 'qa', approvals: 1, reviewers: []}, {name: 'gone', approvals: 0, reviewers: []}],
      [{name: 'prod', reviewers: ['alice'], requiresReview: true}, {name: 'staging', reviewers: [], requiresReview: false}, {name: 'qa', reviewers: [], requiresReview: false}],
    )
    expect(rules.map((r) => [r.id, r.status, r.items])).toEqual([
      ['environment:prod', 'fail', ['org/sre']], ['environment:staging', 'pass', undefined], ['environment:qa', 'fail', undefined], ['environment:gone', 'fail', undefined],
    ])
  })
})

describe('collapseUnowned', () => {
  const all = ['README.md', 'src/a.ts', 'src/b/c.ts', 'docs/x.md', 'docs/deep/y.md', 'lib/one.ts', 'lib/two.ts']
  test('a whole unowned directory is named once, the top-most; partly owned ones list their files', () => {
    expect(collapseUnowned(all, ['docs/x.md', 'docs/deep/y.md', 'lib/one.ts', 'src/b/c.ts'])).toEqual(['docs/', 'lib/one.ts', 'src/b/'])
    expect(collapseUnowned(all, [])).toEqual([])
    expect(collapseUnowned(all, ['README.md'])).toEqual(['README.md'])
  })
})
