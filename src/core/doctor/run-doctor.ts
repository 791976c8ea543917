import {access, readFile, readdir} from 'node:fs/promises'
import {join} from 'node:path'
import type {Deps} from '../deps.js'
import {isFlowError} from '../errors.js'
import {redact} from '../redact.js'

/** The verdict of one check. */
export type CheckStatus = 'ok' | 'warn' | 'fail'

/** One line of `flow doctor`. */
export interface DoctorCheck {
  id: 'node' | 'git' | 'repository' | 'config' | 'remote' | 'forge' | 'records' | 'hooks' | 'run'
  status: CheckStatus
  message: string
  /** What to do about a warn or a fail. */
  fix?: string
}

/** What `flow doctor` found. */
export interface DoctorReport {
  ok: boolean
  checks: DoctorCheck[]
}

/** The oldest git flow supports: `merge-tree --write-tree` arrived in 2.38. */
export const MIN_GIT = [2, 38] as const

/** Parses `git version 2.39.5` into numbers. */
export function parseGitVersion(text: string): number[] | undefined {
  const match = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(text)
  return match ? [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] : undefined
}

const HOOK_MARKER = 'flow hooks'

/** Checks the machine, the repository, flow.yml, the remote, the forge, the record store, hooks and any paused run. */
export async function runDoctor(deps: Pick<Deps, 'git' | 'env' | 'repo' | 'config' | 'forgeInfo'>, nodeVersion = process.versions.node): Promise<DoctorReport> {
  const checks: DoctorCheck[] = []
  const nodeMajor = Number(nodeVersion.split('.')[0])
  checks.push(nodeMajor >= 20
    ? {id: 'node', status: 'ok', message: `Node.js ${nodeVersion}`}
    : {id: 'node', status: 'fail', message: `Node.js ${nodeVersion} is too old`, fix: 'Install Node.js 20 or newer.'})

  const versionText = await deps.git.exec(['--version']).catch(() => undefined)
  const version = versionText && versionText.exitCode === 0 ? parseGitVersion(versionText.stdout) : undefined
  if (!version) {
    checks.push({id: 'git', status: 'fail', message: 'git was not found', fix: 'Install git 2.38 or newer.'})
    return {ok: false, checks}
  }
  const tooOld = version[0]! < MIN_GIT[0] || (version[0] === MIN_GIT[0] && version[1]! < MIN_GIT[1])
  checks.push(tooOld
    ? {id: 'git', status: 'fail', message: `git ${version.join('.')} is older than ${MIN_GIT.join('.')}`, fix: 'Upgrade git.'}
    : {id: 'git', status: 'ok', message: `git ${version.join('.')}`})

  let repo
  try {
    repo = await deps.repo()
    checks.push({id: 'repository', status: 'ok', message: `repository at ${repo.root}`})
  } catch (error) {
    checks.push({id: 'repository', status: 'fail', message: isFlowError(error) ? error.message : String(error), fix: 'Run flow inside a git repository, or pass --cwd.'})
    return {ok: false, checks}
  }

  let hookStages: string[] = []
  try {
    const loaded = await deps.config()
    if (loaded.path) hookStages = [...loaded.config.hooks.install]
    checks.push(loaded.path
      ? {id: 'config', status: 'ok', message: `${loaded.path} is valid`}
      : {id: 'config', status: 'warn', message: 'no flow.yml: using the defaults', fix: 'Run flow init to write one.'})
  } catch (error) {
    checks.push({id: 'config', status: 'fail', message: isFlowError(error) ? error.message : String(error), fix: 'Run flow config validate to see every problem.'})
  }

  const remotes = (await deps.git.run(['remote'])).split('\n').filter(Boolean)
  const remote = remotes.includes('origin') ? 'origin' : remotes[0]
  if (remote) {
    const url = await deps.git.run(['remote', 'get-url', remote])
    checks.push({id: 'remote', status: 'ok', message: `${remote} → ${redact(url)}`})
  } else {
    checks.push({id: 'remote', status: 'warn', message: 'no remote: flow works locally, records are not shared', fix: 'git remote add origin URL'})
  }

  try {
    const info = await deps.forgeInfo()
    const token = info.kind === 'github' ? `, token from ${info.tokenSource}` : ''
    checks.push(info.problem
      ? {id: 'forge', status: 'fail', message: info.problem.message, fix: info.problem.hint}
      : {id: 'forge', status: 'ok', message: `${info.kind} forge (${info.describe})${token}: ${info.reason}`})
  } catch (error) {
    checks.push({id: 'forge', status: 'fail', message: isFlowError(error) ? error.message : String(error), fix: isFlowError(error) ? error.hint : undefined})
  }

  const local = await deps.git.exec(['rev-parse', '--verify', '-q', 'refs/heads/flow/records'])
  if (local.exitCode === 0) {
    const count = await deps.git.run(['rev-list', '--count', 'refs/heads/flow/records'])
    checks.push({id: 'records', status: 'ok', message: `record store flow/records: ${count} commits`})
  } else {
    checks.push({id: 'records', status: 'ok', message: 'record store flow/records: empty (created on the first record)'})
  }

  const hooksPath = (await deps.git.exec(['rev-parse', '--git-path', 'hooks'])).stdout.trim()
  const hooksDir = hooksPath.startsWith('/') ? hooksPath : join(repo.root, hooksPath)
  const installed = await installedFlowHooks(hooksDir)
  const missing = hookStages.filter((stage) => !installed.includes(stage))
  checks.push({
    id: 'hooks',
    status: missing.length > 0 ? 'warn' : 'ok',
    message: [installed.length > 0 ? `flow hooks installed: ${installed.join(', ')}` : 'no flow hooks installed', missing.length > 0 ? `flow.yml lists ${missing.join(', ')} under hooks.install, not installed` : ''].filter(Boolean).join('; '),
    ...(missing.length > 0 ? {fix: 'flow hooks install'} : {}),
  })

  const journal = join(repo.flowDir, 'run.json')
  if (await exists(journal)) {
    const run = JSON.parse(await readFile(journal, 'utf8')) as {command?: string; status?: string}
    checks.push({id: 'run', status: 'warn', message: `a run of flow ${run.command ?? '?'} is ${run.status ?? 'unfinished'}`, fix: 'flow status, then flow continue, flow undo or flow abort.'})
  } else {
    checks.push({id: 'run', status: 'ok', message: 'no run in progress'})
  }
  return {ok: !checks.some((c) => c.status === 'fail'), checks}
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path)
    return true
  } catch {
    return false
  }
}

async function installedFlowHooks(dir: string): Promise<string[]> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch {
    return []
  }
  const found: string[] = []
  for (const name of names) {
    if (name.endsWith('.sample') || name.endsWith('.local')) continue
    const text = await readFile(join(dir, name), 'utf8').catch(() => '')
    if (text.includes(HOOK_MARKER)) found.push(name)
  }
  return found
}
