import type {OwnerRule} from '../codeowners.js'
import {ownersFor} from '../codeowners.js'
import type {DeploymentFact} from '../records/facts.js'

/** How far back before the impact start deployments count as suspects, by default. */
export const SUSPECT_WINDOW_HOURS = 24

/** A deployment shown as context of an incident: a suspect, never a cause (only `flow incident cause` states one). */
export interface Suspect {
  label: 'suspect'
  deployment: string
  environment: string
  services: string[]
  sha: string
  previousSha?: string
  /** `previousSha..sha`, when the previous sha is known. */
  range?: string
  startedAt: string
  outcome: DeploymentFact['outcome']
  kind: DeploymentFact['kind']
  actor?: string
  /** Code owners of the paths changed in the range (empty when unknown). */
  owners: string[]
  /** Paths changed in the range, when they could be read. */
  files?: string[]
}

/** What an incident is about, for choosing suspects. */
export interface SuspectQuery {
  environments: string[]
  services: string[]
  /** Impact start (else the declaration): deployments up to `windowHours` before it count. */
  from: string
  /** The declaration: later deployments are not suspects. */
  until: string
  windowHours?: number
}

/**
 * The deployments that could have caused an incident: to its environments (or, without any, to environments
 * running its services; with neither, anywhere), started from `windowHours` before the impact start up to the
 * declaration; newest first. Pure: the caller reads the deployments.
 */
export function selectSuspects(deployments: readonly DeploymentFact[], query: SuspectQuery): Suspect[] {
  const hours = query.windowHours ?? SUSPECT_WINDOW_HOURS
  const earliest = Date.parse(query.from) - hours * 3_600_000
  const latest = Date.parse(query.until)
  return deployments
    .filter((d) => {
      const at = Date.parse(d.startedAt)
      if (Number.isNaN(at) || at < earliest || at > latest) return false
      if (query.environments.length > 0 && !query.environments.includes(d.environment)) return false
      if (query.services.length > 0 && d.services.length > 0 && !d.services.some((s) => query.services.includes(s))) return false
      if (query.environments.length === 0 && query.services.length > 0 && d.services.length === 0) return false
      return true
    })
    .sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0))
    .map((d) => ({
      label: 'suspect' as const,
      deployment: d.id,
      environment: d.environment,
      services: [...d.services],
      sha: d.sha,
      ...(d.previousSha ? {previousSha: d.previousSha, range: `${d.previousSha}..${d.sha}`} : {}),
      startedAt: d.startedAt,
      outcome: d.outcome,
      kind: d.kind,
      ...(d.actor ? {actor: d.actor} : {}),
      owners: [],
    }))
}

/** Adds the changed paths of each suspect's range and their code owners (CODEOWNERS rules; last match wins). */
export function withOwners(suspects: readonly Suspect[], filesOf: (range: string) => string[] | undefined, rules: readonly OwnerRule[]): Suspect[] {
  return suspects.map((s) => {
    const files = s.range ? filesOf(s.range) : undefined
    if (!files) return {...s}
    return {...s, files, owners: ownersFor([...rules], files)}
  })
}
