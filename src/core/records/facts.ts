/**
 * The read models other features build on: what a deployment and an incident *are* once their events are folded.
 *
 * The environments feature writes deployment events and exports `deploymentFacts(store)` (src/core/env/facts.ts);
 * the incidents feature writes incident events and exports `incidentFacts(store)` (src/core/incidents/facts.ts).
 * Metrics, change control, SLOs and the service catalog read only these shapes, never the raw events, so each
 * feature can change its events without breaking the others.
 */

/** The record store collection of flow's own deployment records (ids `DEP-<n>`). */
export const DEPLOYMENTS_COLLECTION = 'deployments'
/** The record store collection of incidents (ids `INC-<n>`). */
export const INCIDENTS_COLLECTION = 'incidents'
/** The record store collection of change requests (ids `CHG-<n>`). */
export const CHANGES_COLLECTION = 'changes'

/** Why a deployment was made. */
export type DeploymentKind = 'deploy' | 'promote' | 'rollback' | 'hotfix' | 'emergency'

/** How a deployment ended (`in_progress` while it runs or when it was interrupted). */
export type DeploymentOutcome = 'in_progress' | 'success' | 'failed' | 'rolled_back'

/** One health check result recorded during or after a deployment. */
export interface HealthSample {
  at: string
  ok: boolean
  detail?: string
}

/** A deployment of one sha to one environment, folded from its events. */
export interface DeploymentFact {
  /** `DEP-<n>`. */
  id: string
  environment: string
  /** Services of the environment it deployed (flow.yml `environments.<env>.services`). */
  services: string[]
  sha: string
  /** The sha that ran before, if known. */
  previousSha?: string
  /** The release version of the sha, when a tag names it. */
  version?: string
  kind: DeploymentKind
  outcome: DeploymentOutcome
  /** When the deploy command started (ISO-8601). */
  startedAt: string
  /** When the outcome was known (ISO-8601). */
  finishedAt?: string
  /** For `kind: rollback`: the deployment it undid. For a failed deployment that flow rolled back: the rollback's id is in `rolledBackBy`. */
  rollbackOf?: string
  rolledBackBy?: string
  /** A refusal that was overridden, with the reason given. */
  breakGlass?: {reason: string; overrode: string[]}
  /** The change request it ran under, if any. */
  changeId?: string
  /** Who ran it (git user.email or forge login). */
  actor?: string
  /** Failed and passed health checks (failed ones count as downtime for SLOs). */
  health: HealthSample[]
}

export type IncidentStatus = 'investigating' | 'identified' | 'mitigated' | 'resolved' | 'closed'

/** An incident, folded from its events. */
export interface IncidentFact {
  /** `INC-<n>`. */
  id: string
  title: string
  severity: string
  services: string[]
  environments: string[]
  status: IncidentStatus
  /** Drills are kept apart from real incidents everywhere, metrics included. */
  drill: boolean
  impactStartedAt?: string
  detectedAt?: string
  declaredAt: string
  acknowledgedAt?: string
  mitigatedAt?: string
  resolvedAt?: string
  closedAt?: string
  /** The one explicit link to what caused it (`flow incident cause`); never guessed. */
  cause?: {deployment?: string; sha?: string}
  followUps: Array<{title: string; done: boolean; url?: string}>
  postmortem?: {path: string; at: string}
}
