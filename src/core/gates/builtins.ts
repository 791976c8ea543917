import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import type {FlowConfig, GateConfig} from '../config/schema.js'
import type {Clock, Git, Shell} from '../ports.js'
import {branchNameProblem, commitMessageProblem, coverageFromLcov, coverageFromSummary, missingRequiredFiles, scanDiffForSecrets} from './checks.js'

/** What a builtin gate needs to look at the repository. */
export interface BuiltinContext {
  git: Git
  root: string
  config: Pick<FlowConfig, 'branches' | 'commits'>
  /** The commit the branch is compared with (merge-base with the main branch, or --base). */
  base?: string
  /** A commit message file to check instead of the commits since the base (the commit-msg hook). */
  messageFile?: string
  /** Runs the audit command (dependency-audit). */
  shell?: Shell
  /** Today, for exception expiry (dependency-audit). */
  clock?: Clock
}

/** The outcome of a builtin gate: pass or fail, and the lines of its log. */
export interface BuiltinOutcome {
  ok: boolean
  lines: string[]
}

type Builtin = Extract<GateConfig, {builtin: string}>

/** Resolves the base commit: `--base` when given, else the merge-base of HEAD with the main branch (remote first). */
export async function resolveBase(git: Git, main: string, explicit?: string): Promise<string | undefined> {
  const candidates = explicit ? [explicit] : [`refs/remotes/origin/${main}`, `refs/heads/${main}`]
  for (const ref of candidates) {
    const base = await git.exec(['merge-base', 'HEAD', ref])
    if (base.exitCode === 0) return base.stdout.trim()
  }
  return undefined
}

/** Runs one builtin gate. */
export async function runBuiltin(ctx: BuiltinContext, gate: Builtin): Promise<BuiltinOutcome> {
  switch (gate.builtin) {
    case 'conventional-commits': return conventionalCommits(ctx, gate)
    case 'branch-name': return branchName(ctx, gate)
    case 'no-secrets': return noSecrets(ctx, gate)
    case 'coverage': return coverage(ctx, gate)
    case 'required-files': return requiredFiles(ctx, gate)
    case 'dependency-audit': return (await import('./audit-gates.js')).dependencyAudit(ctx, gate)
    case 'api-compatibility': return (await import('./audit-gates.js')).apiCompatibility(ctx, gate)
  }
}

async function conventionalCommits(ctx: BuiltinContext, gate: Extract<Builtin, {builtin: 'conventional-commits'}>): Promise<BuiltinOutcome> {
  const rules = {types: ctx.config.commits.types, scopes: ctx.config.commits.scopes, maxHeaderLength: gate.max_header_length}
  if (ctx.config.commits.convention === 'none') return {ok: true, lines: ['commits.convention is none: nothing to check']}
  if (ctx.messageFile) {
    const problem = commitMessageProblem(await readFile(ctx.messageFile, 'utf8'), rules)
    return problem ? {ok: false, lines: [`commit message: ${problem}`]} : {ok: true, lines: ['commit message follows the convention']}
  }
  const range = ctx.base ? `${ctx.base}..HEAD` : 'HEAD'
  const log = await ctx.git.run(['log', '--no-merges', '--format=%H%x00%B%x1e', range], {raw: true})
  const commits = log.split('\x1e').map((c) => c.replace(/^\n/, '')).filter((c) => c.includes('\0'))
  const lines: string[] = []
  for (const entry of commits) {
    const [sha = '', message = ''] = entry.split('\0')
    const problem = commitMessageProblem(message.trim(), rules)
    if (problem) lines.push(`${sha.slice(0, 12)} "${message.trim().split('\n')[0]}": ${problem}`)
  }
  const total = `${commits.length} commit${commits.length === 1 ? '' : 's'} since ${ctx.base ? ctx.base.slice(0, 12) : 'the root'}`
  return lines.length > 0 ? {ok: false, lines: [...lines, `${lines.length} of ${total} break the convention`]} : {ok: true, lines: [`${total} follow the convention`]}
}

