import {parseCodeowners, readCodeowners, type OwnerRule} from '../codeowners.js'
import {activeFreeze, nextFreeze, parseFreezeWindow, type FreezeWindow} from '../config/freeze.js'
import type {FlowConfig} from '../config/schema.js'
import type {Deps} from '../deps.js'
import {gatesDirOf, readBranchResults, readLastResults} from '../gates/run-gates.js'
import type {Git} from '../ports.js'
import type {GateStanding} from './evaluate.js'
import type {Change, ChangeBinding} from './model.js'
import {assessRisk, FREEZE_HORIZON_MS, type ChangedFile, type FreezeSpan, type RiskAssessment} from './risk.js'
import {incidentFacts} from '../incidents/facts.js'

/** Who is acting: git user.email, else the author identity git would use. */
export async function actorOf(git: Git): Promise<string> {
  const email = await git.exec(['config', '--get', 'user.email'])
  if (email.exitCode === 0 && email.stdout.trim()) return email.stdout.trim()
  const ident = await git.exec(['var', 'GIT_AUTHOR_IDENT'])
  return /<([^>]*)>/.exec(ident.stdout)?.[1] || 'unknown'
}

/** The value of a ref, or undefined. */
export async function revParse(git: Git, ref: string): Promise<string | undefined> {
  const r = await git.exec(['rev-parse', '-q', '--verify', `${ref}^{commit}`])
  return r.exitCode === 0 && r.stdout ? r.stdout.trim() : undefined
}

/** The local branch, else its origin copy, as a ref that exists. */
export async function branchRef(git: Git, branch: string): Promise<string | undefined> {
  for (const ref of [`refs/heads/${branch}`, `refs/remotes/origin/${branch}`]) if (await revParse(git, ref)) return ref
  return undefined
}

/** The files `head` changes since it left `base`, with line counts. */
export async function diffFiles(git: Git, base: string, head: string): Promise<ChangedFile[]> {
  const out = await git.run(['diff', '--numstat', '-z', '--no-renames', `${base}...${head}`, '--'], {raw: true})
  const files: ChangedFile[] = []
  for (const entry of out.split('\0')) {
    const m = /^(\d+|-)\t(\d+|-)\t(.+)$/s.exec(entry.replace(/^\n/, ''))
    if (m) files.push({path: m[3] as string, added: m[1] === '-' ? 0 : Number(m[1]), deleted: m[2] === '-' ? 0 : Number(m[2])})
  }
  return files
}

/** The commit a change is about now (the branch's tip, the pull request's head, the deployment's sha). */
export async function headOf(deps: Pick<Deps, 'git'>, binding: ChangeBinding): Promise<string | undefined> {
  if (binding.branch) {
    const ref = await branchRef(deps.git, binding.branch)
    if (ref) return revParse(deps.git, ref)
  }
  return binding.sha
}

/** The changed files of a bound change (empty when the commits are not at hand). */
export async function filesOf(deps: Pick<Deps, 'git'>, binding: ChangeBinding): Promise<ChangedFile[]> {
  if (binding.branch && binding.base) {
    const [head, base] = [await branchRef(deps.git, binding.branch), await branchRef(deps.git, binding.base)]
    if (head && base) return diffFiles(deps.git, base, head)
  }
  if (binding.kind === 'deployment' && binding.sha && binding.base && (await revParse(deps.git, binding.sha)) && (await revParse(deps.git, binding.base))) {
    return diffFiles(deps.git, binding.base, binding.sha)
  }
  return []
}

/** The freeze windows that apply to changes on these environments (changes.freeze and each environment's own). */
export function freezeWindows(config: Pick<FlowConfig, 'changes' | 'environments'>, environments: readonly string[]): FreezeWindow[] {
  const texts = [...config.changes.freeze, ...environments.flatMap((e) => config.environments[e]?.freeze ?? [])]
  return texts.map((t) => parseFreezeWindow(t)).filter((w): w is FreezeWindow => w !== undefined)
}

const spanOf = (s: {window: FreezeWindow; start: Date; end: Date}): FreezeSpan => ({text: s.window.text, start: s.start.toISOString(), end: s.end.toISOString()})

/** The freeze in force at `at` on these environments, if any. */
export function freezeAt(config: Pick<FlowConfig, 'changes' | 'environments'>, environments: readonly string[], at: Date): FreezeSpan | undefined {
  const span = activeFreeze(freezeWindows(config, environments), at)
  return span && spanOf(span)
}

/** The CODEOWNERS rules of the repository (none when there is no CODEOWNERS file). */
export async function ownerRules(deps: Pick<Deps, 'repo'>): Promise<OwnerRule[]> {
  const text = await readCodeowners((await deps.repo()).root)
  return text ? parseCodeowners(text) : []
}

/** Scores a change as it stands: its diff, owners, environments, recent incidents and freezes around its window. */
export async function riskOf(deps: Pick<Deps, 'git' | 'repo' | 'records' | 'clock'>, config: FlowConfig, change: Pick<Change, 'type' | 'binding' | 'environments' | 'services' | 'window'>, files?: ChangedFile[]): Promise<RiskAssessment> {
  const now = deps.clock.now()
  const at = change.window ? new Date(change.window.start) : now
  const windows = freezeWindows(config, change.environments)
  const active = activeFreeze(windows, at) ?? (change.window ? activeFreeze(windows, new Date(change.window.end)) : undefined)
  const next = active ? undefined : nextFreeze(windows, at, FREEZE_HORIZON_MS)
  return assessRisk({
    type: change.type,
    files: files ?? (await filesOf(deps, change.binding)),
    changes: config.changes,
    services: config.services,
    owners: await ownerRules(deps),
    environments: change.environments,
    ...(config.metrics.production ? {production: config.metrics.production} : {}),
    namedServices: change.services,
    incidents: await incidentFacts(await deps.records()),
    now,
    freeze: {...(active ? {active: spanOf(active)} : {}), ...(next ? {next: spanOf(next)} : {})},
  })
}

/**
 * The gate results that count for a change: the last gate run recorded on its branch in this clone (what
 * `flow feature list` shows), taken only when it ran on the change's head commit, and only the gates of that run.
 * The `submit` stage is what is required, the same gates `flow feature submit` runs before review.
 */
export async function gateStanding(deps: Pick<Deps, 'repo'>, config: FlowConfig, binding: ChangeBinding, head: string | undefined): Promise<GateStanding> {
  const required = (config.stages as Record<string, string[] | undefined>).submit ?? []
  if (!binding.branch) return {required, results: [], ...(head ? {head} : {}), note: 'a change bound to a deployment has no branch to run gates on'}
  const gatesDir = gatesDirOf((await deps.repo()).flowDir)
  const run = (await readBranchResults(gatesDir))[binding.branch]
  if (!run || !head || run.head !== head) return {required, results: [], ...(head ? {head} : {})}
  const last = await readLastResults(gatesDir)
  const results = Object.entries(last).filter(([, r]) => r.at === run.at).map(([name, r]) => ({name, status: r.status, at: r.at, sha: run.head}))
  return {required, results, head}
}
