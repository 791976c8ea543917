// The gate runner through the built binary: two independent 1 s gates in parallel against --concurrency 1, a
// chain of two, and a second run with unchanged inputs (cached) against the first (--no-cache).
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {bin, cacheDir, cachedRepo, git, measure, median, node, row, flow} from './common.mjs'

export const name = 'gates'

export async function run({runs}) {
  const repo = cachedRepo('gates', (dir) => {
    mkdirSync(join(dir, 'src'), {recursive: true})
    git(dir, 'init', '-q', '-b', 'main')
    const sleep1 = JSON.stringify([node, '-e', 'setTimeout(() => {}, 1000)'])
    writeFileSync(join(dir, 'flow.yml'), `gates:
  a: {run: ${sleep1}, inputs: ["src/**"]}
  b: {run: ${sleep1}, inputs: ["src/**"]}
  c: {run: ${sleep1}}
  d: {run: ${sleep1}, needs: [c]}
stages:
  pair: [a, b]
  chain: [d]
`)
    for (let i = 0; i < 200; i++) writeFileSync(join(dir, 'src', `f${i}.txt`), `file ${i}\n`)
    git(dir, 'add', '-A')
    git(dir, 'commit', '-q', '-m', 'chore: start')
  })
  flow(repo, 'gates', 'run', 'pair') // a green run to be cached
  const n = Math.max(3, Math.round(runs / 4))
  const m = (cases) => measure(repo, cases, {runs: n, warmup: 0, rounds: n, scratch: join(cacheDir, 'scratch')})
  const par = m([
    {argv: [node, bin, 'gates', 'run', 'pair', '--no-cache', '--concurrency', '1']},
    {argv: [node, bin, 'gates', 'run', 'pair', '--no-cache', '--concurrency', '2']},
    {argv: [node, bin, 'gates', 'run', 'chain']},
  ])
  const cache = m([
    {argv: [node, bin, 'gates', 'run', 'pair', '--no-cache']},
    {argv: [node, bin, 'gates', 'run', 'pair']},
  ])
  const seq = median(par.times[0])
  const first = median(cache.times[0])
  return {
    tool: par.tool,
    rows: [
      row(name, 'pair of 1 s gates, --concurrency 1 (baseline)', par.times[0], {baseline: seq}),
      row(name, 'pair of 1 s gates, parallel', par.times[1], {baseline: seq, note: 'issue 4: < 1500 ms on a quiet machine (wall time, not a --check budget)'}),
      row(name, 'chain of two 1 s gates', par.times[2], {baseline: seq}),
      row(name, 'pair, first run --no-cache (baseline)', cache.times[0], {baseline: first}),
      row(name, 'pair, second run, cached', cache.times[1], {baseline: first, budget: {ratio: 0.1, text: '≤ 0.1 × first run'}}),
    ],
  }
}