async function branchName(ctx: BuiltinContext, gate: Extract<Builtin, {builtin: 'branch-name'}>): Promise<BuiltinOutcome> {
  const branch = (await ctx.git.exec(['symbolic-ref', '--short', '-q', 'HEAD'])).stdout.trim()
  if (!branch) return {ok: true, lines: ['detached HEAD: no branch name to check']}
  const b = ctx.config.branches
  const templates = [b.feature, b.hotfix, ...(b.strategy === 'git-flow' ? [b.release] : [])]
  const problem = branchNameProblem(branch, {templates, exempt: [b.main, ...(b.strategy === 'git-flow' ? [b.develop] : [])], pattern: gate.pattern})
  return problem ? {ok: false, lines: [problem]} : {ok: true, lines: [`branch "${branch}" follows the naming rules`]}
}

async function noSecrets(ctx: BuiltinContext, gate: Extract<Builtin, {builtin: 'no-secrets'}>): Promise<BuiltinOutcome> {
  // Against the base with the working tree: commits since the base, staged and unstaged changes in one diff.
  const diff = await ctx.git.run(['diff', '-U0', '--no-color', '--no-ext-diff', '--no-renames', ctx.base ?? 'HEAD', '--'], {cwd: ctx.root, raw: true})
  const findings = scanDiffForSecrets(diff, {patterns: gate.patterns, allow: gate.allow, exclude: gate.exclude})
  if (findings.length === 0) return {ok: true, lines: ['no secrets in the added lines']}
  return {ok: false, lines: [...findings.map((f) => `${f.file}:${f.line}: looks like a ${f.kind} (value not shown)`), `${findings.length} suspected secret${findings.length === 1 ? '' : 's'}; remove them, or allow a false positive with allow: in the gate`]}
}

async function coverage(ctx: BuiltinContext, gate: Extract<Builtin, {builtin: 'coverage'}>): Promise<BuiltinOutcome> {
  let text: string
  try {
    text = await readFile(join(ctx.root, gate.file), 'utf8')
  } catch {
    return {ok: false, lines: [`${gate.file} not found: run the tests with coverage first`]}
  }
  const lcov = /\.info$|lcov/i.test(gate.file) && !gate.file.endsWith('.json')
  let pct: number | undefined
  try {
    pct = lcov ? coverageFromLcov(text, gate.metric) : coverageFromSummary(JSON.parse(text), gate.metric)
  } catch {
    pct = undefined
  }
  if (pct === undefined) return {ok: false, lines: [`${gate.file} has no ${gate.metric} total`]}
  return pct >= gate.min
    ? {ok: true, lines: [`${gate.metric} coverage ${pct}% ≥ ${gate.min}%`]}
    : {ok: false, lines: [`${gate.metric} coverage ${pct}% is below the minimum ${gate.min}%`]}
}

async function requiredFiles(ctx: BuiltinContext, gate: Extract<Builtin, {builtin: 'required-files'}>): Promise<BuiltinOutcome> {
  const split = (s: string) => s.split('\0').filter(Boolean)
  const untracked = split(await ctx.git.run(['ls-files', '-z', '--others', '--exclude-standard'], {cwd: ctx.root, raw: true}))
  const changed = [...split(await ctx.git.run(['diff', '-z', '--name-only', '--no-renames', ctx.base ?? 'HEAD', '--'], {cwd: ctx.root, raw: true})), ...untracked]
  const existing = [...split(await ctx.git.run(['ls-files', '-z', '--cached'], {cwd: ctx.root, raw: true})), ...untracked]
  const result = missingRequiredFiles({files: gate.files, when: gate.when, changed, existing})
  if (!result.required) return {ok: true, lines: [`no changed path matches ${gate.when.join(', ')}: nothing required`]}
  if (result.missing.length === 0) return {ok: true, lines: [`required files present: ${gate.files.join(', ')}`]}
  const what = gate.when.length > 0 ? `paths matching ${gate.when.join(', ')} changed, but no file matching` : 'no file matches'
  return {ok: false, lines: result.missing.map((m) => `${what} ${m}${gate.when.length > 0 ? ' changed' : ''}`)}
}
