import {} from 'node:fs'
import {describe, expect, test} from 'vitest'
import {runFlow} from '../helpers/e2e.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'

const flow = (repo: TempRepo, env: Record<string, string>, ...args: string[]) => runFlow(args, {cwd: repo.dir, env: {...repo.env, ...env}})

describe('flow feature: the cycle through the built binary', () => {
  test('offline with the local forge: start → commit → submit → approve → finish, then undo restores the refs', async () => {
    const repo = tempRepo()
    const env = {FLOW_OFFLINE: '1'}
    const started = await flow(repo, env, 'feature', 'start', 'login form', '--json')
    expect(started.exitCode, started.stderr).toBe(0)
    expect(started.json).toMatchObject({branch: 'feature/login-form', parent: 'main', fetched: false})
    expect(started.stderr).toContain('Offline')
    repo.commit('feat: login form')
    const submitted = await flow(repo, env, 'feature', 'submit', '--json')
    expect(submitted.exitCode, submitted.stderr).toBe(0)
    expect(submitted.json).toMatchObject({number: 1, created: true, pushed: false, forge: 'local', title: 'feat: login form'})
    const again = await flow(repo, env, 'feature', 'submit', '--json')
    expect(again.json).toMatchObject({number: 1, created: false})
    const blocked = await flow(repo, env, 'feature', 'finish', '--json')
    expect(blocked.exitCode).toBe(6)
    expect(blocked.json.error.code).toBe('POLICY_BLOCKED')
    const approved = await flow(repo, env, 'feature', 'approve', '1', '--json')
    expect(approved.exitCode, approved.stderr).toBe(0)
    const mainBefore = repo.ref('main')
    const finished = await flow(repo, env, 'feature', 'finish', '--json')
    expect(finished.exitCode, finished.stderr).toBe(0)
    expect(finished.json).toMatchObject({number: 1, change: 'minor', forge: 'local', deleted: {local: true, remote: false}})
    expect(repo.currentBranch()).toBe('main')
    expect(repo.git('log', '-1', '--format=%B', 'main')).toContain('Flow-Pull-Request: #1')
    const listed = await flow(repo, env, 'feature', 'list', '--json')
    expect(listed.json).toEqual({forge: 'local', branches: []})

    const undone = await flow(repo, env, 'undo', '--json')
    expect(undone.exitCode, undone.stderr).toBe(0)
    expect(undone.json.notUndone).toEqual([expect.objectContaining({kind: 'feature.mergePullRequest'})])
    expect(repo.ref('main')).toBe(mainBefore)
    expect(repo.currentBranch()).toBe('feature/login-form')
  })

  test('git-flow: a feature from develop finishes into develop (pushed); a hotfix starts from the release tag', async () => {
    const repo = tempRepo()
    repo.write('flow.yml', 'branches:\n  strategy: git-flow\nreview:\n  approvals: 0\n  merge: merge\n')
    repo.commit('chore: flow.yml')
    repo.git('tag', 'v1.0.0')
    repo.git('push', '-q', 'origin', 'main')
    repo.git('branch', 'develop')
    repo.git('push', '-q', 'origin', 'develop')
    const started = await flow(repo, {}, 'feature', 'start', 'api', '--json')
    expect(started.json).toMatchObject({parent: 'develop', from: 'origin/develop', fetched: true})
    repo.commit('feat: api')
    expect((await flow(repo, {}, 'feature', 'submit', '--json')).json).toMatchObject({base: 'develop', pushed: true})
    const finished = await flow(repo, {}, 'feature', 'finish', '--json')
    expect(finished.exitCode, finished.stderr).toBe(0)
    expect(finished.json).toMatchObject({base: 'develop', method: 'merge', deleted: {local: true, remote: true}})
    expect(repo.ref('develop', repo.origin)).toBe(repo.ref('develop'))
    expect(repo.git('rev-list', '--parents', '-1', 'develop').split(' ')).toHaveLength(3)
    expect(repo.ref('main', repo.origin)).toBe(repo.ref('v1.0.0'))
    const hotfix = await flow(repo, {}, 'feature', 'start', 'urgent', '--type', 'hotfix', '--json')
    expect(hotfix.json).toMatchObject({branch: 'hotfix/urgent', parent: 'main', from: 'v1.0.0'})
  })

})
