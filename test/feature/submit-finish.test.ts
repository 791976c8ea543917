import {spawnSync} from 'node:child_process'
import {afterEach, beforeAll, describe, expect, test} from 'vitest'
import {approveFeature} from '../../src/core/feature/approve-feature.js'
import {finishFeature} from '../../src/core/feature/finish-feature.js'
import {startFeature} from '../../src/core/feature/start-feature.js'
import {submitFeature} from '../../src/core/feature/submit-feature.js'
import {undoRun} from '../../src/engine/undo.js'
import {createGitHubForge} from '../../src/providers/octokit-forge.js'
import {fakeGitHub, type FakeGitHub} from '../helpers/fake-github/index.js'
import {githubSpec} from '../helpers/fake-github/spec.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'
import {featureDeps, type FeatureDepsOptions} from './feature-deps.js'

let github: FakeGitHub | undefined
beforeAll(async () => {
  await githubSpec()
})
afterEach(() => {
  github?.assertNoViolations()
  github = undefined
})

async function githubDeps(repo: TempRepo, config?: FeatureDepsOptions['config']) {
  github = fakeGitHub({headSha: (_o, _r, branch) => {
    const r = spawnSync('git', ['rev-parse', '-q', '--verify', `refs/heads/${branch}`], {cwd: repo.origin, env: repo.env, encoding: 'utf8'})
    return r.status === 0 ? r.stdout.trim() : undefined
  }})
  const forge = await createGitHubForge({token: 't', owner: 'octo', repo: 'hello', host: 'github.com', baseUrl: 'https://api.github.com', userAgent: 'flow-test', fetch: github.fetch, retries: 0})
  return featureDeps(repo, {forge, config})
}

