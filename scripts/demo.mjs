// npm run demo: the main job on a fresh clone, offline and without a token. Builds when needed, then walks
// through flow in a throwaway repository with a bare origin, printing each command and what it printed.
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
if (!existsSync(join(root, 'dist', 'commands')) || !existsSync(join(root, 'oclif.manifest.json'))) {
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], {cwd: root, stdio: 'inherit'})
}

const scratch = mkdtempSync(join(tmpdir(), 'flow-demo-'))
const repo = join(scratch, 'shop')
const origin = join(scratch, 'shop-origin.git')
const env = {...process.env, GIT_AUTHOR_NAME: 'Demo', GIT_AUTHOR_EMAIL: 'demo@example.com', GIT_COMMITTER_NAME: 'Demo', GIT_COMMITTER_EMAIL: 'demo@example.com'}
for (const name of ['GH_TOKEN', 'GITHUB_TOKEN', 'GITHUB_API_URL', 'GH_HOST']) delete env[name]

const sh = (cmd, args, cwd = repo) => {
  execFileSync(cmd, args, {cwd, env, stdio: 'ignore'})
}
const flow = (...args) => {
  process.stdout.write(`\n$ flow ${args.join(' ')}\n`)
  const result = spawnSync(process.execPath, [join(root, 'bin', 'run.js'), ...args], {cwd: repo, env, encoding: 'utf8'})
  process.stdout.write(result.stdout + result.stderr)
  process.stdout.write(`(exit ${result.status})\n`)
  return result.status
}

let failed = 0
try {
  sh('git', ['init', '-q', '--bare', '-b', 'main', origin], scratch)
  sh('git', ['init', '-q', '-b', 'main', repo], scratch)
  sh('git', ['commit', '-q', '--allow-empty', '-m', 'chore: start'])
  sh('git', ['remote', 'add', 'origin', origin])
  sh('git', ['push', '-q', '-u', 'origin', 'main'])
  process.stdout.write(`A repository with a bare origin in ${scratch}; no token, no network.\n`)
  const steps = [
    ['init', '--template', 'trunk', '--yes'],
    ['config', 'validate'],
    ['doctor'],
    ['records', 'sync', '--dry-run'],
    ['records', 'sync'],
    ['status'],
  ]
  for (const args of steps) if (flow(...args) !== 0) failed++
} finally {
  rmSync(scratch, {recursive: true, force: true})
}
process.stdout.write(failed ? `\n${failed} command(s) failed.\n` : '\nAll commands succeeded.\n')
process.exit(failed ? 1 : 0)
