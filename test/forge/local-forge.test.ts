import {describe, expect, test} from 'vitest'
import {FlowError} from '../../src/core/errors.js'
import {LocalForge} from '../../src/providers/local-forge.js'
import {countingIds, MemoryRecordStore, steppingClock} from '../helpers/memory-record-store.js'

function setup(options: {resolveRef?: (ref: string) => Promise<string | undefined>} = {}) {
  const clock = steppingClock('2026-03-01T10:00:00.000Z')
  const ids = countingIds()
  const records = new MemoryRecordStore(clock, ids)
  const forge = new LocalForge({records, clock, ids, actor: 'dev@example.com', ...options})
  return {records, forge}
}

async function failure(promise: Promise<unknown>): Promise<FlowError> {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  expect(error).toBeInstanceOf(FlowError)
  return error as FlowError
}

describe('the local forge: review requests', () => {
  test('numbers PR-1, PR-2 from the store, shares numbers with issues, and answers flow:// urls', async () => {
    const {forge, records} = setup()
    const first = await forge.createPullRequest({head: 'feature/a', base: 'main', title: 'feat: a', body: 'A', draft: true})
    expect(first).toEqual({number: 1, url: 'flow://reviews/PR-1', title: 'feat: a', body: 'A', head: 'feature/a', base: 'main', state: 'open', draft: true})
    const issue = await forge.createIssue({title: 'bug', body: ''})
    expect(issue.number).toBe(2)
    const second = await forge.createPullRequest({head: 'feature/b', base: 'main', title: 'feat: b', body: ''})
    expect(second.number).toBe(3)
    expect(await records.list('reviews')).toEqual(['PR-1', 'PR-3'])
    expect(await records.list('issues')).toEqual(['ISSUE-2'])
    const [opened] = await records.events('reviews', 'PR-1')
    expect(opened).toMatchObject({type: 'opened', actor: 'dev@example.com', at: '2026-03-01T10:00:00.000Z', data: {number: 1, head: 'feature/a'}})
  })

  test('a second open request for the same head and base, or one into itself, is a conflict', async () => {
    const {forge} = setup()
    await forge.createPullRequest({head: 'feature/a', base: 'main', title: 'a', body: ''})
    expect((await failure(forge.createPullRequest({head: 'feature/a', base: 'main', title: 'again', body: ''}))).code).toBe('FORGE_CONFLICT')
    expect((await failure(forge.createPullRequest({head: 'main', base: 'main', title: 'self', body: ''}))).code).toBe('FORGE_CONFLICT')
    expect((await forge.createPullRequest({head: 'feature/a', base: 'release', title: 'other base', body: ''})).number).toBe(2)
  })

  test('find and update fold from events; closing and reopening work; get of a missing number is FORGE_NOT_FOUND', async () => {
    const {forge} = setup()
    await forge.createPullRequest({head: 'feature/a', base: 'main', title: 'a', body: ''})
    await forge.updatePullRequest(1, {title: 'feat: a, better', base: 'develop'})
    expect(await forge.findPullRequest({head: 'feature/a'})).toMatchObject({title: 'feat: a, better', base: 'develop', state: 'open'})
    expect(await forge.findPullRequest({head: 'feature/a', base: 'main'})).toBeUndefined()
    expect((await forge.updatePullRequest(1, {state: 'closed'})).state).toBe('closed')
    expect(await forge.findPullRequest({head: 'feature/a'})).toBeUndefined()
    expect(await forge.findPullRequest({head: 'feature/a', state: 'closed'})).toMatchObject({number: 1})
    expect((await forge.updatePullRequest(1, {state: 'open'})).state).toBe('open')
    expect((await failure(forge.getPullRequest(9))).code).toBe('FORGE_NOT_FOUND')
  })

  test('merge records the merge and its sha, then refuses a second merge, a reopen and a review', async () => {
    const {forge, records} = setup()
    await forge.createPullRequest({head: 'feature/a', base: 'main', title: 'a', body: ''})
    const sha = 'c'.repeat(40)
    expect(await forge.mergePullRequest(1, {method: 'squash', sha, title: 'feat: a (#1)'})).toEqual({merged: true, sha})
    expect(await forge.getPullRequest(1)).toMatchObject({state: 'merged', mergeSha: sha})
    expect(await forge.findPullRequest({head: 'feature/a', state: 'all'})).toMatchObject({state: 'merged'})
    expect(await forge.findPullRequest({head: 'feature/a', state: 'closed'})).toMatchObject({state: 'merged'})
    const again = await failure(forge.mergePullRequest(1, {method: 'merge'}))
    expect(again.code).toBe('FORGE_CONFLICT')
    expect(again.message).toContain('PR-1 is merged, not open')
    expect((await failure(forge.updatePullRequest(1, {state: 'open'}))).code).toBe('FORGE_CONFLICT')
    expect((await failure(forge.createReview(1, {event: 'APPROVE'}))).code).toBe('FORGE_CONFLICT')
    expect((await records.events('reviews', 'PR-1')).map((e) => e.type)).toEqual(['opened', 'merged'])

    await forge.createPullRequest({head: 'feature/b', base: 'main', title: 'b', body: ''})
    await forge.updatePullRequest(2, {state: 'closed'})
    expect((await failure(forge.mergePullRequest(2, {method: 'merge'}))).message).toContain('PR-2 is closed')
  })

  test('reviews fold in order with their author and state; comments on review requests go to the record', async () => {
    const {forge, records} = setup()
    await forge.createPullRequest({head: 'feature/a', base: 'main', title: 'a', body: ''})
    const changes = await forge.createReview(1, {event: 'REQUEST_CHANGES', body: 'tests please'})
    expect(changes).toMatchObject({author: 'dev@example.com', state: 'changes_requested', body: 'tests please'})
    await forge.createReview(1, {event: 'COMMENT', body: 'looks close'})
    await forge.createReview(1, {event: 'APPROVE'})
    const reviews = await forge.listReviews(1)
    expect(reviews.map((r) => r.state)).toEqual(['changes_requested', 'commented', 'approved'])
    expect(reviews[0]!.id).toBe(changes.id)
    expect(reviews[2]!.submittedAt! > reviews[0]!.submittedAt!).toBe(true)
    const comment = await forge.addComment(1, 'merging after lunch')
    expect(comment.url).toBe(`flow://reviews/PR-1#comment-${comment.id}`)
    expect((await records.events('reviews', 'PR-1')).at(-1)).toMatchObject({type: 'commented', data: {body: 'merging after lunch'}})
  })
})

