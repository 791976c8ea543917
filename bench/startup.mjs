// Startup of the built binary against `node -e 0`, measured in the same rounds: --version, --help, status.
import {mkdirSync} from 'node:fs'
import {join} from 'node:path'
import {bin, cacheDir, cachedRepo, git, measure, median, node, row} from './common.mjs'

export const name = 'startup'

export async function run({runs}) {
  const repo = cachedRepo('startup-small', (dir) => {
    mkdirSync(dir, {recursive: true})
    git(dir, 'init', '-q', '-b', 'main')
    git(dir, 'commit', '-q', '--allow-empty', '-m', 'chore: start')
  })
  const cases = [
    {name: 'node -e 0 (baseline)', argv: [node, '-e', '0']},
    {name: 'flow --version', argv: [node, bin, '--version'], budget: 1.6},
    {name: 'flow --help', argv: [node, bin, '--help'], budget: 2.0},
    {name: 'flow status (small repo)', argv: [node, bin, 'status'], budget: 2.0},
  ]
  const {tool, times} = measure(repo, cases, {runs, warmup: 3, scratch: join(cacheDir, 'scratch')})
  const base = median(times[0])
  const rows = cases.map((c, i) => row(name, c.name, times[i], {baseline: base, budget: c.budget && {ratio: c.budget, text: `≤ ${c.budget} × node -e 0`}}))
  return {tool, rows, nodeMs: base}
}
