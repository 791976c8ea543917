/** `flow metrics workflow`: how the team's own workflow performs, from the local history and the forge's reviews. */
import type {GateHistoryEntry, GatesRunHistoryEntry, HistoryEntry, RunHistoryEntry} from './history.js'
import {median, percentile} from '../metrics/stats.js'

/** One gate's figures over the window. */
export interface GateFigures {
  gate: string
  /** Times its command ran (passed or failed); cached, skipped and cancelled results are counted apart. */
  ran: number
  passed: number
  failed: number
  cached: number
  skipped: number
  /** Share of runs answered from the cache, of all its results that were not skipped. */
  cacheHitRate: number
  medianMs?: number
  p90Ms?: number
  /** Times it failed and then passed on the same inputs (same cache key, or same commit for gates without inputs). */
  flaky: number
}

/** One stage's figures: how often its gates ran together and the wall time they took. */
export interface StageFigures {
  stage: string
  runs: number
  failedRuns: number
  totalMs: number
  medianMs?: number
  p90Ms?: number
}

/** A duration's sample: how many, median and p90, in milliseconds. */
export interface DurationSample {
  count: number
  medianMs?: number
  p90Ms?: number
}

/** The --json document of `flow metrics workflow`. */
export interface WorkflowReport {
  window: {since: string; until: string}
  gates: GateFigures[]
  stages: StageFigures[]
  /** The five slowest gates by median run time, and the gates that were flaky, most flaky first. */
  slowest: string[]
  flakiest: string[]
  flakyGates: number
  /** From `flow feature start` (the branch created) to the `flow feature finish` that merged it. */
  featureLeadTime: DurationSample
  /** From `flow feature submit` opening a pull request to its first review. */
  reviewWait: DurationSample & {unknown?: string}
  /** Runs of flow's commands by name: how many finished, were undone or aborted. */
  commands: Array<{command: string; done: number; undone: number; aborted: number}>
}

/** Median (the mean of the middle two for an even count) and nearest-rank p90, as the DORA metrics compute them. */
const sample = (values: number[]): DurationSample => {
  const middle = median(values)
  const p90 = percentile(values, 90)
  return {count: values.length, ...(middle === undefined ? {} : {medianMs: middle}), ...(p90 === undefined ? {} : {p90Ms: p90})}
}

/** Counts fail-then-pass pairs per inputs key: each failure that a later pass on the same inputs follows counts once. */
function flakyCount(entries: readonly GateHistoryEntry[]): number {
  const failedOn = new Set<string>()
  let flaky = 0
  for (const e of entries) {
    if (!e.inputs) continue
    if (e.status === 'failed') failedOn.add(e.inputs)
    else if ((e.status === 'passed' || e.status === 'cached') && failedOn.delete(e.inputs)) flaky++
  }
  return flaky
}

/** The review times the command asks the forge for: when each pull request was opened by flow. */
export interface OpenedPullRequest {
  number: number
  openedAt: string
}

/** The pull requests `flow feature submit` opened in the window. */
export function openedPullRequests(history: readonly HistoryEntry[], since: Date, until: Date): OpenedPullRequest[] {
  const inWindow = (at: string) => Date.parse(at) >= since.getTime() && Date.parse(at) <= until.getTime()
  return history
    .filter((e): e is RunHistoryEntry => e.type === 'run' && e.command === 'feature submit' && e.status === 'done' && e.pullRequest?.opened === true && inWindow(e.finishedAt))
    .map((e) => ({number: e.pullRequest!.number, openedAt: e.finishedAt}))
}

