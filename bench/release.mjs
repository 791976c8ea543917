// `flow release notes --all` and `flow release plan` on generated histories (make-history: Conventional Commits,
// a tag every 500 commits, one feat after the last tag) against a bare `git log` in the same rounds; as reference
// points, conventional-changelog (preset conventionalcommits, every release: -r 0) and git-cliff (every release,
// built-in config), measured fewer times. Checks first that notes --all accounts for every commit and release.
// BENCH_SIZES=10000,100000 by default; BENCH_REFERENCE=0 leaves the reference tools out.
import {join} from 'node:path'
import {bin, cacheDir, cachedRepo, flow, git, history, measure, median, node, root, row} from './common.mjs'

export const name = 'release'

export async function run({runs}) {
  const sizes = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number)
  const reference = process.env.BENCH_REFERENCE !== '0'
  const rows = []
  const facts = []
  let tool = ''
  for (const n of sizes) {
    const dir = cachedRepo(`history-${n}`, (d) => history(d, n))
    const doc = JSON.parse(flow(dir, 'release', 'notes', '--all', '--json'))
    const tags = git(dir, 'tag', '--list').split('\n').filter(Boolean).length
    const plan = JSON.parse(flow(dir, 'release', 'plan', '--json'))
    const correct = doc.commits === n + 1 && doc.accounted === n + 1 && doc.releases.length === tags + 1 && doc.outside.length === 0
    facts.push({commits: n + 1, tags, correct, releases: doc.releases.length, lastTag: plan.lastTag, next: plan.tag})
    if (!correct) throw new Error(`release notes --all on ${n} commits is wrong: ${doc.commits} commits, ${doc.accounted} accounted, ${doc.releases.length} releases for ${tags} tags`)
    const k = `${Math.round(n / 1000)}k`
    const cases = [
      {name: `${k}: git log --format=%H%x00%s%x00%b (baseline)`, argv: ['git', 'log', '--format=%H%x00%s%x00%b']},
      {name: `${k}: flow release notes --all`, argv: [node, bin, 'release', 'notes', '--all'], budget: n >= 100000 ? 2 : undefined},
      {name: `${k}: flow release plan`, argv: [node, bin, 'release', 'plan']},
    ]
    const measured = measure(dir, cases, {runs, warmup: 1, scratch: join(cacheDir, 'scratch')})
    tool = measured.tool
    const base = median(measured.times[0])
    cases.forEach((c, i) => rows.push(row(name, c.name, measured.times[i], {baseline: base, budget: c.budget && {ratio: c.budget, text: `≤ ${c.budget} × git log`}})))
    if (reference) {
      const refs = [
        {name: `${k}: conventional-changelog -p conventionalcommits -r 0 (reference)`, argv: [join(root, 'node_modules', '.bin', 'conventional-changelog'), '-p', 'conventionalcommits', '-r', '0']},
        {name: `${k}: git-cliff (reference)`, argv: [join(root, 'node_modules', '.bin', 'git-cliff')]},
      ]
      const refRuns = n >= 100000 ? 2 : 3
      const r = measure(dir, refs, {runs: refRuns, warmup: 0, rounds: refRuns, scratch: join(cacheDir, 'scratch')})
      refs.forEach((c, i) => rows.push(row(name, c.name, r.times[i], {baseline: base})))
    }
  }
  return {tool, rows, facts}
}
