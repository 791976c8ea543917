import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {findCodeowners, parseCodeowners, unownedFiles} from '../codeowners.js'
import type {FlowConfig} from '../config/schema.js'
import type {Deps} from '../deps.js'
import {isFlowError} from '../errors.js'
import type {EnforcedBranchRules, Forge, ForgeEnvironment, ForgeSettings} from '../ports.js'
import {branchRules, collapseUnowned, environmentRules, mergeEnforced, type ComplianceRule, type EnvironmentPolicy} from './rules.js'

export type {ComplianceRule, RuleStatus} from './rules.js'

/** What `flow compliance check` found (its --json document). */
export interface ComplianceReport {
  /** False when any rule fails (the command then exits 6). */
  ok: boolean
  forge: {kind: 'github' | 'local'; describe: string}
  counts: {pass: number; fail: number; unknown: number; 'not-applicable': number}
  rules: ComplianceRule[]
}

/** The token permissions each settings read needs, named in "unknown" rules. */
export const SCOPES = {
  protection: 'fine-grained token: "Administration" repository permission (read); classic token: repo scope and admin rights on the repository',
  rules: 'fine-grained token: "Metadata" repository permission (read); classic token: repo scope for a private repository',
  environments: 'fine-grained token: "Actions" repository permission (read); classic token: repo scope for a private repository',
} as const

/** The status check GitHub shows for `flow change check` (change management). */
export const CHANGE_STATUS_CHECK = 'flow/change'

type ComplianceDeps = Pick<Deps, 'git' | 'config' | 'repo' | 'forge' | 'forgeInfo' | 'env'> & Parameters<typeof import('../ci/generate-ci.js').generateCi>[0]

/** True when the forge can read repository settings (GitHub). */
export function hasForgeSettings(forge: Forge): forge is Forge & ForgeSettings {
  return typeof (forge as Partial<ForgeSettings>).getBranchProtection === 'function'
}

/** A 403/404 from the forge: the token may not read this (or it does not exist for the token). */
const isAccessError = (error: unknown) => isFlowError(error) && (error.code === 'FORGE_PERMISSION' || error.code === 'FORGE_NOT_FOUND')

type Read<T> = {ok: true; value: T} | {ok: false; message: string}

async function read<T>(fn: () => Promise<T>): Promise<Read<T>> {
  try {
    return {ok: true, value: await fn()}
  } catch (error) {
    if (isAccessError(error)) return {ok: false, message: (error as Error).message}
    throw error
  }
}

/** True when flow.yml turns change control on: a written, non-empty changes section with templates or approvals. */
export async function changeControlOn(path: string | undefined, config: Pick<FlowConfig, 'changes'>): Promise<boolean> {
  if (!path) return false
  const {parse} = await import('../yaml.js')
  const raw = await readFile(path, 'utf8').then((t) => parse(t) as Record<string, unknown> | null, () => null)
  const section = raw?.changes
  if (!section || typeof section !== 'object' || Object.keys(section).length === 0) return false
  return Object.keys(config.changes.templates).length > 0 || Object.values(config.changes.types).some((t) => t.approvals > 0)
}

/** The check names the CI workflow reports: its jobs' names (or ids), leaving out jobs allowed to fail. */
export async function expectedStatusChecks(root: string, config: FlowConfig): Promise<string[]> {
  const {parse} = await import('../yaml.js')
  const text = await readFile(join(root, config.ci.path), 'utf8').catch(() => undefined)
  let jobs: Record<string, {name?: unknown; 'continue-on-error'?: unknown}> | undefined
  if (text !== undefined) {
    try {
      jobs = (parse(text) as {jobs?: typeof jobs} | null)?.jobs
    } catch {
      jobs = undefined
    }
  }
  if (!jobs) {
    const {workflowFor} = await import('../ci/workflow.js')
    try {
      jobs = workflowFor(config, {stage: 'submit'}).jobs as typeof jobs
    } catch {
      return []
    }
  }
  return Object.entries(jobs ?? {})
    .filter(([, job]) => job && job['continue-on-error'] !== true)
    .map(([id, job]) => (typeof job.name === 'string' ? job.name : id))
}

