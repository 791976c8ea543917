/**
 * DORA's published performance clusters (Accelerate State of DevOps 2023 and 2024), kept as data.
 * The reports describe each cluster in words; the numeric bounds here are those words made countable
 * (e.g. "between once per day and once per week" → at least 1/7 deployments a day). For change failure
 * rate the reports give one typical value per cluster, so a rate is placed in the cluster with the nearest value.
 */

/** One cluster's description for one metric. */
export interface Band {
  label: 'elite' | 'high' | 'medium' | 'low'
  /** The report's words. */
  text: string
  /** Deployment frequency: the least deployments per day in this cluster. */
  minPerDay?: number
  /** Lead time / recovery time: the longest duration (hours) in this cluster. */
  maxHours?: number
  /** Change failure rate: the cluster's typical rate (0..1). */
  typicalRate?: number
}

/** The clusters of one report, per metric, best first. */
export interface BandSet {
  source: string
  deploymentFrequency: Band[]
  leadTime: Band[]
  changeFailureRate: Band[]
  recoveryTime: Band[]
}

const DAY = 24
const WEEK = 7 * DAY
const MONTH = 30 * DAY

/** The 2023 and 2024 clusters. */
export const DORA_BANDS: Record<'2023' | '2024', BandSet> = {
  '2023': {
    source: 'Accelerate State of DevOps Report 2023 (DORA)',
    deploymentFrequency: [
      {label: 'elite', text: 'On demand (multiple deploys per day)', minPerDay: 1},
      {label: 'high', text: 'Between once per day and once per week', minPerDay: 1 / 7},
      {label: 'medium', text: 'Between once per week and once per month', minPerDay: 1 / 30},
      {label: 'low', text: 'Between once per week and once per month', minPerDay: 0},
    ],
    leadTime: [
      {label: 'elite', text: 'Less than one day', maxHours: DAY},
      {label: 'high', text: 'Between one day and one week', maxHours: WEEK},
      {label: 'medium', text: 'Between one week and one month', maxHours: MONTH},
      {label: 'low', text: 'Between one week and one month', maxHours: Number.POSITIVE_INFINITY},
    ],
    changeFailureRate: [
      {label: 'elite', text: '5%', typicalRate: 0.05},
      {label: 'high', text: '10%', typicalRate: 0.1},
      {label: 'medium', text: '15%', typicalRate: 0.15},
      {label: 'low', text: '64%', typicalRate: 0.64},
    ],
    recoveryTime: [
      {label: 'elite', text: 'Less than one hour', maxHours: 1},
      {label: 'high', text: 'Less than one day', maxHours: DAY},
      {label: 'medium', text: 'Between one day and one week', maxHours: WEEK},
      {label: 'low', text: 'Between one month and six months', maxHours: Number.POSITIVE_INFINITY},
    ],
  },
  '2024': {
    source: 'Accelerate State of DevOps Report 2024 (DORA)',
    deploymentFrequency: [
      {label: 'elite', text: 'On demand (multiple deploys per day)', minPerDay: 1},
      {label: 'high', text: 'Between once per day and once per week', minPerDay: 1 / 7},
      {label: 'medium', text: 'Between once per week and once per month', minPerDay: 1 / 30},
      {label: 'low', text: 'Between once per month and once every six months', minPerDay: 0},
    ],
    leadTime: [
      {label: 'elite', text: 'Less than one day', maxHours: DAY},
      {label: 'high', text: 'Between one day and one week', maxHours: WEEK},
      {label: 'medium', text: 'Between one week and one month', maxHours: MONTH},
      {label: 'low', text: 'Between one month and six months', maxHours: Number.POSITIVE_INFINITY},
    ],
    changeFailureRate: [
      {label: 'elite', text: '5%', typicalRate: 0.05},
      {label: 'high', text: '20%', typicalRate: 0.2},
      {label: 'medium', text: '10%', typicalRate: 0.1},
      {label: 'low', text: '40%', typicalRate: 0.4},
    ],
    recoveryTime: [
      {label: 'elite', text: 'Less than one hour', maxHours: 1},
      {label: 'high', text: 'Less than one day', maxHours: DAY},
      {label: 'medium', text: 'Less than one day', maxHours: DAY},
      {label: 'low', text: 'Between one week and one month', maxHours: Number.POSITIVE_INFINITY},
    ],
  },
}

/**
 * The least sample for which a band is shown: 20 deployments (frequency, change failure rate), 20 commits (lead
 * time) and 5 failed deployments (recovery time). Below that, one or two events swing the figure across clusters.
 */
export const MIN_SAMPLES = {deployments: 20, commits: 20, failures: 5} as const

/** The cluster a deployment frequency (per day) falls in. */
export function frequencyBand(set: BandSet, perDay: number): Band {
  return set.deploymentFrequency.find((b) => perDay >= (b.minPerDay ?? 0)) ?? (set.deploymentFrequency.at(-1) as Band)
}

/** The cluster a duration (hours) falls in, for lead time or recovery time. */
export function durationBand(bands: Band[], hours: number): Band {
  return bands.find((b) => hours < (b.maxHours ?? Number.POSITIVE_INFINITY)) ?? (bands.at(-1) as Band)
}

/** The cluster whose typical change failure rate is nearest (ties go to the better cluster). */
export function failureRateBand(set: BandSet, rate: number): Band {
  let best = set.changeFailureRate[0] as Band
  for (const band of set.changeFailureRate) if (Math.abs((band.typicalRate ?? 0) - rate) < Math.abs((best.typicalRate ?? 0) - rate)) best = band
  return best
}
