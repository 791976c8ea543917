import type {DeploymentFact} from '../records/facts.js'
import type {Change, GateEvidence} from './model.js'
import type {RiskAssessment} from './risk.js'

/** The audit bundle of one change (`flow change evidence --format json`). */
export interface ChangeEvidence {
  id: string
  title: string
  type: Change['type']
  status: Change['status']
  requested: {by: string; at: string; binding: Change['binding']; template?: string; preApproved: boolean}
  plan: {description?: string; impact?: string; testPlan?: string; backout?: string; window?: Change['window']; environments: string[]; services: string[]}
  risk?: RiskAssessment
  approvals: Array<{by: string; decision: 'approved' | 'rejected'; at: string; via: string; comment?: string; sha?: string}>
  /** The gate results of the last recorded check (each `flow change check` that saw something new records one). */
  gates: GateEvidence[]
  checks: Array<{at: string; ok: boolean; reasons: string[]; by?: string}>
  breakGlass: Change['breakGlass']
  reviewAfter: boolean
  deployments: Array<{id: string; environment: string; sha: string; outcome: DeploymentFact['outcome']; startedAt: string; finishedAt?: string; actor?: string; breakGlass?: DeploymentFact['breakGlass']}>
  closed?: Change['closed']
  followUp?: Change['followUp']
}

/** Puts together the audit bundle from the change and the deployments that ran under it. */
export function buildEvidence(change: Change, deployments: readonly DeploymentFact[]): ChangeEvidence {
  const lastCheck = change.checks.at(-1)
  return {
    id: change.id,
    title: change.title,
    type: change.type,
    status: change.status,
    requested: {by: change.author, at: change.createdAt, binding: change.binding, ...(change.template ? {template: change.template} : {}), preApproved: change.preApproved},
    plan: {
      ...(change.description ? {description: change.description} : {}),
      ...(change.impact ? {impact: change.impact} : {}),
      ...(change.testPlan ? {testPlan: change.testPlan} : {}),
      ...(change.backout ? {backout: change.backout} : {}),
      ...(change.window ? {window: change.window} : {}),
      environments: change.environments,
      services: change.services,
    },
    ...(change.risk ? {risk: change.risk} : {}),
    approvals: approvalsOf(change),
    gates: lastCheck?.gates ?? [],
    checks: change.checks.map((c) => ({at: c.at, ok: c.ok, reasons: c.reasons, ...(c.by ? {by: c.by} : {})})),
    breakGlass: change.breakGlass,
    reviewAfter: change.reviewAfter,
    deployments: deployments
      .filter((d) => d.changeId === change.id)
      .sort((a, b) => a.startedAt.localeCompare(b.startedAt))
      .map((d) => ({id: d.id, environment: d.environment, sha: d.sha, outcome: d.outcome, startedAt: d.startedAt, ...(d.finishedAt ? {finishedAt: d.finishedAt} : {}), ...(d.actor ? {actor: d.actor} : {}), ...(d.breakGlass ? {breakGlass: d.breakGlass} : {})})),
    ...(change.closed ? {closed: change.closed} : {}),
    ...(change.followUp ? {followUp: change.followUp} : {}),
  }
}

