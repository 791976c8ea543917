import {chmodSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {createDeps} from '../../src/cli/deps.js'
import {FlowError} from '../../src/core/errors.js'
import {systemClock, ulidFactory} from '../../src/core/ids.js'
import type {Clock, Forge} from '../../src/core/ports.js'
import {syncRecords} from '../../src/core/records/sync.js'
import {GitCli} from '../../src/providers/git-cli.js'
import {GitRecordStore} from '../../src/providers/git-record-store.js'
import {LocalForge} from '../../src/providers/local-forge.js'
import {steppingClock} from '../helpers/memory-record-store.js'
import {stepDeps} from '../helpers/run-steps.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'

const REF = 'refs/heads/flow/records'

/** The local forge on the real record store of a clone, as createForge builds it (actor, refs resolved by git). */
function localForge(clone: TempRepo, clock: Clock = systemClock): {forge: LocalForge; store: GitRecordStore} {
  const git = new GitCli(clone.dir, clone.env)
  const ids = ulidFactory(clock)
  const store = new GitRecordStore(git, clock, ids)
  const forge = new LocalForge({
    records: store, clock, ids, actor: 'author@example.com',
    resolveRef: async (ref) => {
      const sha = await git.exec(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])
      return sha.exitCode === 0 ? sha.stdout.trim() : undefined
    },
  })
  return {forge, store}
}

/** `flow records sync` against origin, through the engine's runner (journal and all). */
const sync = (clone: TempRepo) => syncRecords(stepDeps(clone.dir, clone.env), {remote: 'origin'})
const files = (clone: TempRepo) => clone.git('ls-tree', '-r', '--name-only', REF).split('\n').filter(Boolean)

async function failure(promise: Promise<unknown>): Promise<FlowError> {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  expect(error).toBeInstanceOf(FlowError)
  return error as FlowError
}

/** Everything a forge shows, for comparing what two clones see. */
async function snapshot(forge: Forge, prNumbers: number[]) {
  const pulls = []
  for (const n of prNumbers) {
    const pr = await forge.getPullRequest(n)
    pulls.push({...pr, reviews: (await forge.listReviews(n)).map((r) => [r.state, r.body ?? ''])})
  }
  return {
    pulls,
    issues: await forge.findIssues({state: 'all'}),
    deployments: await forge.listDeployments({}),
    releases: await Promise.all(['pkg/v1.0.0', 'app/v2.0.0'].map((tag) => forge.findReleaseByTag(tag))),
  }
}

