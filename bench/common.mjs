// What every benchmark suite shares: where the binary is, medians, timing whole commands, cached generated
// repositories (bench/.cache, gitignored) and the rows of the table.
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..')
export const bin = join(root, 'bin', 'run.js')
export const node = process.execPath
export const makeHistory = join(root, 'bench', 'make-history')
/** Generated repositories are kept here between runs (gitignored); BENCH_FRESH=1 regenerates them. */
export const cacheDir = join(root, 'bench', '.cache')

/** The median of a list of numbers. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

const quote = (a) => (/^[\w./=:,@+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)
const hasHyperfine = () => process.env.BENCH_TOOL !== 'spawn' && spawnSync('hyperfine', ['--version'], {encoding: 'utf8'}).status === 0

/**
 * Times each case ({name, argv, prepare?: argv run untimed before every timed run}) in `cwd`: `runs` times, in
 * `rounds` rounds that each time every case once more in turn, so that load from elsewhere on the machine falls
 * on the baseline and the cases alike. hyperfine (Debian package) when present (BENCH_TOOL=spawn: never), else
 * a spawnSync harness. Returns the tool and the times in milliseconds, one list per case.
 */
export function measure(cwd, cases, {runs, warmup = 1, rounds = Math.min(runs, 5), scratch = cacheDir}) {
  const perRound = Math.max(1, Math.round(runs / rounds))
  const times = cases.map(() => [])
  const hyperfine = hasHyperfine()
  for (let round = 0; round < rounds; round++) {
    const w = round === 0 ? warmup : 0
    if (hyperfine) {
      mkdirSync(scratch, {recursive: true})
      const out = join(scratch, `hyperfine-${process.pid}.json`)
      const prepare = cases.some((c) => c.prepare) ? cases.flatMap((c) => ['--prepare', (c.prepare ?? ['true']).map(quote).join(' ')]) : []
      const args = ['-N', '--warmup', String(w), '--runs', String(perRound), ...prepare, '--export-json', out, ...cases.map((c) => c.argv.map(quote).join(' '))]
      execFileSync('hyperfine', args, {cwd, stdio: ['ignore', 'ignore', process.env.BENCH_VERBOSE ? 'inherit' : 'ignore'], maxBuffer: 1e9})
      JSON.parse(readFileSync(out, 'utf8')).results.forEach((r, i) => times[i].push(...r.times.map((t) => t * 1000)))
      rmSync(out, {force: true})
    } else {
      for (const [i, c] of cases.entries()) {
        const run = () => {
          if (c.prepare) spawnSync(c.prepare[0], c.prepare.slice(1), {cwd, stdio: 'ignore'})
          const t = process.hrtime.bigint()
          spawnSync(c.argv[0], c.argv.slice(1), {cwd, stdio: 'ignore', maxBuffer: 1e9})
          return Number(process.hrtime.bigint() - t) / 1e6
        }
        for (let k = 0; k < w; k++) run()
        for (let k = 0; k < perRound; k++) times[i].push(run())
      }
    }
  }
  return {tool: hyperfine ? spawnSync('hyperfine', ['--version'], {encoding: 'utf8'}).stdout.trim() : 'spawnSync harness', times}
}

/** Times an in-process async function `runs` times (after one warm-up), in milliseconds. */
export async function measureInProcess(fn, runs) {
  await fn()
  const out = []
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint()
    await fn()
    out.push(Number(process.hrtime.bigint() - t) / 1e6)
  }
  return out
}

/** A row of the table: median, spread (min and max) and, with a baseline, the ratio to it. */
export function row(suite, name, times, {baseline, budget, note} = {}) {
  const m = median(times)
  const r = {suite, case: name, runs: times.length, medianMs: round1(m), minMs: round1(Math.min(...times)), maxMs: round1(Math.max(...times))}
  if (baseline !== undefined) r.ratio = Number((m / baseline).toFixed(3))
  if (note) r.note = note
  if (budget) {
    // budget: {ratio: max ratio to the baseline} or {ms: max median}, with a text naming what it is
    r.budget = budget.text
    r.ok = budget.ratio !== undefined ? m / baseline <= budget.ratio : m <= budget.ms
  }
  return r
}
const round1 = (x) => Math.round(x * 10) / 10

/** A git repository generated once into bench/.cache/NAME by build(dir) and reused (BENCH_FRESH=1 rebuilds it). */
export function cachedRepo(name, build) {
  const dir = join(cacheDir, name)
  const done = join(cacheDir, `${name}.done`)
  if (existsSync(done) && existsSync(dir) && !process.env.BENCH_FRESH) return dir
  rmSync(dir, {recursive: true, force: true})
  rmSync(done, {force: true})
  mkdirSync(cacheDir, {recursive: true})
  const tmp = `${dir}.tmp-${process.pid}`
  rmSync(tmp, {recursive: true, force: true})
  process.stderr.write(`bench: generating ${name} (kept in bench/.cache for the next runs)\n`)
  build(tmp)
  renameSync(tmp, dir)
  writeFileSync(done, `${new Date().toISOString()}\n`)
  return dir
}

/**
 * make-history N into dir (a tag every 500 commits), then one more feat commit after the last tag. gc.auto is 0:
 * no gc started by a commit runs in the background while the repository is built further or timed.
 */
export function history(dir, n) {
  execFileSync(makeHistory, [String(n), dir, '500'], {stdio: 'ignore'})
  git(dir, 'config', 'gc.auto', '0')
  git(dir, 'commit', '-q', '--allow-empty', '-m', 'feat: one more')
}

/** Runs git in dir with a fixed identity. */
export function git(dir, ...args) {
  return execFileSync('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', ...args], {cwd: dir, encoding: 'utf8', maxBuffer: 1e9})
}

/** Runs the built flow in dir and returns stdout (throws on a non-zero exit). */
export function flow(dir, ...args) {
  return execFileSync(node, [bin, ...args], {cwd: dir, encoding: 'utf8', maxBuffer: 1e9})
}
