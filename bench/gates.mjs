// npm run bench (second part): the gate runner's parallelism and cache, timing the built binary end to end.
// Cases: two independent 1 s gates in parallel vs --concurrency 1; a chain of two 1 s gates; a cached second run
// vs the first (--no-cache). Medians of BENCH_RUNS runs; prints ratios and writes bench/out/gates.json.
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {bin, median, root, writeResult} from './common.mjs'

const runs = Number(process.env.BENCH_RUNS ?? 5)
const repo = mkdtempSync(join(tmpdir(), 'flow-bench-gates-'))
const git = (...args) => execFileSync('git', args, {cwd: repo, stdio: 'ignore'})
git('init', '-q', '-b', 'main')
const sleep1 = JSON.stringify([process.execPath, '-e', 'setTimeout(() => {}, 1000)'])
writeFileSync(join(repo, 'flow.yml'), `gates:
  a: {run: ${sleep1}, inputs: ["src/**"]}
  b: {run: ${sleep1}, inputs: ["src/**"]}
  c: {run: ${sleep1}}
  d: {run: ${sleep1}, needs: [c]}
stages:
  pair: [a, b]
  chain: [d]
`)
mkdirSync(join(repo, 'src'))
for (let i = 0; i < 200; i++) writeFileSync(join(repo, 'src', `f${i}.txt`), `file ${i}\n`)
git('add', '-A')
git('-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', 'commit', '-q', '-m', 'chore: start')

const time = (args) => {
  const t = process.hrtime.bigint()
  const r = spawnSync(process.execPath, [bin, ...args], {cwd: repo, encoding: 'utf8'})
  if (r.status !== 0) throw new Error(`flow ${args.join(' ')} failed: ${r.stderr}`)
  return Number(process.hrtime.bigint() - t) / 1e6
}
const measure = (args, before) => Array.from({length: runs}, () => {
  before?.()
  return time(args)
})

const cases = {
  'pair, parallel': measure(['gates', 'run', 'pair', '--no-cache', '--concurrency', '2']),
  'pair, --concurrency 1': measure(['gates', 'run', 'pair', '--no-cache', '--concurrency', '1']),
  'chain of two': measure(['gates', 'run', 'chain']),
  'pair, first run (no cache)': measure(['gates', 'run', 'pair', '--no-cache']),
}
time(['gates', 'run', 'pair'])
cases['pair, cached'] = measure(['gates', 'run', 'pair'])
cases['flow --version (startup)'] = measure(['--version'])

// The runner alone, in this process (no CLI startup): what the gates cost beyond flow's fixed startup.
const {createDeps} = await import(join(root, 'dist', 'cli', 'deps.js'))
const {runGates} = await import(join(root, 'dist', 'core', 'gates', 'run-gates.js'))
const quiet = (deps) => ({...deps, reporter: {progress() {}, warn() {}, info() {}}})
const inProcess = async (input) => {
  const out = []
  for (let i = 0; i < runs; i++) {
    const deps = quiet(createDeps({cwd: repo, env: process.env, canPrompt: false, json: true, yes: true, debug: false}))
    const t = process.hrtime.bigint()
    const run = await runGates(deps, input)
    if (!run.ok) throw new Error('gates failed')
    out.push(Number(process.hrtime.bigint() - t) / 1e6)
  }
  return out
}
cases['runner: pair, parallel'] = await inProcess({stage: 'pair', noCache: true, concurrency: 2})
cases['runner: pair, sequential'] = await inProcess({stage: 'pair', noCache: true, concurrency: 1})
cases['runner: chain of two'] = await inProcess({stage: 'chain'})
cases['runner: pair, cached'] = await inProcess({stage: 'pair'})

const rows = Object.entries(cases).map(([name, xs]) => ({case: name, medianMs: Math.round(median(xs)), minMs: Math.round(Math.min(...xs)), maxMs: Math.round(Math.max(...xs))}))
const m = Object.fromEntries(rows.map((r) => [r.case, r.medianMs]))
const ratios = {
  parallelOverSequential: Number((m['pair, parallel'] / m['pair, --concurrency 1']).toFixed(2)),
  chainOverParallelPair: Number((m['chain of two'] / m['pair, parallel']).toFixed(2)),
  cachedOverFirst: Number((m['pair, cached'] / m['pair, first run (no cache)']).toFixed(3)),
  runnerParallelOverSequential: Number((m['runner: pair, parallel'] / m['runner: pair, sequential']).toFixed(2)),
  runnerCachedOverFirst: Number((m['runner: pair, cached'] / m['runner: pair, parallel']).toFixed(3)),
}
console.log(`gates, ${runs} runs each, node ${process.version}, ${(await import('node:os')).availableParallelism()} cores`)
console.log(`${'case'.padEnd(28)} ${'median ms'.padStart(10)} ${'min'.padStart(6)} ${'max'.padStart(6)}`)
for (const r of rows) console.log(`${r.case.padEnd(28)} ${String(r.medianMs).padStart(10)} ${String(r.minMs).padStart(6)} ${String(r.maxMs).padStart(6)}`)
console.log(`binary: parallel / sequential ${ratios.parallelOverSequential}, chain / parallel pair ${ratios.chainOverParallelPair}, cached / first ${ratios.cachedOverFirst} (each includes flow's startup)`)
console.log(`runner: parallel / sequential ${ratios.runnerParallelOverSequential}, cached / first ${ratios.runnerCachedOverFirst}`)
writeResult('gates', {runs, rows, ratios})
rmSync(repo, {recursive: true, force: true})