describe('the local forge on the git record store', () => {
  test('pull requests, reviews and comments are commits on flow/records; the work tree, index and HEAD stay as they were', async () => {
    const repo = tempRepo()
    const {forge, store} = localForge(repo)
    const head = repo.git('rev-parse', 'HEAD')
    repo.write('wip.txt', 'not committed\n')

    const pr = await forge.createPullRequest({head: 'feature/a', base: 'main', title: 'feat: a', body: 'A', draft: true})
    expect(pr).toEqual({number: 1, url: 'flow://reviews/PR-1', title: 'feat: a', body: 'A', head: 'feature/a', base: 'main', state: 'open', draft: true})
    expect((await failure(forge.createPullRequest({head: 'feature/a', base: 'main', title: 'again', body: ''}))).code).toBe('FORGE_CONFLICT')
    await forge.updatePullRequest(1, {title: 'feat: a, better'})
    await forge.createReview(1, {event: 'REQUEST_CHANGES', body: 'tests please'})
    await forge.createReview(1, {event: 'APPROVE'})
    const comment = await forge.addComment(1, 'merging after lunch')
    const sha = repo.git('rev-parse', 'HEAD')
    expect(await forge.mergePullRequest(1, {method: 'squash', sha})).toEqual({merged: true, sha})
    expect((await failure(forge.mergePullRequest(1, {method: 'squash'}))).code).toBe('FORGE_CONFLICT')

    expect(await forge.findPullRequest({head: 'feature/a', state: 'all'})).toMatchObject({number: 1, title: 'feat: a, better', state: 'merged', mergeSha: sha})
    expect(await forge.findPullRequest({head: 'feature/a'})).toBeUndefined()
    expect((await forge.listReviews(1)).map((r) => [r.state, r.author])).toEqual([['changes_requested', 'author@example.com'], ['approved', 'author@example.com']])
    expect(comment.url).toBe(`flow://reviews/PR-1#comment-${comment.id}`)

    const events = await store.events('reviews', 'PR-1')
    expect(events.map((e) => e.type)).toEqual(['opened', 'updated', 'reviewed', 'reviewed', 'commented', 'merged'])
    expect(events.slice(1).every((e) => e.data.root === events[0]!.id)).toBe(true)
    expect(files(repo)).toEqual(events.map((e) => `reviews/PR-1/events/${e.id}.json`))
    expect(repo.git('rev-list', '--count', REF)).toBe('6')
    expect(JSON.parse(repo.git('show', `${REF}:reviews/PR-1/events/${events[0]!.id}.json`))).toEqual(events[0])
    expect(repo.git('rev-parse', 'HEAD')).toBe(head)
    expect(repo.currentBranch()).toBe('main')
    expect(repo.git('status', '--porcelain')).toBe('?? wip.txt')
  })

  test('releases by tag, with a slash or a plus in the tag: stored under an encoded directory, found by the tag', async () => {
    const repo = tempRepo()
    const {forge, store} = localForge(repo)
    for (const tag of ['v1.0.0', 'pkg/v1.0.0', '@scope/pkg@2.0.0', 'v2.0.0+build.5']) {
      expect(await forge.findReleaseByTag(tag)).toBeUndefined()
      const release = await forge.createRelease({tag, name: `Release ${tag}`, body: 'notes', target: 'main'})
      expect(release).toEqual({id: tag, tag, name: `Release ${tag}`, body: 'notes', draft: false, prerelease: false, url: `flow://releases/${encodeURIComponent(tag)}`})
    }
    expect((await failure(forge.createRelease({tag: 'pkg/v1.0.0', name: 'again', body: ''}))).code).toBe('FORGE_CONFLICT')
    expect(await forge.updateRelease('pkg/v1.0.0', {body: 'better notes', prerelease: true})).toMatchObject({tag: 'pkg/v1.0.0', body: 'better notes', prerelease: true})
    expect(await forge.findReleaseByTag('pkg/v1.0.0')).toMatchObject({body: 'better notes'})
    // 'pkg' alone and 'v1.0.0' are other releases: the slash never splits the tag into directories.
    expect(await forge.findReleaseByTag('pkg')).toBeUndefined()
    expect(await forge.findReleaseByTag('v1.0.0')).toMatchObject({body: 'notes'})
    expect((await failure(forge.updateRelease('pkg/v9', {body: ''}))).code).toBe('FORGE_NOT_FOUND')

    expect(await store.list('releases')).toEqual(['%40scope%2Fpkg%402.0.0', 'pkg%2Fv1.0.0', 'v1.0.0', 'v2.0.0%2Bbuild.5'].map(decodeURIComponent).sort((a, b) => a.localeCompare(b, 'en', {numeric: true})))
    expect(new Set(files(repo).map((f) => f.split('/').slice(0, 2).join('/')))).toEqual(new Set([
      'releases/v1.0.0', 'releases/pkg%2Fv1.0.0', 'releases/%40scope%2Fpkg%402.0.0', 'releases/v2.0.0%2Bbuild.5',
    ]))
    expect((await store.events('releases', 'pkg/v1.0.0')).map((e) => e.type)).toEqual(['created', 'updated'])
  })

  test('issues share numbers with pull requests; labels, state and comments fold from the branch', async () => {
    const repo = tempRepo()
    const {forge, store} = localForge(repo)
    await forge.createIssue({title: 'Checkout 500s', body: 'sev1', labels: ['incident', 'sev1']})
    await forge.createPullRequest({head: 'fix/checkout', base: 'main', title: 'fix: checkout', body: ''})
    await forge.createIssue({title: 'Slow search', body: '', labels: ['incident']})
    expect(await store.list('issues')).toEqual(['ISSUE-1', 'ISSUE-3'])
    expect(await store.list('reviews')).toEqual(['PR-2'])
    await forge.addComment(1, 'rolled back')
    await forge.addComment(2, 'on the fix')
    expect(await forge.updateIssue(1, {state: 'closed', labels: ['incident', 'resolved']})).toMatchObject({number: 1, state: 'closed', labels: ['incident', 'resolved']})
    expect((await forge.findIssues({labels: ['incident']})).map((i) => i.number)).toEqual([3])
    expect((await forge.findIssues({state: 'all'})).map((i) => i.title)).toEqual(['Slow search', 'Checkout 500s'])
    expect((await store.events('issues', 'ISSUE-1')).map((e) => e.type)).toEqual(['opened', 'commented', 'updated', 'closed'])
    expect((await store.events('reviews', 'PR-2')).map((e) => e.type)).toEqual(['opened', 'commented'])
    expect((await failure(forge.addComment(9, 'nobody'))).code).toBe('FORGE_NOT_FOUND')
    expect((await failure(forge.updateIssue(2, {state: 'closed'}))).code).toBe('FORGE_NOT_FOUND')
  })

  test('deployments resolve refs with git and take their state from the last status', async () => {
    const repo = tempRepo()
    const {forge, store} = localForge(repo)
    const main = repo.git('rev-parse', 'main')
    repo.git('tag', 'v1.0.0')
    const staging = await forge.createDeployment({ref: 'main', environment: 'staging', payload: {run: 1}})
    expect(staging).toMatchObject({id: 'DEP-1', ref: 'main', sha: main, environment: 'staging'})
    await forge.createDeploymentStatus('DEP-1', {state: 'in_progress'})
    await forge.createDeploymentStatus(1, {state: 'success', environmentUrl: 'https://staging.example.com'})
    await forge.createDeployment({ref: 'v1.0.0', environment: 'production', productionEnvironment: true})
    await forge.createDeploymentStatus('DEP-2', {state: 'failure'})
    expect((await failure(forge.createDeployment({ref: 'v9.9.9', environment: 'production'}))).message).toContain('No commit found for ref v9.9.9')
    expect((await failure(forge.createDeploymentStatus('DEP-3', {state: 'success'}))).code).toBe('FORGE_NOT_FOUND')
    expect((await forge.listDeployments({})).map((d) => [d.id, d.environment, d.state, d.sha])).toEqual([
      ['DEP-2', 'production', 'failure', main],
      ['DEP-1', 'staging', 'success', main],
    ])
    expect((await forge.listDeployments({environment: 'staging'})).map((d) => d.id)).toEqual(['DEP-1'])
    expect((await store.events('deployments', 'DEP-1')).map((e) => e.type)).toEqual(['created', 'status', 'status'])
  })
})