/** The figures of a window of history; `firstReviews` maps a pull request number to its first review's time. */
export function workflowReport(history: readonly HistoryEntry[], input: {since: Date; until: Date; firstReviews?: Map<number, string | undefined>; reviewsUnknown?: string}): WorkflowReport {
  const from = input.since.getTime()
  const to = input.until.getTime()
  const inWindow = (at: string) => Date.parse(at) >= from && Date.parse(at) <= to
  const gateEntries = history.filter((e): e is GateHistoryEntry => e.type === 'gate' && inWindow(e.at))
  const byGate = new Map<string, GateHistoryEntry[]>()
  for (const e of gateEntries) byGate.set(e.gate, [...(byGate.get(e.gate) ?? []), e])
  const gates: GateFigures[] = [...byGate.entries()].map(([gate, entries]) => {
    const count = (s: GateHistoryEntry['status']) => entries.filter((e) => e.status === s).length
    const ranTimes = entries.filter((e) => e.status === 'passed' || e.status === 'failed').map((e) => e.durationMs)
    const cached = count('cached')
    const answered = ranTimes.length + cached
    const times = sample(ranTimes)
    return {
      gate, ran: ranTimes.length, passed: count('passed'), failed: count('failed'), cached, skipped: count('skipped') + count('cancelled'),
      cacheHitRate: answered === 0 ? 0 : cached / answered,
      ...(times.medianMs === undefined ? {} : {medianMs: times.medianMs, p90Ms: times.p90Ms}),
      flaky: flakyCount(entries),
    }
  }).sort((a, b) => a.gate.localeCompare(b.gate))

  const stageRuns = history.filter((e): e is GatesRunHistoryEntry => e.type === 'gates' && inWindow(e.at))
  const byStage = new Map<string, GatesRunHistoryEntry[]>()
  for (const e of stageRuns) byStage.set(e.stage ?? '(--only)', [...(byStage.get(e.stage ?? '(--only)') ?? []), e])
  const stages: StageFigures[] = [...byStage.entries()].map(([stage, runs]) => {
    const s = sample(runs.map((r) => r.durationMs))
    return {stage, runs: runs.length, failedRuns: runs.filter((r) => !r.ok).length, totalMs: runs.reduce((t, r) => t + r.durationMs, 0), ...(s.medianMs === undefined ? {} : {medianMs: s.medianMs, p90Ms: s.p90Ms})}
  }).sort((a, b) => b.totalMs - a.totalMs)

  const runs = history.filter((e): e is RunHistoryEntry => e.type === 'run')
  const leadTimes: number[] = []
  for (const finish of runs.filter((r) => r.command === 'feature finish' && r.status === 'done' && inWindow(r.finishedAt))) {
    const branches = new Set([...finish.deleted, ...(finish.branch ? [finish.branch] : [])])
    const start = runs.filter((r) => r.command === 'feature start' && r.status === 'done' && r.finishedAt <= finish.finishedAt && r.created.some((b) => branches.has(b))).pop()
    if (start) leadTimes.push(Date.parse(finish.finishedAt) - Date.parse(start.startedAt))
  }

  const waits: number[] = []
  for (const pr of openedPullRequests(history, input.since, input.until)) {
    const first = input.firstReviews?.get(pr.number)
    if (first) waits.push(Math.max(0, Date.parse(first) - Date.parse(pr.openedAt)))
  }

  const commandCounts = new Map<string, {command: string; done: number; undone: number; aborted: number}>()
  for (const r of runs.filter((x) => inWindow(x.finishedAt))) {
    const c = commandCounts.get(r.command) ?? {command: r.command, done: 0, undone: 0, aborted: 0}
    if (r.status === 'done' || r.status === 'undone' || r.status === 'aborted') c[r.status]++
    commandCounts.set(r.command, c)
  }

  const withMedian = gates.filter((g) => g.medianMs !== undefined)
  return {
    window: {since: input.since.toISOString(), until: input.until.toISOString()},
    gates,
    stages,
    slowest: [...withMedian].sort((a, b) => (b.medianMs ?? 0) - (a.medianMs ?? 0)).slice(0, 5).map((g) => g.gate),
    flakiest: gates.filter((g) => g.flaky > 0).sort((a, b) => b.flaky - a.flaky || a.gate.localeCompare(b.gate)).map((g) => g.gate),
    flakyGates: gates.filter((g) => g.flaky > 0).length,
    featureLeadTime: sample(leadTimes),
    reviewWait: {...sample(waits), ...(input.reviewsUnknown ? {unknown: input.reviewsUnknown} : {})},
    commands: [...commandCounts.values()].sort((a, b) => a.command.localeCompare(b.command)),
  }
}

/** Reads the history of every worktree and the first review of each pull request flow opened, and reports. */
export async function measureWorkflow(
  deps: {repo(): Promise<{commonDir: string}>; forge(): Promise<{listReviews(n: number): Promise<Array<{submittedAt?: string; state: string}>>}>; clock: {now(): Date}},
  input: {sinceMs: number; reviews?: boolean},
): Promise<WorkflowReport> {
  const {readAllHistory} = await import('./history.js')
  const until = deps.clock.now()
  const since = new Date(until.getTime() - input.sinceMs)
  const history = await readAllHistory((await deps.repo()).commonDir)
  const opened = openedPullRequests(history, since, until)
  const firstReviews = new Map<number, string | undefined>()
  let reviewsUnknown: string | undefined
  if (input.reviews === false) reviewsUnknown = 'not asked (--no-reviews)'
  else if (opened.length > 0) {
    try {
      const forge = await deps.forge()
      // A handful of reads, a few at a time, only for the pull requests flow opened in the window.
      for (let i = 0; i < opened.length; i += 4) {
        await Promise.all(opened.slice(i, i + 4).map(async (pr) => {
          const times = (await forge.listReviews(pr.number)).filter((r) => r.state !== 'pending' && r.submittedAt).map((r) => r.submittedAt!).sort()
          firstReviews.set(pr.number, times[0])
        }))
      }
    } catch (error) {
      reviewsUnknown = `the forge could not be read (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`
    }
  }
  return workflowReport(history, {since, until, firstReviews, ...(reviewsUnknown ? {reviewsUnknown} : {})})
}