/** Every decision recorded on the change, plus approvals a check counted that were made on the forge directly. */
function approvalsOf(change: Change): ChangeEvidence['approvals'] {
  const out: ChangeEvidence['approvals'] = change.decisions.map((d) => ({by: d.login ?? d.by, decision: d.decision, at: d.at, via: d.via, ...(d.comment ? {comment: d.comment} : {}), ...(d.sha ? {sha: d.sha} : {})}))
  for (const check of change.checks) {
    for (const g of check.approvals.given) {
      if (!out.some((a) => a.by === g.by && a.decision === 'approved')) out.push({by: g.by, decision: 'approved', at: g.at, via: g.via})
    }
  }
  return out.sort((a, b) => a.at.localeCompare(b.at))
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')

/** The audit bundle as Markdown, for an auditor or a ticket. */
export function evidenceMarkdown(e: ChangeEvidence): string {
  const lines = [`# ${e.id}: ${e.title}`, '', `- Type: ${e.type}${e.requested.preApproved ? ` (pre-approved by template ${e.requested.template ?? ''})`.replace(/ \)$/, ')') : ''}`, `- Status: ${e.status}`, `- Requested by ${e.requested.by} at ${e.requested.at}`]
  const b = e.requested.binding
  lines.push(`- Bound to: ${b.kind}${b.branch ? ` ${b.branch}` : ''}${b.pullRequest !== undefined ? ` #${b.pullRequest}` : ''}${b.deployment ? ` ${b.deployment}` : ''}${b.sha ? ` at ${b.sha.slice(0, 12)}` : ''}`)
  if (e.plan.environments.length > 0) lines.push(`- Environments: ${e.plan.environments.join(', ')}`)
  if (e.plan.services.length > 0) lines.push(`- Services: ${e.plan.services.join(', ')}`)
  if (e.plan.window) lines.push(`- Planned window: ${e.plan.window.start} to ${e.plan.window.end}`)
  for (const [label, text] of [['Description', e.plan.description], ['Impact', e.plan.impact], ['Test plan', e.plan.testPlan], ['Backout plan', e.plan.backout]] as const) {
    if (text) lines.push('', `## ${label}`, '', text)
  }
  lines.push('', '## Risk', '')
  if (e.risk) {
    lines.push(`Score ${e.risk.score}, ${e.risk.approvals} approval${e.risk.approvals === 1 ? '' : 's'} required.`, '', '| factor | points | why |', '|---|---|---|')
    for (const r of e.risk.reasons) lines.push(`| ${r.factor} | ${r.points} | ${cell(r.detail)} |`)
  } else {
    lines.push('Not assessed.')
  }
  lines.push('', '## Approvals', '')
  if (e.approvals.length === 0) lines.push(e.requested.preApproved ? 'None needed: pre-approved standard change.' : 'None.')
  else {
    lines.push('| who | decision | when | via | comment |', '|---|---|---|---|---|')
    for (const a of e.approvals) lines.push(`| ${cell(a.by)} | ${a.decision} | ${a.at} | ${a.via} | ${cell(a.comment ?? '')} |`)
  }
  lines.push('', '## Gates', '')
  if (e.gates.length === 0) lines.push('No gate results recorded.')
  else {
    lines.push('| gate | result | when | commit |', '|---|---|---|---|')
    for (const g of e.gates) lines.push(`| ${cell(g.name)} | ${g.status} | ${g.at ?? ''} | ${g.sha?.slice(0, 12) ?? ''} |`)
  }
  if (e.checks.length > 0) {
    lines.push('', '## Checks', '')
    for (const c of e.checks) lines.push(`- ${c.at}: ${c.ok ? 'passed' : `blocked: ${c.reasons.join('; ')}`}`)
  }
  if (e.breakGlass.length > 0) {
    lines.push('', '## Break-glass', '')
    for (const g of e.breakGlass) {
      const where = g.environment ? ` deploying ${g.sha ? `${g.sha.slice(0, 12)} ` : ''}to ${g.environment}` : ''
      lines.push(`- ${g.at} by ${g.by}${where}: ${g.reason}${g.overrode ? ` (overrode ${g.overrode.join(', ')})` : ''} (flagged for review after)`)
    }
  }
  lines.push('', '## Deployments', '')
  if (e.deployments.length === 0) lines.push('None ran under this change.')
  else {
    lines.push('| id | environment | commit | outcome | started | finished |', '|---|---|---|---|---|---|')
    for (const d of e.deployments) lines.push(`| ${d.id} | ${d.environment} | ${d.sha.slice(0, 12)} | ${d.outcome} | ${d.startedAt} | ${d.finishedAt ?? ''} |`)
  }
  lines.push('', '## Closing', '')
  lines.push(e.closed ? `Closed ${e.closed.code} at ${e.closed.at} by ${e.closed.by}${e.closed.comment ? `: ${e.closed.comment}` : ''}.` : 'Not closed yet.')
  if (e.followUp) lines.push('', `Review-after follow-up: #${e.followUp.number} ${e.followUp.url}`)
  else if (e.reviewAfter) lines.push('', 'Flagged for review after the fact.')
  return `${lines.join('\n')}\n`
}