describe('two clones and flow records sync', () => {
  test('records made on each clone are all seen on both after a sync each way', async () => {
    const repo = tempRepo()
    const a = repo.clone('a')
    const b = repo.clone('b')
    const forgeA = localForge(a).forge
    const forgeB = localForge(b).forge
    await forgeA.createRelease({tag: 'pkg/v1.0.0', name: 'pkg 1.0.0', body: 'from a'})
    await forgeA.createPullRequest({head: 'feature/a', base: 'main', title: 'a', body: ''})
    await forgeB.createRelease({tag: 'app/v2.0.0', name: 'app 2.0.0', body: 'from b'})
    await forgeB.createDeployment({ref: 'main', environment: 'staging'})

    expect(await sync(a)).toMatchObject({pushed: true})
    expect(await sync(b)).toMatchObject({merged: true, pushed: true})
    expect(await sync(a)).toMatchObject({merged: true, pushed: false})
    expect(a.ref(REF)).toBe(b.ref(REF))
    expect(files(a)).toHaveLength(4)

    for (const forge of [forgeA, forgeB]) {
      expect(await forge.findReleaseByTag('pkg/v1.0.0')).toMatchObject({body: 'from a'})
      expect(await forge.findReleaseByTag('app/v2.0.0')).toMatchObject({body: 'from b'})
      expect(await forge.findPullRequest({head: 'feature/a'})).toMatchObject({number: 1})
      expect((await forge.listDeployments({})).map((d) => d.id)).toEqual(['DEP-1'])
    }
  })

  test('two offline clones that both create PR-1, a shared number and DEP-1: after sync both show the same distinct numbers and lose no event', async () => {
    const repo = tempRepo()
    const a = repo.clone('a')
    const b = repo.clone('b')
    // Clone b works later than clone a (ULIDs sort by time), so a's records keep their numbers.
    const {forge: forgeA} = localForge(a, steppingClock('2026-03-01T10:00:00.000Z'))
    const {forge: forgeB} = localForge(b, steppingClock('2026-03-01T11:00:00.000Z'))

    expect((await forgeA.createPullRequest({head: 'feature/a', base: 'main', title: 'a', body: ''})).number).toBe(1)
    await forgeA.createReview(1, {event: 'APPROVE', body: 'a approves a'})
    expect((await forgeA.createIssue({title: 'issue on a', body: ''})).number).toBe(2)
    await forgeA.createDeployment({ref: 'main', environment: 'staging'})
    await forgeA.createDeploymentStatus('DEP-1', {state: 'success'})

    expect((await forgeB.createPullRequest({head: 'feature/b', base: 'main', title: 'b', body: ''})).number).toBe(1)
    await forgeB.createReview(1, {event: 'REQUEST_CHANGES', body: 'b wants changes on b'})
    await forgeB.addComment(1, 'comment on b')
    expect((await forgeB.createPullRequest({head: 'feature/c', base: 'main', title: 'c', body: ''})).number).toBe(2)
    await forgeB.createDeployment({ref: 'main', environment: 'production'})
    await forgeB.createDeploymentStatus(1, {state: 'failure'})
    const written = files(a).length + files(b).length

    await sync(a)
    await sync(b)
    await sync(a)
    expect(a.ref(REF)).toBe(b.ref(REF))
    expect(files(a)).toHaveLength(written)
    expect(new Set(files(a).map((f) => f.split('/').slice(0, 2).join('/')))).toEqual(new Set(['reviews/PR-1', 'reviews/PR-2', 'issues/ISSUE-2', 'deployments/DEP-1']))

    const seenA = await snapshot(forgeA, [1, 3, 4])
    expect(await snapshot(forgeB, [1, 3, 4])).toEqual(seenA)
    expect(seenA.pulls.map((p) => [p.number, p.head, p.url, p.reviews])).toEqual([
      [1, 'feature/a', 'flow://reviews/PR-1', [['approved', 'a approves a']]],
      [3, 'feature/b', 'flow://reviews/PR-3', [['changes_requested', 'b wants changes on b']]],
      [4, 'feature/c', 'flow://reviews/PR-4', []],
    ])
    expect(seenA.issues.map((i) => [i.number, i.title])).toEqual([[2, 'issue on a']])
    expect(seenA.deployments.map((d) => [d.id, d.environment, d.state])).toEqual([['DEP-2', 'production', 'failure'], ['DEP-1', 'staging', 'success']])
    expect((await failure(forgeA.getPullRequest(2))).code).toBe('FORGE_NOT_FOUND')

    // Both clones write to the renumbered records; the events land in the directories the records began in.
    await forgeB.mergePullRequest(3, {method: 'merge'})
    await forgeA.addComment(4, 'a comments on c')
    await forgeB.createDeploymentStatus('DEP-2', {state: 'success'})
    // A new record on a synced clone takes the next free number and moves nobody.
    expect((await forgeA.createPullRequest({head: 'feature/d', base: 'main', title: 'd', body: ''})).number).toBe(5)
    await sync(b)
    await sync(a)
    await sync(b)
    expect(a.ref(REF)).toBe(b.ref(REF))
    for (const forge of [forgeA, forgeB]) {
      expect(await forge.getPullRequest(1)).toMatchObject({head: 'feature/a', state: 'open'})
      expect(await forge.getPullRequest(3)).toMatchObject({head: 'feature/b', state: 'merged'})
      expect(await forge.getPullRequest(4)).toMatchObject({head: 'feature/c', state: 'open'})
      expect(await forge.getPullRequest(5)).toMatchObject({head: 'feature/d'})
      expect((await forge.listDeployments({})).map((d) => [d.id, d.state])).toEqual([['DEP-2', 'success'], ['DEP-1', 'success']])
    }
    expect(await snapshot(forgeA, [1, 3, 4, 5])).toEqual(await snapshot(forgeB, [1, 3, 4, 5]))
    expect(files(a)).toHaveLength(written + 4)
  })
})