async function forgeRules(deps: ComplianceDeps, config: FlowConfig, loadedPath: string | undefined): Promise<{kind: 'github' | 'local'; describe: string; rules: ComplianceRule[]}> {
  const info = await deps.forgeInfo()
  const title = 'branch protection and environments'
  if (info.kind === 'github' && info.problem) {
    return {kind: info.kind, describe: info.describe, rules: [{id: 'forge:settings', title, status: 'unknown', evidence: info.problem.message, fix: info.problem.hint, scope: 'a GitHub token (GH_TOKEN, GITHUB_TOKEN or gh auth login)'}]}
  }
  const forge = info.kind === 'github' ? await deps.forge() : undefined
  if (!forge || !hasForgeSettings(forge)) {
    return {kind: info.kind, describe: info.describe, rules: [{
      id: 'forge:settings', title, status: 'not-applicable',
      evidence: `the ${info.kind} forge (${info.reason}) has no server-side settings to check; flow enforces reviews itself (flow feature finish)`,
    }]}
  }
  const repo = await deps.repo()
  const checks = await expectedStatusChecks(repo.root, config)
  if (await changeControlOn(loadedPath, config)) checks.push(CHANGE_STATUS_CHECK)
  const policy = {approvals: config.review.approvals, codeOwnerReview: config.review.reviewers === 'codeowners', statusChecks: checks}
  const branches = [...new Set([config.branches.main, ...config.release.branches])].filter((b) => !/[{}*]/.test(b))
  const rules: ComplianceRule[] = []
  for (const branch of branches) {
    const [protection, rulesets] = await Promise.all([read(() => forge.getBranchProtection(branch)), read(() => forge.getBranchRules(branch))])
    const readable: Array<EnforcedBranchRules | undefined> = []
    const unread: Array<{scope: string; message: string}> = []
    for (const [result, scope] of [[protection, SCOPES.protection], [rulesets, SCOPES.rules]] as const) {
      if (result.ok) readable.push(result.value)
      else unread.push({scope, message: result.message})
    }
    for (const rule of branchRules(branch, policy, mergeEnforced(readable))) {
      // A rule that fails on what could be read may still be enforced by what could not: unknown, not fail.
      if (rule.status === 'fail' && unread.length > 0) {
        rules.push({...rule, status: 'unknown', evidence: `${readable.some(Boolean) ? `${rule.evidence}; ` : ''}${unread.map((u) => u.message).join('; ')}`, scope: unread.map((u) => u.scope).join(' / '), fix: `Run with a token that has ${unread.map((u) => u.scope).join(', and ')}.`})
      } else {
        rules.push(rule)
      }
    }
  }
  const envPolicies: EnvironmentPolicy[] = Object.entries(config.environments)
    .filter(([, env]) => !env.preview)
    .map(([name, env]) => ({name, approvals: env.approvals, reviewers: env.reviewers}))
  if (envPolicies.length > 0) {
    const envs = await read<ForgeEnvironment[]>(() => forge.listEnvironments())
    if (envs.ok) rules.push(...environmentRules(envPolicies, envs.value))
    else rules.push(...envPolicies.map((p): ComplianceRule => ({id: `environment:${p.name}`, title: `environment ${p.name}`, status: 'unknown', evidence: envs.message, scope: SCOPES.environments, fix: `Run with a token that has ${SCOPES.environments}.`})))
  }
  return {kind: 'github', describe: forge.describe, rules}
}

async function codeownersRule(deps: ComplianceDeps, root: string): Promise<ComplianceRule> {
  const base = {id: 'codeowners:coverage', title: 'CODEOWNERS covers every path'}
  const found = await findCodeowners(root)
  if (!found) return {...base, status: 'fail', evidence: 'no CODEOWNERS file (.github/CODEOWNERS, CODEOWNERS or docs/CODEOWNERS)', fix: 'Add .github/CODEOWNERS with an owner for every path (e.g. a first line "* @org/team").'}
  const files = (await deps.git.run(['ls-files', '-z'], {cwd: root, raw: true})).split('\0').filter(Boolean)
  const unowned = collapseUnowned(files, unownedFiles(parseCodeowners(found.text), files))
  if (unowned.length === 0) return {...base, status: 'pass', evidence: `${found.path} owns all ${files.length} tracked files`}
  const shown = unowned.slice(0, 10).join(', ') + (unowned.length > 10 ? `, and ${unowned.length - 10} more` : '')
  return {...base, status: 'fail', items: unowned, evidence: `${found.path} leaves unowned: ${shown}`, fix: `Add owners for ${unowned.length === 1 ? 'this path' : 'these paths'} to ${found.path} (or a catch-all "*" rule first).`}
}

async function ciRule(deps: ComplianceDeps): Promise<ComplianceRule> {
  const base = {id: 'ci:workflow', title: 'generated CI workflow up to date'}
  const {generateCi} = await import('../ci/generate-ci.js')
  try {
    const done = await generateCi(deps, {check: true})
    return {...base, status: 'pass', evidence: `${done.path} is what flow.yml generates (stage ${done.stage})`}
  } catch (error) {
    if (!isFlowError(error)) throw error
    if (error.code === 'USAGE') return {...base, status: 'not-applicable', evidence: error.message}
    if (error.code !== 'CI_DRIFT') throw error
    // The workflow may have been generated as one job: that is up to date too.
    const single = await generateCi(deps, {check: true, singleJob: true}).catch(() => undefined)
    if (single) return {...base, status: 'pass', evidence: `${single.path} is what flow.yml generates (stage ${single.stage}, one job)`}
    return {...base, status: 'fail', evidence: error.message, fix: error.hint}
  }
}

