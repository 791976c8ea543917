import {describe, expect, test} from 'vitest'
import {loadGraph} from '../../src/core/metrics/lead-time.js'
import {GitCli} from '../../src/providers/git-cli.js'
import {tempRepo} from '../helpers/temp-repo.js'

describe('loadGraph', () => {
  test('reads the commits between the boundary and the deployed shas in one git log, skipping shas this clone lacks', async () => {
    const repo = tempRepo()
    const base = repo.commit('feat: base', {'a.txt': 'a\n'})
    const one = repo.commit('feat: one', {'b.txt': 'b\n'})
    const two = repo.commit('feat: two', {'c.txt': 'c\n'})
    const git = new GitCli(repo.dir, repo.env)
    const graph = await loadGraph(git, [two, 'f'.repeat(40), one], [base])
    expect([...graph.keys()].sort()).toEqual([one, two].sort())
    expect(graph.get(two)?.parents).toEqual([one])
    expect(await loadGraph(git, ['e'.repeat(40)], [])).toEqual(new Map())
    expect(await loadGraph(git, [], [base])).toEqual(new Map())
  })

  test('a deployed sha that names a blob is left out rather than failing the report', async () => {
    const repo = tempRepo()
    const base = repo.commit('feat: base', {'a.txt': 'a\n'})
    const head = repo.commit('feat: head', {'b.txt': 'b\n'})
    const blob = repo.git('rev-parse', `${head}:b.txt`)
    const graph = await loadGraph(new GitCli(repo.dir, repo.env), [blob, head], [base])
    expect([...graph.keys()]).toEqual([head])
  })
})