describe('the local forge: numbers claimed twice', () => {
  test('a second record in PR-1 (as a sync of two offline clones leaves it) is shown as the next free number, and its events follow it', async () => {
    const {forge, records} = setup()
    await forge.createPullRequest({head: 'feature/a', base: 'main', title: 'a', body: ''})
    // Another clone's PR-1, with a later id, and its review naming its own first event.
    const other = await records.append('reviews', 'PR-1', {type: 'opened', data: {number: 1, title: 'b', body: '', head: 'feature/b', base: 'main', draft: false}})
    await records.append('reviews', 'PR-1', {type: 'reviewed', data: {reviewId: 'r-b', state: 'approved', root: other.id}})
    await forge.createIssue({title: 'an issue', body: ''})

    expect(await forge.getPullRequest(1)).toMatchObject({head: 'feature/a', url: 'flow://reviews/PR-1'})
    expect(await forge.getPullRequest(2)).toMatchObject({number: 2, head: 'feature/b', url: 'flow://reviews/PR-2'})
    expect(await forge.listReviews(1)).toEqual([])
    expect((await forge.listReviews(2)).map((r) => r.id)).toEqual(['r-b'])
    expect((await forge.findIssues({}))[0]).toMatchObject({number: 3, title: 'an issue', url: 'flow://issues/ISSUE-3'})
    await forge.mergePullRequest(2, {method: 'merge'})
    expect(await forge.findPullRequest({head: 'feature/a'})).toMatchObject({number: 1, state: 'open'})
    expect(await forge.findPullRequest({head: 'feature/b', state: 'all'})).toMatchObject({number: 2, state: 'merged'})
    expect((await records.events('reviews', 'PR-1')).at(-1)).toMatchObject({type: 'merged', data: {root: other.id}})
    expect(await records.list('reviews')).toEqual(['PR-1'])
  })
})

