import {afterEach, beforeAll, beforeEach, describe, expect, test} from 'vitest'
import {FlowError} from '../../src/core/errors.js'
import {createGitHubForge} from '../../src/providers/octokit-forge.js'
import {fakeGitHub, type FakeGitHub} from '../helpers/fake-github/index.js'
import {settingsOf} from '../helpers/fake-github/routes-settings.js'
import {githubSpec} from '../helpers/fake-github/spec.js'

const TOKEN = `ghp_${'S3ttings'.repeat(5)}`
let gh: FakeGitHub

beforeAll(async () => {
  await githubSpec()
})
beforeEach(() => {
  gh = fakeGitHub({token: TOKEN})
})
afterEach(() => {
  gh.assertNoViolations()
})

const forge = () => createGitHubForge({token: TOKEN, owner: 'octo', repo: 'hello', host: 'github.com', baseUrl: 'https://api.github.com', userAgent: 'flow/0.1.0', fetch: gh.fetch, retryBaseMs: 5})

describe('GitHub settings reads (ForgeSettings)', () => {
  test('branch protection normalised; an unprotected branch is undefined, not an error', async () => {
    settingsOf(gh.repo('octo', 'hello')).protection.main = {approvals: 2, codeOwnerReviews: true, checks: ['lint'], allowDeletions: true}
    const f = await forge()
    expect(await f.getBranchProtection('main')).toEqual({
      source: 'branch protection', pullRequest: true, approvals: 2, codeOwnerReview: true, dismissStaleReviews: false, statusChecks: ['lint'], blocksForcePushes: true, blocksDeletions: false,
    })
    expect(await f.getBranchProtection('develop')).toBeUndefined()
  })

  test('a 404 that is not "Branch not protected" (no access) is FORGE_NOT_FOUND; a 403 FORGE_PERMISSION', async () => {
    const f = await forge()
    gh.fail('repos/get-branch-protection', {status: 404, body: {message: 'Not Found', documentation_url: 'https://docs.github.com/rest'}})
    expect(await f.getBranchProtection('main').catch((e: FlowError) => e.code)).toBe('FORGE_NOT_FOUND')
    gh.fail('repos/get-branch-rules', {status: 403, body: {message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest'}})
    expect(await f.getBranchRules('main').catch((e: FlowError) => e.code)).toBe('FORGE_PERMISSION')
  })

  test('rules of several rulesets merged; none is undefined', async () => {
    settingsOf(gh.repo('octo', 'hello')).rules.main = [
      {type: 'pull_request', rulesetId: 1, parameters: {required_approving_review_count: 1, dismiss_stale_reviews_on_push: false, require_code_owner_review: false, require_last_push_approval: false, required_review_thread_resolution: false}},
      {type: 'pull_request', rulesetId: 2, parameters: {required_approving_review_count: 3, dismiss_stale_reviews_on_push: true, require_code_owner_review: false, require_last_push_approval: false, required_review_thread_resolution: false}},
      {type: 'deletion', rulesetId: 2},
    ]
    const f = await forge()
    expect(await f.getBranchRules('main')).toEqual({
      source: 'rulesets 1, 2', pullRequest: true, approvals: 3, codeOwnerReview: false, dismissStaleReviews: true, statusChecks: [], blocksForcePushes: false, blocksDeletions: true,
    })
    expect(await f.getBranchRules('other')).toBeUndefined()
  })

  test('environments over several pages, with users and teams as reviewers', async () => {
    const envs = settingsOf(gh.repo('octo', 'hello')).environments
    for (let i = 0; i < 105; i++) envs.push({name: `preview-${i}`})
    envs.push({name: 'production', reviewers: [{type: 'User', name: 'alice'}, {type: 'Team', name: 'sre'}]})
    const list = await (await forge()).listEnvironments()
    expect(list).toHaveLength(106)
    expect(list.at(-1)).toEqual({name: 'production', reviewers: ['alice', 'sre'], requiresReview: true})
    expect(list[0]).toEqual({name: 'preview-0', reviewers: [], requiresReview: false})
  })
})
