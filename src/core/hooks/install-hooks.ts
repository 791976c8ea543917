import {readFile, stat} from 'node:fs/promises'
import {isAbsolute, join, relative} from 'node:path'
import {runPlan, type RunResult} from '../../engine/runner.js'
import type {Plan, StepSpec} from '../../engine/types.js'
import type {Deps} from '../deps.js'
import {FlowError} from '../errors.js'
import type {FileMoveInput, FileRemoveInput, FileWriteInput} from '../files/file-steps.js'
import {LOCAL_SUFFIX, hookScript, isFlowHook} from './hook-script.js'

/** Another tool that manages this repository's git hooks. */
export interface HookManager {
  name: 'husky' | 'lefthook'
  /** What to add to that tool's configuration instead. */
  advice: string
}

/** What `flow hooks install|uninstall` did (its --json document). */
export interface HooksResult {
  dir: string
  hooks: Array<{hook: string; action: 'installed' | 'updated' | 'unchanged' | 'removed' | 'absent'; chained?: string; restored?: string}>
  dryRun?: true
  steps?: RunResult['steps']
}

async function readText(path: string): Promise<string | null> {
  return readFile(path, 'utf8').catch(() => null)
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false)
}

/** The hooks directory git uses (core.hooksPath honoured), absolute. */
export async function hooksDir(deps: Pick<Deps, 'git' | 'repo'>): Promise<string> {
  const repo = await deps.repo()
  const path = await deps.git.run(['rev-parse', '--git-path', 'hooks'], {cwd: repo.root})
  return isAbsolute(path) ? path : join(repo.root, path)
}

/** Husky (`.husky/`, or core.hooksPath in it) or lefthook (`lefthook.yml`), when the repository uses one. */
export async function detectHookManager(deps: Pick<Deps, 'git' | 'repo'>, hooks: string[]): Promise<HookManager | undefined> {
  const repo = await deps.repo()
  const hooksPath = (await deps.git.exec(['config', '--get', 'core.hooksPath'], {cwd: repo.root})).stdout.trim()
  const example = hooks.includes('pre-push') ? 'pre-push' : (hooks[0] ?? 'pre-push')
  if (/(^|\/)\.husky(\/|$)/.test(hooksPath) || (await exists(join(repo.root, '.husky')))) {
    return {name: 'husky', advice: `husky runs the hooks in .husky/: add the line "npx --no-install flow gates run ${example}" to .husky/${example} (and likewise for ${hooks.join(', ')}).`}
  }
  for (const file of ['lefthook.yml', 'lefthook.yaml', '.lefthook.yml', '.lefthook.yaml']) {
    if (await exists(join(repo.root, file))) {
      return {name: 'lefthook', advice: `lefthook runs the hooks from ${file}: add under ${example}: commands: flow: run: npx --no-install flow gates run ${example} (and likewise for ${hooks.join(', ')}).`}
    }
  }
  return undefined
}

/** Installs the hooks of `hooks.install` (or the given ones); an existing hook is renamed to HOOK.local and chained. */
export async function installHooks(deps: Parameters<typeof runPlan>[0] & Pick<Deps, 'config'>, input: {hooks?: string[]; dryRun?: boolean}): Promise<HooksResult> {
  const {config} = await deps.config()
  const hooks = input.hooks && input.hooks.length > 0 ? input.hooks : config.hooks.install
  const manager = await detectHookManager(deps, hooks)
  if (manager) throw new FlowError('HOOKS_MANAGED', `this repository's git hooks are managed by ${manager.name}; flow does not install its own beside it`, {hint: manager.advice})
  const dir = await hooksDir(deps)
  const repo = await deps.repo()
  const rel = (p: string) => (relative(repo.root, p).startsWith('..') ? p : relative(repo.root, p))
  const steps: StepSpec[] = []
  const result: HooksResult = {dir, hooks: []}
  for (const hook of hooks) {
    const path = join(dir, hook)
    const current = await readText(path)
    const script = hookScript(hook)
    const local = `${path}${LOCAL_SUFFIX}`
    const foreign = current !== null && !isFlowHook(current)
    if (foreign) {
      if (await exists(local)) throw new FlowError('HOOKS_MANAGED', `${rel(path)} is not flow's and ${rel(local)} exists too`, {hint: `Merge ${rel(path)} into ${rel(local)} (which flow's hook runs first), remove ${rel(path)}, then run flow hooks install again.`})
      steps.push({kind: 'file.move', input: {from: path, to: local, display: {from: rel(path), to: rel(local)}} satisfies FileMoveInput})
    }
    const chained = foreign || (await exists(local)) ? rel(local) : undefined
    const action = current === null || foreign ? 'installed' : current === script ? 'unchanged' : 'updated'
    if (action !== 'unchanged') steps.push({kind: 'file.write', input: {path, content: script, mode: 0o755, display: rel(path)} satisfies FileWriteInput})
    result.hooks.push({hook, action, ...(chained ? {chained} : {})})
  }
  return applyPlan(deps, {command: 'hooks install', inputs: {hooks}, steps}, result, input.dryRun)
}

/** Removes flow's hooks and puts back the hooks they chained to. */
export async function uninstallHooks(deps: Parameters<typeof runPlan>[0] & Pick<Deps, 'config'>, input: {hooks?: string[]; dryRun?: boolean}): Promise<HooksResult> {
  const {config} = await deps.config()
  const dir = await hooksDir(deps)
  const repo = await deps.repo()
  const rel = (p: string) => (relative(repo.root, p).startsWith('..') ? p : relative(repo.root, p))
  const known = ['pre-commit', 'prepare-commit-msg', 'commit-msg', 'post-commit', 'pre-push', 'post-checkout', 'post-merge', 'pre-rebase']
  const hooks = input.hooks && input.hooks.length > 0 ? input.hooks : [...new Set([...config.hooks.install, ...known])]
  const steps: StepSpec[] = []
  const result: HooksResult = {dir, hooks: []}
  for (const hook of hooks) {
    const path = join(dir, hook)
    const current = await readText(path)
    if (current === null || !isFlowHook(current)) {
      if (input.hooks?.includes(hook)) result.hooks.push({hook, action: 'absent'})
      continue
    }
    steps.push({kind: 'file.remove', input: {path, display: rel(path)} satisfies FileRemoveInput})
    const local = `${path}${LOCAL_SUFFIX}`
    let restored: string | undefined
    if (await exists(local)) {
      steps.push({kind: 'file.move', input: {from: local, to: path, display: {from: rel(local), to: rel(path)}} satisfies FileMoveInput})
      restored = rel(path)
    }
    result.hooks.push({hook, action: 'removed', ...(restored ? {restored} : {})})
  }
  return applyPlan(deps, {command: 'hooks uninstall', inputs: {hooks}, steps}, result, input.dryRun)
}

async function applyPlan(deps: Parameters<typeof runPlan>[0], plan: Plan, result: HooksResult, dryRun?: boolean): Promise<HooksResult> {
  if (plan.steps.length === 0 && !dryRun) return result
  const run = await runPlan(deps, plan, {dryRun})
  return dryRun ? {...result, dryRun: true, steps: run.steps} : result
}
