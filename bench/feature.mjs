// `flow feature start` in a repository of 100,000 commits and 20,000 files (no remote) against the same git
// commands typed by hand: look for uncommitted changes (flow stashes them), create the branch and switch to it
// (`git switch -c`), record its parent. The longer hand-typed way (branch, config, switch) is timed for reference.
// Each timed run starts on main without the branch (an untimed prepare deletes it). The budget: the hand-typed commands plus the startup
// flow may take (2.0 × node -e 0, the budget of flow status), both measured in the same rounds.
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {bin, cacheDir, cachedRepo, git, history, measure, median, node, row} from './common.mjs'

export const name = 'feature'

export async function run({runs}) {
  const dir = cachedRepo('feature-100k-20kfiles', (d) => {
    history(d, 100000)
    for (let i = 0; i < 20000; i++) {
      const sub = join(d, 'tree', `d${Math.floor(i / 200)}`)
      if (i % 200 === 0) mkdirSync(sub, {recursive: true})
      writeFileSync(join(sub, `f${i}.txt`), `file ${i}\n`)
    }
    git(d, 'add', '-A')
    git(d, 'commit', '-q', '-m', 'chore: twenty thousand files')
    // Packed like a cloned repository (gc.auto stays 0: no gc starting in the background during the timed runs).
    git(d, 'gc', '-q')
  })
  const files = git(dir, 'ls-files').split('\n').filter(Boolean).length
  const commits = Number(git(dir, 'rev-list', '--count', 'HEAD').trim())
  const branch = 'feature/bench'
  const reset = ['sh', '-c', `git checkout -q main && (git branch -q -D ${branch} 2>/dev/null; git config --remove-section branch.${branch} 2>/dev/null; true)`]
  const cases = [
    {name: 'node -e 0 (startup baseline)', argv: [node, '-e', '0']},
    // The commands flow runs: from the commit checked out, `git switch -c` without a start point (git then leaves
    // the work tree unscanned).
    {name: 'by hand (baseline)', argv: ['sh', '-c', `git status --porcelain >/dev/null && git switch -q -c ${branch} && git config branch.${branch}.flow-parent main`], prepare: reset},
    {name: 'flow feature start bench', argv: [node, bin, 'feature', 'start', 'bench', '--yes'], prepare: reset},
    // For reference: the longer way, with a separate branch and switch (flow's commands before it used switch -c).
    {name: 'by hand, branch then switch', argv: ['sh', '-c', `git status --porcelain >/dev/null && git branch ${branch} main && git config branch.${branch}.flow-parent main && git switch -q ${branch}`], prepare: reset},
  ]
  const {tool, times} = measure(dir, cases, {runs, warmup: 1, scratch: join(cacheDir, 'scratch')})
  git(dir, 'checkout', '-q', 'main')
  const nodeMs = median(times[0])
  const hand = median(times[1])
  const budgetMs = hand + 2 * nodeMs
  return {
    tool,
    facts: {commits, files},
    rows: [
      row(name, `node -e 0`, times[0], {baseline: nodeMs}),
      row(name, `by hand: git status, switch -c, config (baseline; ${Math.round(commits / 1000)}k commits, ${files} files)`, times[1], {baseline: hand}),
      row(name, 'flow feature start', times[2], {baseline: hand, budget: {ms: budgetMs, text: `≤ by hand + 2.0 × node -e 0 (${Math.round(budgetMs)} ms)`}}),
      row(name, 'by hand: git status, branch, config, switch (reference)', times[3], {baseline: hand}),
    ],
  }
}
