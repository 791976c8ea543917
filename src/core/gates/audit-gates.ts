/** The dependency-audit and api-compatibility builtin gates (loaded only when one of them runs). */
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import type {GateConfig} from '../config/schema.js'
import {parseDuration} from '../config/duration.js'
import {parseCommit} from '../release/commits.js'
import type {BuiltinContext, BuiltinOutcome} from './builtins.js'
import {judgeAudit, parseAudit} from './dependency-audit.js'
import {breakingChanges} from './openapi-diff.js'

type AuditGate = Extract<GateConfig, {builtin: 'dependency-audit'}>
type ApiGate = Extract<GateConfig, {builtin: 'api-compatibility'}>

/** Runs the audit command (argv, or the user's shell for a string) and applies the gate's policy to what it printed. */
export async function dependencyAudit(ctx: BuiltinContext, gate: AuditGate): Promise<BuiltinOutcome> {
  if (!ctx.shell || !ctx.clock) throw new Error('dependency-audit needs a shell and a clock')
  const result = await ctx.shell.run(gate.command, {cwd: ctx.root, env: gate.env, timeoutMs: parseDuration(gate.timeout)})
  const shown = typeof gate.command === 'string' ? gate.command : gate.command.join(' ')
  if (result.timedOut) return {ok: false, lines: [`${shown} timed out after ${gate.timeout}`]}
  let advisories
  try {
    // npm audit exits 1 when it finds advisories: its output decides, not its exit code.
    advisories = parseAudit(result.stdout)
  } catch (error) {
    return {ok: false, lines: [`${shown} (exit ${result.exitCode}): ${(error as Error).message}`, ...result.stderr.trim().split('\n').filter(Boolean).slice(-5)]}
  }
  return judgeAudit(advisories, {maxSeverity: gate.max_severity, exceptions: gate.exceptions}, ctx.clock.now())
}

async function parseDocument(text: string, name: string): Promise<unknown> {
  const trimmed = text.trimStart()
  if (trimmed.startsWith('{')) return JSON.parse(text)
  const {parse} = await import('../yaml.js')
  try {
    return parse(text)
  } catch (error) {
    throw new Error(`${name} is neither JSON nor YAML: ${(error as Error).message.split('\n')[0]}`)
  }
}

/** The commits since the base that declare a breaking change (`type!:` or a BREAKING CHANGE footer), as `sha subject`. */
async function breakingCommits(ctx: BuiltinContext): Promise<string[]> {
  const range = ctx.base ? `${ctx.base}..HEAD` : 'HEAD'
  const log = await ctx.git.run(['log', '--no-merges', '--format=%H%x00%s%x00%b%x1e', range], {raw: true})
  const out: string[] = []
  for (const entry of log.split('\x1e')) {
    const [sha = '', subject = '', body = ''] = entry.replace(/^\n/, '').split('\0')
    if (!sha) continue
    if (parseCommit(sha, subject, body).breaking) out.push(`${sha.slice(0, 12)} ${subject}`)
  }
  return out
}

/** Compares each OpenAPI document at the base with the working tree; breaking changes fail unless a commit declares them. */
export async function apiCompatibility(ctx: BuiltinContext, gate: ApiGate): Promise<BuiltinOutcome> {
  if (!ctx.base) return {ok: true, lines: ['no base commit (no main branch to compare with): nothing to compare']}
  const lines: string[] = []
  const breaking: string[] = []
  for (const spec of gate.specs) {
    const path = spec.replace(/^\.\//, '')
    const before = await ctx.git.exec(['show', `${ctx.base}:${path}`], {cwd: ctx.root, raw: true})
    const after = await readFile(join(ctx.root, path), 'utf8').catch(() => undefined)
    if (before.exitCode !== 0) {
      lines.push(`${path}: new since ${ctx.base.slice(0, 12)}, nothing to compare`)
      continue
    }
    if (after === undefined) {
      breaking.push(`${path}: $: the document was removed`)
      continue
    }
    const changes = breakingChanges(await parseDocument(before.stdout, `${path} at ${ctx.base.slice(0, 12)}`), await parseDocument(after, path))
    if (changes.length === 0) lines.push(`${path}: no breaking change`)
    for (const c of changes) breaking.push(`${path}: ${c.path}: ${c.message}`)
  }
  if (breaking.length === 0) return {ok: true, lines}
  const declared = await breakingCommits(ctx)
  if (declared.length > 0) {
    return {ok: true, lines: [...breaking, ...lines, `${breaking.length} breaking change${breaking.length === 1 ? '' : 's'}, declared by ${declared.join('; ')}: the next release is a major`]}
  }
  return {ok: false, lines: [...breaking, ...lines, `${breaking.length} breaking change${breaking.length === 1 ? '' : 's'} to the API: keep the old shape, or declare the break in a commit ("feat!: ..." or a BREAKING CHANGE: footer)`]}
}
