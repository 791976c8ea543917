import type {Deps} from '../deps.js'
import {CHANGES_COLLECTION} from '../records/facts.js'
import {riskOf} from './context.js'
import {buildEvidence, evidenceMarkdown, type ChangeEvidence} from './evidence.js'
import {foldAll, numberChanges, type Change, type ChangeStatus, type ChangeType} from './model.js'
import type {RiskAssessment} from './risk.js'
import {loadChange} from './steps.js'
import {deploymentFacts} from '../env/facts.js'

/** One change as `flow change list` shows it. */
export interface ChangeListItem {
  id: string
  type: ChangeType
  status: ChangeStatus
  title: string
  author: string
  createdAt: string
  environments: string[]
  risk: number | null
  approvalsRequired: number
  approvals: number
  window?: Change['window']
}

/** The result of `flow change list`. */
export interface ChangeList {
  changes: ChangeListItem[]
}

/** Every change, newest first, optionally only those in one status. */
export async function listChanges(deps: Pick<Deps, 'records'>, input: {status?: ChangeStatus} = {}): Promise<ChangeList> {
  const all = foldAll(numberChanges(await (await deps.records()).collection(CHANGES_COLLECTION)))
  return {
    changes: all
      .map(({change: c}) => ({
        id: c.id, type: c.type, status: c.status, title: c.title, author: c.author, createdAt: c.createdAt, environments: c.environments,
        risk: c.risk?.score ?? null, approvalsRequired: c.preApproved ? 0 : (c.risk?.approvals ?? 0),
        approvals: new Set(c.decisions.filter((d) => d.decision === 'approved').map((d) => d.login ?? d.by)).size,
        ...(c.window ? {window: c.window} : {}),
      }))
      .filter((c) => input.status === undefined || c.status === input.status),
  }
}

/** One change, folded from its events. */
export async function showChange(deps: Pick<Deps, 'records'>, input: {id: string}): Promise<Change> {
  return (await loadChange(await deps.records(), input.id)).change
}

/** The result of `flow change risk`. */
export type ChangeRisk = RiskAssessment & {id: string; recorded?: {score: number; approvals: number}}

/** Scores a change as it stands now (the diff may have grown since it was raised); read-only. */
export async function changeRisk(deps: Pick<Deps, 'git' | 'repo' | 'records' | 'clock' | 'config'>, input: {id: string}): Promise<ChangeRisk> {
  const {config} = await deps.config()
  const {change} = await loadChange(await deps.records(), input.id)
  const risk = await riskOf(deps, config, change)
  return {id: change.id, ...risk, ...(change.risk ? {recorded: {score: change.risk.score, approvals: change.risk.approvals}} : {})}
}

/** The audit bundle of a change, as data and as Markdown. */
export async function changeEvidence(deps: Pick<Deps, 'records'>, input: {id: string}): Promise<{evidence: ChangeEvidence; markdown: string}> {
  const store = await deps.records()
  const {change} = await loadChange(store, input.id)
  const evidence = buildEvidence(change, await deploymentFacts(store))
  return {evidence, markdown: evidenceMarkdown(evidence)}
}
