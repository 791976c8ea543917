import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {finishFeature} from '../../src/core/feature/finish-feature.js'
import {listFeatures} from '../../src/core/feature/list-features.js'
import {startFeature} from '../../src/core/feature/start-feature.js'
import {submitFeature} from '../../src/core/feature/submit-feature.js'
import {syncFeature} from '../../src/core/feature/sync-feature.js'
import {continueRun} from '../../src/engine/runner.js'
import {tempRepo} from '../helpers/temp-repo.js'
import {featureDeps} from './feature-deps.js'

const lines = (n: number, mark = '') => Array.from({length: n}, (_, i) => `line ${i}${i === 5 ? mark : ''}`).join('\n') + '\n'

describe('syncFeature', () => {
  test('a stack whose parent was squash-merged by flow feature finish syncs with no conflict', async () => {
    const repo = tempRepo()
    repo.commit('chore: base', {'app.txt': lines(10)})
    repo.git('push', '-q', 'origin', 'main')
    const deps = featureDeps(repo, {config: (c) => {
      c.review.approvals = 0
    }})
    await startFeature(deps, {name: 'parent'})
    repo.commit('feat: parent edit', {'app.txt': lines(10, ' parent')})
    await submitFeature(deps, {})
    await startFeature(deps, {name: 'child', stack: true})
    repo.commit('feat: child edit on the same line', {'app.txt': lines(10, ' parent child')})
    const childCommit = repo.git('log', '-1', '--format=%s')
    repo.git('checkout', '-q', 'feature/parent')
    await finishFeature(deps, {})
    repo.git('checkout', '-q', 'feature/child')
    const synced = await syncFeature(deps, {})
    expect(synced.branches).toEqual([{branch: 'feature/child', parent: 'main', how: 'onto'}])
    expect(repo.git('log', '--format=%s', 'main..feature/child')).toBe(childCommit)
    expect(repo.git('merge-base', '--is-ancestor', 'main', 'feature/child')).toBe('')
    expect(repo.currentBranch()).toBe('feature/child')
  })

  test('a parent squash-merged outside flow (its change in main) is detected by patch-id; --stack', async () => {
    const repo = tempRepo()
    repo.commit('chore: base', {'app.txt': lines(10)})
    repo.git('push', '-q', 'origin', 'main')
    const deps = featureDeps(repo, {env: {FLOW_OFFLINE: '1'}})
    await startFeature(deps, {name: 'parent'})
    repo.commit('feat: one', {'app.txt': lines(10, ' one')})
    repo.commit('feat: two', {'app.txt': lines(10, ' one two')})
    await startFeature(deps, {name: 'child', stack: true})
    repo.commit('feat: three', {'app.txt': lines(10, ' one two three')})
    repo.git('checkout', '-q', 'main')
    repo.git('merge', '-q', '--squash', 'feature/parent')
    repo.git('commit', '-q', '-m', 'feat: parent squashed')
    repo.git('checkout', '-q', 'feature/child')
    const synced = await syncFeature(deps, {stack: true})
    expect(synced.branches).toEqual([{branch: 'feature/child', parent: 'feature/parent', how: 'onto', newParent: 'main'}])
    expect(repo.git('log', '--format=%s', 'main..feature/child')).toBe('feat: three')
    expect(repo.git('config', 'branch.feature/child.flow-parent')).toBe('main')
  })

  test('a parent whose pull request merged on the forge (with a different squash commit) is skipped with --onto', async () => {
    const repo = tempRepo()
    repo.commit('chore: base', {'app.txt': lines(10)})
    repo.git('push', '-q', 'origin', 'main')
    const deps = featureDeps(repo)
    await startFeature(deps, {name: 'parent'})
    repo.commit('feat: one', {'app.txt': lines(10, ' one')})
    await submitFeature(deps, {})
    await startFeature(deps, {name: 'child', stack: true})
    repo.commit('feat: three', {'app.txt': lines(10, ' one three')})
    // Merged elsewhere (the web UI), with an edit during the merge: its patch-id matches nothing on the branch.
    const other = repo.clone('other')
    other.commit('feat: one, edited while merging (#1)', {'app.txt': lines(10, ' one').replace('line 9', 'line 9 edited')})
    other.git('push', '-q', 'origin', 'main')
    await (await deps.forge()).mergePullRequest(1, {method: 'squash'})
    const synced = await syncFeature(deps, {})
    expect(synced.branches).toEqual([{branch: 'feature/child', parent: 'feature/parent', how: 'onto', newParent: 'main'}])
    expect(repo.git('log', '--format=%s', 'origin/main..feature/child')).toBe('feat: three')
    expect(repo.git('show', 'feature/child:app.txt')).toContain('line 9 edited')
  })

  test('a real conflict pauses with the files listed; flow continue finishes, also after git rebase --continue by hand', async () => {
    for (const byHand of [false, true]) {
      const repo = tempRepo()
      repo.commit('chore: base', {'app.txt': lines(10)})
      repo.git('push', '-q', 'origin', 'main')
      const deps = featureDeps(repo)
      await startFeature(deps, {name: 'x'})
      repo.commit('feat: mine', {'app.txt': lines(10, ' mine')})
      const other = repo.clone(`other-${byHand}`)
      other.commit('feat: theirs', {'app.txt': lines(10, ' theirs')})
      other.git('push', '-q', 'origin', 'main')
      const paused = await syncFeature(deps, {}).catch((e: unknown) => e)
      expect(paused).toMatchObject({code: 'RUN_PAUSED', exit: 8})
      expect((paused as Error).message).toMatch(/conflict in 1 file\(s\): app\.txt/)
      writeFileSync(join(repo.dir, 'app.txt'), lines(10, ' both'))
      repo.git('add', 'app.txt')
      if (byHand) repo.gitIn(repo.dir, '-c', 'core.editor=true', 'rebase', '--continue')
      const done = await continueRun(deps)
      expect(done.status).toBe('done')
      expect(repo.currentBranch()).toBe('feature/x')
      expect(repo.git('log', '--format=%s', 'origin/main..feature/x')).toBe('feat: mine')
      expect(repo.git('show', 'feature/x:app.txt')).toContain('line 5 both')
    }
  })

  test('review.sync merge: a merge commit from the parent; a branch whose remote is gone is prunable', async () => {
    const repo = tempRepo()
    const deps = featureDeps(repo, {config: (c) => {
      c.review.sync = 'merge'
    }})
    await startFeature(deps, {name: 'gone'})
    repo.commit('feat: gone')
    await submitFeature(deps, {})
    repo.git('push', '-q', 'origin', ':feature/gone')
    repo.git('checkout', '-q', 'main')
    await startFeature(deps, {name: 'm'})
    repo.commit('feat: mine', {'mine.txt': 'm'})
    const other = repo.clone('other')
    other.commit('feat: theirs', {'theirs.txt': 't'})
    other.git('push', '-q', 'origin', 'main')
    const synced = await syncFeature(deps, {all: true})
    expect(synced.branches).toEqual([{branch: 'feature/m', parent: 'main', how: 'merge'}])
    expect(synced.prunable).toEqual([{branch: 'feature/gone', reason: 'its branch on origin is gone'}])
    expect(synced.pruned).toEqual([])
    expect(repo.git('rev-list', '--parents', '-1', 'feature/m').split(' ')).toHaveLength(3)
    expect(repo.ref('refs/heads/feature/gone')).not.toBeNull()
  })

  test('list shows parents, ahead/behind and pull requests; merged branches are prunable and --prune deletes them', async () => {
    const repo = tempRepo()
    const deps = featureDeps(repo, {config: (c) => {
      c.review.approvals = 0
      c.review.delete_branch = false
    }})
    await startFeature(deps, {name: 'a'})
    repo.commit('feat: a')
    await submitFeature(deps, {})
    repo.git('checkout', '-q', 'main')
    await startFeature(deps, {name: 'b'})
    repo.commit('feat: b1')
    repo.commit('feat: b2')
    const listed = await listFeatures(deps)
    expect(listed.branches).toEqual([
      {branch: 'feature/a', parent: 'main', current: false, ahead: 1, behind: 0, pullRequest: {number: 1, state: 'open', url: expect.any(String), draft: false}, gates: null},
      {branch: 'feature/b', parent: 'main', current: true, ahead: 2, behind: 0, pullRequest: null, gates: null},
    ])
    repo.git('checkout', '-q', 'feature/a')
    await finishFeature(deps, {})
    repo.git('checkout', '-q', 'feature/b')
    repo.git('config', 'branch.feature/a.flow-parent', 'main')
    const synced = await syncFeature(deps, {all: true, prune: true})
    expect(synced.prunable).toEqual([{branch: 'feature/a', reason: 'its pull request was merged'}])
    expect(synced.pruned).toEqual(['feature/a'])
    expect(repo.ref('refs/heads/feature/a')).toBeNull()
    expect(repo.git('log', '--format=%s', 'main..feature/b')).toBe('feat: b2\nfeat: b1')
  })
})
