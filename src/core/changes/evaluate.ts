import {latestDecisions, type Change, type ChangeDecision, type GateEvidence} from './model.js'
import type {FreezeSpan, RiskAssessment} from './risk.js'

/** Another open change that overlaps this one in time on a shared environment or service. */
export interface ChangeConflict {
  id: string
  title: string
  shared: string[]
  window: {start: string; end: string}
}

/** The gate results that count for the change's head commit. */
export interface GateStanding {
  /** The gates of the `submit` stage. */
  required: string[]
  results: GateEvidence[]
  /** The commit the gates must have run on. */
  head?: string
  /** Why gates are not checked (a change bound to a deployment only). */
  note?: string
}

/** What `flow change check` looks at; a pure function of it gives the answer. */
export interface CheckInput {
  change: Change
  now: Date
  risk?: RiskAssessment
  /** Approvals that count, after dropping the author's own and non-owners' (GitHub). */
  approvals: ChangeDecision[]
  /** Approvals that do not count, with why. */
  ignored: Array<{by: string; why: string}>
  gates: GateStanding
  /** A freeze window active now on the change's environments. */
  freeze?: FreezeSpan
  conflicts: ChangeConflict[]
}

/** The answer of `flow change check` (its --json document, also in the error details when it fails). */
export interface ChangeCheck {
  id: string
  ok: boolean
  /** Every reason the change may not go ahead yet (empty when ok). */
  reasons: string[]
  approvals: {required: number; given: Array<{by: string; at: string; via: string}>; ignored: Array<{by: string; why: string}>; rejectedBy: string[]; preApproved: boolean}
  gates: GateStanding & {ok: boolean}
  window?: {start: string; end: string; open: boolean}
  freeze?: FreezeSpan & {brokenGlass: boolean}
  conflicts: ChangeConflict[]
  risk?: {score: number; approvals: number}
}

const short = (sha?: string) => (sha ? sha.slice(0, 7) : 'the head')

/** Windows overlap when each starts before the other ends. */
export function overlaps(a: {start: string; end: string}, b: {start: string; end: string}): boolean {
  return Date.parse(a.start) < Date.parse(b.end) && Date.parse(b.start) < Date.parse(a.end)
}

/** Other open changes sharing an environment or a service with this one, whose planned windows overlap its window. */
export function findConflicts(change: Change, others: readonly Change[]): ChangeConflict[] {
  if (!change.window) return []
  const mine = new Set([...change.environments.map((e) => `env:${e}`), ...change.services.map((s) => `service:${s}`)])
  const out: ChangeConflict[] = []
  for (const other of others) {
    if (other.id === change.id || other.status !== 'open' || !other.window) continue
    const shared = [...other.environments.map((e) => `env:${e}`), ...other.services.map((s) => `service:${s}`)].filter((k) => mine.has(k))
    if (shared.length > 0 && overlaps(change.window, other.window)) out.push({id: other.id, title: other.title, shared: shared.map((k) => k.replace(/^(env|service):/, '')), window: other.window})
  }
  return out
}

/** Splits decisions into the approvals that count, those that do not, and standing rejections. */
export function countDecisions(change: Change, decisions: readonly ChangeDecision[], isOwner?: (login: string) => boolean): {approvals: ChangeDecision[]; ignored: Array<{by: string; why: string}>; rejections: ChangeDecision[]} {
  const approvals: ChangeDecision[] = []
  const ignored: Array<{by: string; why: string}> = []
  const rejections: ChangeDecision[] = []
  for (const d of latestDecisions(decisions)) {
    if (d.decision === 'rejected') {
      rejections.push(d)
      continue
    }
    if (d.by === change.author && d.via === 'local') ignored.push({by: d.by, why: 'the author cannot approve their own change'})
    else if (d.login && isOwner && !isOwner(d.login)) ignored.push({by: d.login, why: 'not a code owner of the changed paths'})
    else approvals.push(d)
  }
  return {approvals, ignored, rejections}
}

/** Decides whether the change may go ahead now, listing every reason it may not. */
export function evaluateCheck(input: CheckInput, rejections: readonly ChangeDecision[] = []): ChangeCheck {
  const {change, now} = input
  const reasons: string[] = []
  if (change.status !== 'open') reasons.push(`${change.id} is ${change.status}`)

  const required = change.preApproved ? 0 : (input.risk?.approvals ?? change.risk?.approvals ?? 0)
  if (input.approvals.length < required) {
    const who = input.approvals.map((a) => a.login ?? a.by)
    reasons.push(`needs ${required} approval${required === 1 ? '' : 's'}, has ${input.approvals.length}${who.length > 0 ? ` (${who.join(', ')})` : ''}${input.risk ? ` (risk score ${input.risk.score})` : ''}`)
  }
  for (const r of rejections) reasons.push(`rejected by ${r.login ?? r.by}${r.comment ? `: ${r.comment}` : ''}`)

  const passing = new Set(input.gates.results.filter((g) => g.status === 'passed' || g.status === 'cached').map((g) => g.name))
  const missingGates: string[] = []
  if (!input.gates.note) {
    for (const gate of input.gates.required) {
      if (passing.has(gate)) continue
      missingGates.push(gate)
      const result = input.gates.results.find((g) => g.name === gate)
      reasons.push(result ? `gate ${gate} ${result.status} on ${short(input.gates.head)}` : `gate ${gate} has not passed on ${short(input.gates.head)} (run flow gates run submit)`)
    }
  }

  let window: ChangeCheck['window']
  if (change.window) {
    const start = Date.parse(change.window.start)
    const end = Date.parse(change.window.end)
    const open = now.getTime() >= start && now.getTime() <= end
    window = {...change.window, open}
    if (now.getTime() < start) reasons.push(`the planned window starts at ${change.window.start}`)
    else if (now.getTime() > end) reasons.push(`the planned window ended at ${change.window.end}`)
  }

  const brokenGlass = change.breakGlass.length > 0
  if (input.freeze && !brokenGlass) reasons.push(`inside the freeze ${input.freeze.text} until ${input.freeze.end} (override with --break-glass "reason")`)
  for (const c of input.conflicts) reasons.push(`conflicts with ${c.id} (${c.title}) on ${c.shared.join(', ')}, ${c.window.start}..${c.window.end}`)

  return {
    id: change.id,
    ok: reasons.length === 0,
    reasons,
    approvals: {
      required,
      given: input.approvals.map((a) => ({by: a.login ?? a.by, at: a.at, via: a.via})),
      ignored: input.ignored,
      rejectedBy: rejections.map((r) => r.login ?? r.by),
      preApproved: change.preApproved,
    },
    gates: {...input.gates, ok: missingGates.length === 0},
    ...(window ? {window} : {}),
    ...(input.freeze ? {freeze: {...input.freeze, brokenGlass}} : {}),
    conflicts: input.conflicts,
    ...(input.risk ? {risk: {score: input.risk.score, approvals: input.risk.approvals}} : {}),
  }
}
