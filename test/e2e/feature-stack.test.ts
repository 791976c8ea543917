import {expect, test} from 'vitest'
import {runFlow} from '../helpers/e2e.js'
import {tempRepo, type TempRepo} from '../helpers/temp-repo.js'

const flow = (repo: TempRepo, ...args: string[]) => runFlow(args, {cwd: repo.dir, env: repo.env})

test('a stack of two branches whose parent is squash-merged syncs with no phantom conflict (built binary)', async () => {
  const repo = tempRepo()
  repo.write('flow.yml', 'review: {approvals: 0, merge: squash}\n')
  repo.commit('chore: flow.yml', {'shared.txt': 'value 0\n'})
  repo.git('push', '-q', 'origin', 'main')

  expect((await flow(repo, 'feature', 'start', 'a')).exitCode).toBe(0)
  // Two commits on the same line: replaying them one by one onto the squash would conflict.
  repo.commit('feat: a one', {'shared.txt': 'value 1\n'})
  repo.commit('feat: a two', {'shared.txt': 'value 2\n'})
  const child = await flow(repo, 'feature', 'start', 'b', '--stack', '--json')
  expect(child.json).toMatchObject({branch: 'feature/b', parent: 'feature/a'})
  repo.commit('feat: b', {'b.txt': 'b\n'})

  repo.git('checkout', '-q', 'feature/a')
  expect((await flow(repo, 'feature', 'submit')).exitCode).toBe(0)
  const finished = await flow(repo, 'feature', 'finish', '--json')
  expect(finished.exitCode, finished.stderr).toBe(0)
  expect(repo.git('rev-list', '--count', 'origin/main..main')).toBe('0')
  expect(repo.git('show', 'main:shared.txt')).toBe('value 2')

  repo.git('checkout', '-q', 'feature/b')
  const synced = await flow(repo, 'feature', 'sync', '--json')
  expect(synced.exitCode, synced.stderr).toBe(0)
  expect(repo.git('config', 'branch.feature/b.flow-parent')).toBe('main')
  expect(repo.git('log', '--format=%s', 'main..feature/b')).toBe('feat: b')
  expect(repo.git('merge-base', 'main', 'feature/b')).toBe(repo.ref('main'))
  expect(repo.git('show', 'feature/b:shared.txt')).toBe('value 2')
  expect(repo.git('status', '--porcelain')).toBe('')
})