describe('submit, approve and finish on the local forge', () => {
  test('a template body merged with the commits; submit twice leaves one review request; finish squashes with trailers', async () => {
    const repo = tempRepo()
    repo.commit('docs: template', {'.github/pull_request_template.md': '## Why\n\nExplain.\n'})
    repo.git('push', '-q', 'origin', 'main')
    const deps = featureDeps(repo)
    await startFeature(deps, {name: 'login'})
    repo.commit('feat: login form')
    repo.commit('fix: typo')
    const first = await submitFeature(deps, {reviewers: ['alice', 'octo/platform'], labels: ['api']})
    expect(first).toMatchObject({created: true, number: 1, base: 'main', title: 'Login', pushed: true, forge: 'local'})
    expect(first.warnings[0]).toMatch(/Conventional Commits/)
    expect(repo.ref('refs/heads/feature/login', repo.origin)).toBe(repo.ref('HEAD'))
    expect(repo.git('config', 'branch.feature/login.merge')).toBe('refs/heads/feature/login')
    repo.commit('feat: remember me')
    const second = await submitFeature(deps, {title: 'feat: login form'})
    expect(second).toMatchObject({created: false, number: 1, title: 'feat: login form'})
    const forge = await deps.forge()
    const pr = await forge.getPullRequest(1)
    expect(pr.body).toMatch(/^## Why\n\nExplain\.\n\n<!-- flow:commits -->/)
    expect(pr.body.match(/flow:commits -->/g)).toHaveLength(2)
    expect(pr.body).toContain('- feat: remember me')
    expect((await deps.store.events('reviews', 'PR-1')).map((e) => e.type)).toEqual(['opened', 'review-requested', 'updated'])

    await expect(finishFeature(deps, {})).rejects.toMatchObject({code: 'POLICY_BLOCKED', exit: 6})
    await approveFeature(deps, {})
    const mainBefore = repo.ref('main')
    const finished = await finishFeature(deps, {})
    expect(finished).toMatchObject({number: 1, method: 'squash', change: 'minor', deleted: {local: true, remote: true}, approvals: {required: 1, approved: ['author@example.com']}})
    expect(repo.currentBranch()).toBe('main')
    expect(repo.ref('refs/heads/feature/login')).toBeNull()
    expect(repo.ref('refs/heads/feature/login', repo.origin)).toBeNull()
    expect(repo.ref('main', repo.origin)).toBe(finished.mergeSha)
    expect(repo.git('log', '-1', '--format=%B', 'main')).toBe('feat: login form\n\n* feat: login form\n* fix: typo\n* feat: remember me\n\nFlow-Change: minor\nFlow-Pull-Request: #1')
    expect(repo.git('rev-parse', 'main^')).toBe(mainBefore)
    expect((await forge.getPullRequest(1)).state).toBe('merged')

    const undone = await undoRun(deps)
    expect(undone.notUndone.map((s) => s.kind)).toEqual(['feature.mergePullRequest'])
    expect(repo.ref('main')).toBe(mainBefore)
    expect(repo.ref('main', repo.origin)).toBe(mainBefore)
    expect(repo.ref('refs/heads/feature/login')).not.toBeNull()
    expect(repo.ref('refs/heads/feature/login', repo.origin)).not.toBeNull()
    expect(repo.currentBranch()).toBe('feature/login')
  })

  test('rebase and merge methods, and a stacked child moved onto the base', async () => {
    for (const method of ['rebase', 'merge'] as const) {
      const repo = tempRepo()
      const deps = featureDeps(repo, {config: (c) => {
        c.review.merge = method
        c.review.approvals = 0
      }})
      await startFeature(deps, {name: 'parent'})
      repo.commit('feat: a')
      repo.commit('feat!: b')
      await submitFeature(deps, {})
      await startFeature(deps, {name: 'child', stack: true})
      repo.commit('fix: c')
      await submitFeature(deps, {})
      repo.git('checkout', '-q', 'feature/parent')
      const finished = await finishFeature(deps, {})
      expect(finished).toMatchObject({method, change: 'major', retargeted: ['feature/child']})
      expect(repo.git('config', 'branch.feature/child.flow-parent')).toBe('main')
      expect((await (await deps.forge()).findPullRequest({head: 'feature/child'}))?.base).toBe('main')
      const subjects = repo.git('log', '--format=%s', 'main').split('\n')
      expect(subjects.slice(0, method === 'rebase' ? 2 : 1)).toEqual(method === 'rebase' ? ['feat!: b', 'feat: a'] : ['Parent'])
    }
  })
})

describe('worktrees and dry runs', () => {
  test('finish never moves a base checked out in another worktree: the merge goes to origin only', async () => {
    const repo = tempRepo()
    const deps = featureDeps(repo, {config: (c) => {
      c.review.approvals = 0
    }})
    await startFeature(deps, {name: 'wt'})
    repo.commit('fix: in a worktree world')
    await submitFeature(deps, {})
    repo.git('worktree', 'add', '-q', `${repo.scratch}/main-wt`, 'main')
    const mainBefore = repo.ref('main')
    const finished = await finishFeature(deps, {})
    expect(finished.notes.join('\n')).toMatch(/main is checked out in another worktree/)
    expect(repo.ref('main')).toBe(mainBefore)
    expect(repo.git('log', '-1', '--format=%s', 'origin/main')).toBe('fix: in a worktree world')
    expect(repo.ref('main', repo.origin)).toBe(finished.mergeSha)
    expect(repo.currentBranch()).toBe('feature/wt')
    expect(repo.git('for-each-ref', 'refs/flow/land')).toBe('')
  })

  test('--dry-run prints the plan and changes nothing', async () => {
    const repo = tempRepo()
    const deps = featureDeps(repo, {config: (c) => {
      c.review.approvals = 0
    }})
    const dry = await startFeature(deps, {name: 'dry', dryRun: true})
    expect(dry.steps?.map((s) => s.kind)).toEqual(['git.fetch', 'feature.startBranch'])
    expect(repo.ref('refs/heads/feature/dry')).toBeNull()
    await startFeature(deps, {name: 'dry'})
    repo.commit('fix: dry')
    const submit = await submitFeature(deps, {dryRun: true, labels: ['x']})
    expect(submit.steps?.map((s) => s.kind)).toEqual(['git.push', 'git.setConfig', 'git.setConfig', 'feature.openPullRequest', 'feature.requestReview'])
    expect(repo.ref('refs/heads/feature/dry', repo.origin)).toBeNull()
    expect(await (await deps.forge()).findPullRequest({head: 'feature/dry'})).toBeUndefined()
    await submitFeature(deps, {})
    const main = repo.ref('main')
    const finish = await finishFeature(deps, {dryRun: true})
    expect(finish.steps?.map((s) => s.kind)).toEqual(['feature.landLocal', 'git.push', 'feature.mergePullRequest', 'git.fetch', 'git.checkout', 'git.deleteRef', 'git.setConfig', 'git.push'])
    expect(repo.ref('main')).toBe(main)
    expect(repo.currentBranch()).toBe('feature/dry')
  })
})

describe('git-flow hotfixes', () => {
  test('a hotfix from the release tag merges into main and back into develop, both pushed', async () => {
    const repo = tempRepo()
    repo.git('tag', 'v1.0.0')
    repo.git('branch', 'develop')
    repo.git('push', '-q', 'origin', 'develop')
    const deps = featureDeps(repo, {config: (c) => {
      c.branches.strategy = 'git-flow'
      c.review.approvals = 0
    }})
    await startFeature(deps, {name: 'feature on develop'})
    repo.commit('feat: on develop', {'dev.txt': 'dev'})
    repo.git('push', '-q', 'origin', 'HEAD:develop')
    repo.git('checkout', '-q', 'main')
    const started = await startFeature(deps, {name: 'urgent', type: 'hotfix'})
    expect(started).toMatchObject({branch: 'hotfix/urgent', parent: 'main', from: 'v1.0.0'})
    repo.commit('fix: urgent', {'fix.txt': 'fixed'})
    await submitFeature(deps, {})
    const finished = await finishFeature(deps, {})
    expect(finished).toMatchObject({base: 'main', backMerged: 'develop', notes: []})
    for (const ref of ['main', 'develop']) {
      expect(repo.git('show', `${ref}:fix.txt`)).toBe('fixed')
      expect(repo.ref(ref, repo.origin)).toBe(repo.ref(ref))
    }
    expect(repo.git('show', 'develop:dev.txt')).toBe('dev')
    expect(repo.git('log', '-1', '--format=%s', 'develop')).toBe('Merge main into develop (#1: fix: urgent)')
  })
})

describe('submit and finish on GitHub (the fake, validated against the spec)', () => {
  test('one pull request after two submits; reviewers (users, teams), labels, assignees; merge with the head guard', async () => {
    const repo = tempRepo()
    const deps = await githubDeps(repo)
    await startFeature(deps, {name: 'search'})
    repo.commit('feat: search box')
    const first = await submitFeature(deps, {reviewers: ['alice', 'octo/platform'], labels: ['ui'], assignees: ['bob'], draft: true})
    expect(first).toMatchObject({created: true, number: 1, title: 'feat: search box', forge: 'github', warnings: []})
    await submitFeature(deps, {})
    const pulls = github!.repo('octo', 'hello').pulls
    expect(pulls).toHaveLength(1)
    expect(pulls[0]).toMatchObject({draft: true, requestedReviewers: ['alice'], requestedTeams: ['platform'], labels: ['ui'], assignees: ['bob'], base: 'main'})
    await expect(finishFeature(deps, {})).rejects.toMatchObject({code: 'POLICY_BLOCKED'})
    await approveFeature(deps, {number: 1})
    const finished = await finishFeature(deps, {})
    expect(finished).toMatchObject({number: 1, forge: 'github', deleted: {local: true, remote: true}})
    const merge = github!.requests.find((r) => r.operationId === 'pulls/merge')!
    expect(merge.body).toMatchObject({merge_method: 'squash', sha: first.number && pulls[0]!.headSha, commit_title: 'feat: search box (#1)'})
    expect((merge.body as {commit_message: string}).commit_message).toContain('Flow-Change: minor\nFlow-Pull-Request: #1')
    expect(repo.currentBranch()).toBe('main')
  })

  test('a branch that moved after the push is not merged', async () => {
    const repo = tempRepo()
    const deps = await githubDeps(repo, (c) => {
      c.review.approvals = 0
    })
    await startFeature(deps, {name: 'moved'})
    repo.commit('fix: one')
    await submitFeature(deps, {})
    repo.commit('fix: two')
    await expect(finishFeature(deps, {})).rejects.toMatchObject({code: 'POLICY_BLOCKED', message: expect.stringMatching(/is not what pull request #1 shows/)})
    expect(github!.requests.some((r) => r.operationId === 'pulls/merge')).toBe(false)
  })

  test('codeowners: the owners of the changed files, last matching rule wins', async () => {
    const repo = tempRepo()
    repo.commit('chore: owners', {'.github/CODEOWNERS': '* @everyone\n/src/ @octo/core\n/src/ui/ @carol\n'})
    repo.git('push', '-q', 'origin', 'main')
    const deps = await githubDeps(repo)
    await startFeature(deps, {name: 'ui'})
    repo.commit('feat: button', {'src/ui/button.ts': 'x', 'src/api.ts': 'y'})
    const submitted = await submitFeature(deps, {reviewers: ['codeowners']})
    expect(submitted.reviewers).toEqual(['carol', 'octo/core'])
    expect(github!.repo('octo', 'hello').pulls[0]).toMatchObject({requestedReviewers: ['carol'], requestedTeams: ['core']})
  })
})
