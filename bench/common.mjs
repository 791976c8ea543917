// What every benchmark shares: where the binary is, medians, timing whole commands, and writing bench/out/NAME.json.
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..')
export const bin = join(root, 'bin', 'run.js')

/** The median of a list of numbers. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

const quote = (a) => (/^[\w./=-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)

/**
 * Times each case ({argv}) `runs` times in `cwd`, after `warmup` runs: with hyperfine (Debian package) when present,
 * else a spawnSync harness. Returns the tool used and the times in milliseconds, one list per case.
 */
export function measure(cwd, cases, {runs, warmup, scratch = cwd}) {
  const hyperfine = spawnSync('hyperfine', ['--version'], {encoding: 'utf8'})
  if (hyperfine.status === 0) {
    const out = join(scratch, 'hyperfine.json')
    execFileSync('hyperfine', ['-N', '--warmup', String(warmup), '--runs', String(runs), '--export-json', out, ...cases.map((c) => c.argv.map(quote).join(' '))], {cwd, stdio: ['ignore', 'ignore', 'inherit']})
    return {tool: hyperfine.stdout.trim(), times: JSON.parse(readFileSync(out, 'utf8')).results.map((r) => r.times.map((t) => t * 1000))}
  }
  const times = cases.map((c) => {
    for (let i = 0; i < warmup; i++) spawnSync(c.argv[0], c.argv.slice(1), {cwd, stdio: 'ignore', maxBuffer: 1e9})
    return Array.from({length: runs}, () => {
      const t = process.hrtime.bigint()
      spawnSync(c.argv[0], c.argv.slice(1), {cwd, stdio: 'ignore', maxBuffer: 1e9})
      return Number(process.hrtime.bigint() - t) / 1e6
    })
  })
  return {tool: 'spawnSync harness', times}
}

/** Writes a benchmark's results as bench/out/NAME.json. */
export function writeResult(name, data) {
  mkdirSync(join(root, 'bench', 'out'), {recursive: true})
  writeFileSync(join(root, 'bench', 'out', `${name}.json`), `${JSON.stringify({node: process.version, ...data}, null, 2)}\n`)
}
