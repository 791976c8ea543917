import picomatch from 'picomatch'
import {ownersFor, type OwnerRule} from '../codeowners.js'
import {parseDuration} from '../config/duration.js'
import type {FlowConfig} from '../config/schema.js'
import type {IncidentFact} from '../records/facts.js'
import type {ChangeType} from './model.js'

/** One changed file with its line counts (binary files count 0 lines). */
export interface ChangedFile {
  path: string
  added: number
  deleted: number
}

/** A freeze window as the risk score sees it. */
export interface FreezeSpan {
  text: string
  start: string
  end: string
}

/** Why the score is what it is: one factor, its points and the facts behind them. */
export interface RiskReason {
  factor: 'size' | 'sensitive' | 'tests' | 'teams' | 'environments' | 'incidents' | 'freeze'
  points: number
  detail: string
}

/** A change's risk: the score, the approvals it needs and every reason. */
export interface RiskAssessment {
  score: number
  /** Approvals the score (and the change type) call for. */
  approvals: number
  reasons: RiskReason[]
  files: number
  lines: number
  /** Owning teams (CODEOWNERS) of the changed files. */
  teams: string[]
  /** Services whose paths the change touches, and the ones named on the change. */
  services: string[]
  sensitive: string[]
}

/** Everything the score is computed from; a pure function of it. */
export interface RiskInput {
  type: ChangeType
  files: readonly ChangedFile[]
  changes: Pick<FlowConfig['changes'], 'risk' | 'types'>
  services: FlowConfig['services']
  owners: readonly OwnerRule[]
  environments: readonly string[]
  /** The environment that counts as production (metrics.production). */
  production?: string
  /** Services named on the change itself. */
  namedServices?: readonly string[]
  incidents: readonly IncidentFact[]
  /** When the score is computed; incidents are recent within `incident_window` of it. */
  now: Date
  /** A freeze active at the planned time, or the next one. */
  freeze?: {active?: FreezeSpan; next?: FreezeSpan}
}

const TEST_FILE = /(^|\/)(test|tests|__tests__|spec|specs)\/|\.(test|spec)\.[^./]+$|_test\.[^./]+$/
const round = (n: number) => Math.round(n * 10) / 10
const HOUR = 3_600_000

/** The services whose `paths` match any of the files. */
export function touchedServices(services: FlowConfig['services'], files: readonly string[]): string[] {
  const out: string[] = []
  for (const [name, service] of Object.entries(services)) {
    if (service.paths.length === 0) continue
    const match = picomatch(service.paths, {dot: true})
    if (files.some((f) => match(f))) out.push(name)
  }
  return out
}

/** The approvals a change of this type with this score needs: the type's own, raised by the risk thresholds (normal changes). */
export function requiredApprovals(changes: Pick<FlowConfig['changes'], 'risk' | 'types'>, type: ChangeType, score: number): number {
  const own = changes.types[type].approvals
  if (type !== 'normal') return own
  let fromRisk = 0
  for (const t of changes.risk.thresholds) if (score >= t.score) fromRisk = Math.max(fromRisk, t.approvals)
  return Math.max(own, fromRisk)
}

/** Scores a change: deterministic, every point explained. */
export function assessRisk(input: RiskInput): RiskAssessment {
  const w = input.changes.risk.weights
  const reasons: RiskReason[] = []
  const paths = input.files.map((f) => f.path)
  const lines = input.files.reduce((n, f) => n + f.added + f.deleted, 0)

  const sizePoints = round(paths.length * w.files + lines * w.lines)
  if (sizePoints > 0) reasons.push({factor: 'size', points: sizePoints, detail: `${paths.length} file${paths.length === 1 ? '' : 's'}, ${lines} line${lines === 1 ? '' : 's'} changed`})

  const sensitive: string[] = []
  for (const glob of input.changes.risk.sensitive) {
    const match = picomatch(glob, {dot: true})
    const hits = paths.filter((p) => match(p))
    if (hits.length === 0) continue
    sensitive.push(...hits.filter((h) => !sensitive.includes(h)))
    reasons.push({factor: 'sensitive', points: w.sensitive, detail: `sensitive path ${glob}: ${hits.slice(0, 5).join(', ')}${hits.length > 5 ? ` and ${hits.length - 5} more` : ''}`})
  }

  const code = paths.filter((p) => !TEST_FILE.test(p))
  if (code.length > 0 && code.length === paths.length && w.no_tests > 0) {
    reasons.push({factor: 'tests', points: w.no_tests, detail: 'no test file changes'})
  }

  const teams = ownersFor([...input.owners], paths)
  if (teams.length > 1 && w.teams > 0) {
    reasons.push({factor: 'teams', points: round((teams.length - 1) * w.teams), detail: `${teams.length} owning teams: ${teams.join(', ')}`})
  }

  for (const env of input.environments) {
    const production = env === input.production
    const points = w.environment + (production ? w.production : 0)
    if (points > 0) reasons.push({factor: 'environments', points, detail: `targets ${env}${production ? ' (production)' : ''}`})
  }

  const services = [...new Set([...touchedServices(input.services, paths), ...(input.namedServices ?? [])])].sort()
  const windowMs = parseDuration(w.incident_window)
  const recent = input.incidents.filter((i) => !i.drill && input.now.getTime() - Date.parse(i.declaredAt) <= windowMs && Date.parse(i.declaredAt) <= input.now.getTime() && i.services.some((s) => services.includes(s)))
  if (recent.length > 0 && w.incident > 0) {
    reasons.push({factor: 'incidents', points: round(recent.length * w.incident), detail: `recent incidents on ${services.filter((s) => recent.some((i) => i.services.includes(s))).join(', ')}: ${recent.map((i) => i.id).join(', ')}`})
  }

  if (input.freeze?.active) {
    reasons.push({factor: 'freeze', points: w.freeze, detail: `inside the freeze ${input.freeze.active.text} (${input.freeze.active.start} to ${input.freeze.active.end})`})
  } else if (input.freeze?.next) {
    const hours = Math.max(0, Math.round((Date.parse(input.freeze.next.start) - input.now.getTime()) / HOUR))
    reasons.push({factor: 'freeze', points: round(w.freeze / 2), detail: `a freeze starts in ${hours}h (${input.freeze.next.text}, from ${input.freeze.next.start})`})
  }

  const score = round(reasons.reduce((n, r) => n + r.points, 0))
  return {score, approvals: requiredApprovals(input.changes, input.type, score), reasons, files: paths.length, lines, teams, services, sensitive}
}

/** How close a freeze must be to count (a day). */
export const FREEZE_HORIZON_MS = 24 * HOUR