describe('createForge through the composition root', () => {
  test('with no token the forge is local and its records land on flow/records of the real repository', async () => {
    const repo = tempRepo()
    repo.git('remote', 'set-url', 'origin', 'https://github.com/octo/hello.git')
    const bin = join(repo.scratch, 'bin')
    mkdirSync(bin)
    writeFileSync(join(bin, 'gh'), '#!/bin/sh\necho "You are not logged into any GitHub hosts." >&2\nexit 1\n')
    chmodSync(join(bin, 'gh'), 0o755)
    const env = {...repo.env, PATH: `${bin}:${repo.env.PATH}`}
    const deps = createDeps({cwd: repo.dir, env, canPrompt: false, json: true, yes: true, debug: false})
    const forge = await deps.forge()
    expect(forge.kind).toBe('local')
    expect(await deps.forge()).toBe(forge)

    const pr = await forge.createPullRequest({head: 'feature/x', base: 'main', title: 'feat: x', body: ''})
    const release = await forge.createRelease({tag: 'pkg/v1.0.0', name: 'pkg', body: ''})
    const deployment = await forge.createDeployment({ref: 'main', environment: 'staging'})
    expect([pr.number, release.tag, deployment.sha]).toEqual([1, 'pkg/v1.0.0', repo.git('rev-parse', 'main')])

    const names = files(repo)
    expect(names).toHaveLength(3)
    expect(names.map((f) => f.replace(/[0-9A-Z]{26}\.json$/, 'ULID.json')).sort()).toEqual([
      'deployments/DEP-1/events/ULID.json', 'releases/pkg%2Fv1.0.0/events/ULID.json', 'reviews/PR-1/events/ULID.json',
    ])
    const opened = JSON.parse(repo.git('show', `${REF}:${names.find((f) => f.startsWith('reviews/'))}`))
    expect(opened).toMatchObject({type: 'opened', actor: 'author@example.com', data: {number: 1, head: 'feature/x'}})
    expect(repo.git('log', '-1', '--format=%an <%ae>', REF)).toBe('Test Author <author@example.com>')
    expect(repo.git('status', '--porcelain')).toBe('')
  })
})
