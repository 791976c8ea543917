// npm run demo: the main job on a fresh clone, offline and without a token. Builds when needed, then walks
// through flow in a throwaway repository with a bare origin, printing each command and what it printed.
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
if (!existsSync(join(root, 'dist', 'bundle', 'cli', 'main.js')) || !existsSync(join(root, 'oclif.manifest.json'))) {
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
const say = (text) => process.stdout.write(`\n# ${text}\n`)
const flow = (args, expected = 0) => {
  process.stdout.write(`$ flow ${args.join(' ')}\n`)
  const result = spawnSync(process.execPath, [join(root, 'bin', 'run.js'), ...args], {cwd: repo, env, stdio: ['ignore', 'inherit', 'inherit']})
  process.stdout.write(`(exit ${result.status}${result.status === expected ? '' : `, expected ${expected}`})\n`)
  return result.status === expected
}

let failed = 0
try {
  sh('git', ['init', '-q', '--bare', '-b', 'main', origin], scratch)
  sh('git', ['init', '-q', '-b', 'main', repo], scratch)
  sh('git', ['commit', '-q', '--allow-empty', '-m', 'chore: start'])
  sh('git', ['remote', 'add', 'origin', origin])
  sh('git', ['push', '-q', '-u', 'origin', 'main'])
  process.stdout.write(`A repository with a bare origin in ${scratch}; no token, no network.\n`)
  const commit = (file, text, message) => () => {
    writeFileSync(join(repo, file), text)
    sh('git', ['add', file])
    sh('git', ['commit', '-q', '-m', message])
  }
  const steps = [
    [['init', '--template', 'trunk', '--yes'], 0, 'Write flow.yml from the trunk template, check it, and check the setup.'],
    [['config', 'validate'], 0, undefined, () => { sh('git', ['add', 'flow.yml']); sh('git', ['commit', '-q', '-m', 'chore: adopt flow']); sh('git', ['push', '-q', 'origin', 'main']) }],
    [['doctor']],
    [['feature', 'start', 'login form'], 0, 'A feature branch from an up-to-date main, its parent recorded.'],
    [['gates', 'run', 'submit'], 0, 'The submit gates (conventional commits, no secrets), as CI and the hooks run them.', commit('login.txt', 'a login form\n', 'feat: login form')],
    [['feature', 'submit'], 0, 'Push and open the review request (a record on the offline local forge).'],
    [['feature', 'approve', '1'], 0, 'A reviewer approves; then finish squash-merges with trailers and cleans up.'],
    [['feature', 'finish']],
    [['release', 'plan'], 0, 'The next version from the conventional commits: the plan, then the cut.'],
    [['release', 'cut', '--yes']],
    [['records', 'sync'], 0, 'Share the offline record store (review, approval, release) through origin.'],
    [['records', 'sync', '--remote', 'backup'], 8, 'A remote that is not there yet: the run pauses (exit 8) and says how to go on.', () => sh('git', ['remote', 'add', 'backup', join(scratch, 'backup.git')])],
    [['status']],
    [['continue'], 0, 'Create the remote, then finish the paused run where it stopped.', () => sh('git', ['init', '-q', '--bare', '-b', 'main', join(scratch, 'backup.git')], scratch)],
    [['status']],
  ]
  for (const [args, expected = 0, text, before] of steps) {
    if (text) say(text)
    if (before) before()
    if (!flow(args, expected)) failed++
  }
} finally {
  rmSync(scratch, {recursive: true, force: true})
}
process.stdout.write(failed ? `\n${failed} command(s) failed.\n` : '\nAll commands succeeded.\n')
process.exit(failed ? 1 : 0)