async function hooksRule(deps: ComplianceDeps, config: FlowConfig, configPath: string | undefined): Promise<ComplianceRule> {
  const base = {id: 'hooks:installed', title: 'git hooks installed'}
  if (!configPath) return {...base, status: 'not-applicable', evidence: 'no flow.yml asks for hooks'}
  if (config.hooks.install.length === 0) return {...base, status: 'not-applicable', evidence: 'hooks.install lists no hook'}
  if (deps.env.CI) return {...base, status: 'not-applicable', evidence: 'git hooks belong to each clone; not checked in CI (CI is set)'}
  const {detectHookManager, hooksDir} = await import('../hooks/install-hooks.js')
  const {isFlowHook} = await import('../hooks/hook-script.js')
  const repo = await deps.repo()
  const manager = await detectHookManager(deps, config.hooks.install)
  const missing: string[] = []
  if (manager) {
    for (const hook of config.hooks.install) {
      const places = manager.name === 'husky' ? [join('.husky', hook)] : ['lefthook.yml', 'lefthook.yaml', '.lefthook.yml', '.lefthook.yaml']
      const texts = await Promise.all(places.map((p) => readFile(join(repo.root, p), 'utf8').catch(() => '')))
      const ok = manager.name === 'husky' ? texts.some((t) => t.includes('flow gates run')) : texts.some((t) => t.includes(`${hook}:`) && t.includes('flow gates run'))
      if (!ok) missing.push(hook)
    }
    return missing.length === 0
      ? {...base, status: 'pass', evidence: `${manager.name} runs flow gates run for ${config.hooks.install.join(', ')}`}
      : {...base, status: 'fail', items: missing, evidence: `${manager.name} does not run flow for ${missing.join(', ')}`, fix: manager.advice}
  }
  const dir = await hooksDir(deps)
  for (const hook of config.hooks.install) {
    const text = await readFile(join(dir, hook), 'utf8').catch(() => '')
    if (!isFlowHook(text)) missing.push(hook)
  }
  return missing.length === 0
    ? {...base, status: 'pass', evidence: `installed: ${config.hooks.install.join(', ')}`}
    : {...base, status: 'fail', items: missing, evidence: `not installed in this clone: ${missing.join(', ')}`, fix: 'Run flow hooks install.'}
}

function requiredGateRules(config: FlowConfig): ComplianceRule[] {
  const required = config.compliance.required_gates
  if (required.length === 0) return [{id: 'gates:required', title: 'required gates', status: 'not-applicable', evidence: 'compliance.required_gates lists no gate'}]
  const stages = config.stages as Record<string, string[] | undefined>
  return required.map((name): ComplianceRule => {
    const id = `gate:${name}:required`
    const title = `gate ${name} required`
    const gate = config.gates[name]
    if (!gate) return {id, title, status: 'fail', evidence: `compliance.required_gates names ${name}, but gates defines no such gate`, fix: `Define gates.${name} in flow.yml.`}
    if (gate.optional) return {id, title, status: 'fail', evidence: `gates.${name} is marked optional: its failure would not block`, fix: `Remove optional: true from gates.${name}.`}
    const inStages = Object.entries(stages).filter(([, list]) => list?.includes(name)).map(([s]) => s)
    if (inStages.length === 0) return {id, title, status: 'fail', evidence: `gates.${name} is in no stage, so nothing runs it`, fix: `Add ${name} to stages.submit.`}
    return {id, title, status: 'pass', evidence: `required, in ${inStages.join(', ')}`}
  })
}

/** Compares flow.yml's policy with what the forge and the repository enforce, rule by rule. */
export async function checkCompliance(deps: ComplianceDeps): Promise<ComplianceReport> {
  const loaded = await deps.config()
  const {config} = loaded
  const repo = await deps.repo()
  const forge = await forgeRules(deps, config, loaded.path)
  const rules = [...forge.rules, await codeownersRule(deps, repo.root), await ciRule(deps), await hooksRule(deps, config, loaded.path), ...requiredGateRules(config)]
  const counts = {pass: 0, fail: 0, unknown: 0, 'not-applicable': 0}
  for (const r of rules) counts[r.status]++
  return {ok: counts.fail === 0, forge: {kind: forge.kind, describe: forge.describe}, counts, rules}
}