describe('the local forge: releases, issues, deployments', () => {
  test('a release is the record named by its tag; a second one for the tag is a conflict; updates fold', async () => {
    const {forge, records} = setup()
    expect(await forge.findReleaseByTag('v1.0.0')).toBeUndefined()
    const release = await forge.createRelease({tag: 'v1.0.0', name: 'v1.0.0', body: 'notes', target: 'abc'})
    expect(release).toEqual({id: 'v1.0.0', tag: 'v1.0.0', name: 'v1.0.0', body: 'notes', draft: false, prerelease: false, url: 'flow://releases/v1.0.0'})
    expect(await records.list('releases')).toEqual(['v1.0.0'])
    expect((await failure(forge.createRelease({tag: 'v1.0.0', name: 'x', body: ''}))).code).toBe('FORGE_CONFLICT')
    expect(await forge.updateRelease('v1.0.0', {body: 'better notes', prerelease: true})).toMatchObject({body: 'better notes', prerelease: true, name: 'v1.0.0'})
    expect((await failure(forge.updateRelease('v9', {body: ''}))).code).toBe('FORGE_NOT_FOUND')
  })

  test('deleteRelease appends a deleted event: the release is gone, and the tag can have a new one', async () => {
    const {forge, records} = setup()
    await forge.createRelease({tag: 'v1.0.0', name: 'v1.0.0', body: 'draft notes', draft: true})
    await forge.deleteRelease('v1.0.0')
    expect(await forge.findReleaseByTag('v1.0.0')).toBeUndefined()
    expect((await records.events('releases', 'v1.0.0')).map((e) => e.type)).toEqual(['created', 'deleted'])
    expect((await failure(forge.deleteRelease('v1.0.0'))).code).toBe('FORGE_NOT_FOUND')
    expect(await forge.createRelease({tag: 'v1.0.0', name: 'v1.0.0', body: 'again'})).toMatchObject({body: 'again', draft: false})
  })

  test('issues: labels and state filter, comments; a comment on a missing number is FORGE_NOT_FOUND', async () => {
    const {forge} = setup()
    await forge.createIssue({title: 'Checkout 500s', body: 'sev1', labels: ['incident', 'sev1']})
    await forge.createIssue({title: 'Slow search', body: '', labels: ['incident']})
    await forge.createIssue({title: 'Typo', body: ''})
    expect(await forge.updateIssue(1, {state: 'closed', labels: ['incident', 'sev1', 'resolved']})).toMatchObject({number: 1, state: 'closed', labels: ['incident', 'sev1', 'resolved']})
    expect((await forge.findIssues({labels: ['incident']})).map((i) => i.number)).toEqual([2])
    expect((await forge.findIssues({labels: ['incident'], state: 'all'})).map((i) => i.number)).toEqual([2, 1])
    expect((await forge.findIssues({state: 'closed'})).map((i) => i.title)).toEqual(['Checkout 500s'])
    const comment = await forge.addComment(2, 'investigating')
    expect(comment.url).toMatch(/^flow:\/\/issues\/ISSUE-2#comment-/)
    expect((await failure(forge.addComment(7, 'nobody'))).code).toBe('FORGE_NOT_FOUND')
    expect(Object.keys((await forge.findIssues({}))[0]!)).not.toContain('comments')
  })

  test('deployments: ids DEP-n, the sha resolved from the ref, the state from the last status, newest first', async () => {
    const sha = 'b'.repeat(40)
    const {forge, records} = setup({resolveRef: async (ref) => (ref === 'main' ? sha : undefined)})
    const staging = await forge.createDeployment({ref: 'main', environment: 'staging', description: 'deploy', payload: {run: 1}})
    expect(staging).toEqual({id: 'DEP-1', ref: 'main', sha, environment: 'staging', description: 'deploy', createdAt: '2026-03-01T10:00:00.000Z'})
    await forge.createDeploymentStatus('DEP-1', {state: 'in_progress'})
    await forge.createDeploymentStatus('DEP-1', {state: 'success', environmentUrl: 'https://staging.example.com'})
    const prod = await forge.createDeployment({ref: sha, environment: 'production', productionEnvironment: true})
    await forge.createDeploymentStatus(2, {state: 'failure', description: 'health check failed'})
    expect((await failure(forge.createDeployment({ref: 'v9.9.9', environment: 'production'}))).message).toContain('No commit found for ref v9.9.9')
    await forge.createDeployment({ref: 'main', environment: 'dev'})

    const all = await forge.listDeployments({})
    expect(all.map((d) => [d.id, d.state])).toEqual([['DEP-3', undefined], ['DEP-2', 'failure'], ['DEP-1', 'success']])
    expect((await forge.listDeployments({environment: 'production', sha})).map((d) => d.id)).toEqual([prod.id])
    expect(all[0]!.sha).toBe(sha)
    expect((await records.events('deployments', 'DEP-1')).map((e) => e.type)).toEqual(['created', 'status', 'status'])
    expect((await failure(forge.createDeploymentStatus('DEP-9', {state: 'success'}))).code).toBe('FORGE_NOT_FOUND')
  })

  test('the same calls on a fresh forge give the same records (deterministic through Clock and Ids)', async () => {
    const run = async () => {
      const {forge, records} = setup()
      await forge.createPullRequest({head: 'f', base: 'main', title: 't', body: ''})
      await forge.createReview(1, {event: 'APPROVE'})
      await forge.createDeployment({ref: 'a'.repeat(40), environment: 'staging'})
      return JSON.stringify([...records.data.entries()].map(([c, m]) => [c, [...m.entries()]]))
    }
    expect(await run()).toBe(await run())
  })
})
