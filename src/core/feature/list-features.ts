import type {Deps} from '../deps.js'
import {gatesDirOf, readBranchResults} from '../gates/run-gates.js'
import {newestBase} from './branch-info.js'
import {allParents, currentBranch, revParse} from './lineage.js'

/** One flow branch as `flow feature list` shows it. */
export interface FeatureListItem {
  branch: string
  parent: string
  current: boolean
  /** Commits on the branch that the parent lacks, and the parent's commits the branch lacks. */
  ahead: number
  behind: number
  pullRequest: {number: number; state: 'open' | 'closed' | 'merged'; url: string; draft: boolean} | null
  /** The last gate run on this branch; `current` is false when the branch has moved since. */
  gates: {stage?: string; ok: boolean; failed: string[]; at: string; current: boolean} | null
}

/** The result of `flow feature list` (its --json output). */
export interface FeatureList {
  forge: 'github' | 'local' | null
  branches: FeatureListItem[]
}

/** Every branch with a recorded parent, with ahead/behind counts and its pull request (when the forge answers). */
export async function listFeatures(deps: Pick<Deps, 'git' | 'forge' | 'reporter' | 'repo'>): Promise<FeatureList> {
  const git = deps.git
  const parents = await allParents(git)
  const gateRuns = await readBranchResults(gatesDirOf((await deps.repo()).flowDir))
  const here = await currentBranch(git)
  const forge = await deps.forge().catch((error: unknown) => {
    deps.reporter.warn(`Pull requests not shown: ${error instanceof Error ? error.message : String(error)}`)
    return undefined
  })
  const branches: FeatureListItem[] = []
  for (const [branch, parent] of [...parents].sort(([a], [b]) => a.localeCompare(b))) {
    const tip = await revParse(git, `refs/heads/${branch}`)
    if (!tip) continue
    const run = gateRuns[branch]
    const base = await newestBase(git, parent)
    const counts = await git.exec(['rev-list', '--left-right', '--count', `refs/heads/${branch}...${base}`])
    const [ahead, behind] = counts.exitCode === 0 ? counts.stdout.split(/\s+/).map(Number) : [0, 0]
    const pr = forge ? await forge.findPullRequest({head: branch, state: 'all'}).catch(() => undefined) : undefined
    branches.push({
      branch, parent, current: branch === here, ahead: ahead ?? 0, behind: behind ?? 0,
      pullRequest: pr ? {number: pr.number, state: pr.state, url: pr.url, draft: pr.draft} : null,
      gates: run ? {...(run.stage ? {stage: run.stage} : {}), ok: run.ok, failed: run.failed, at: run.at, current: run.head === tip} : null,
    })
  }
  return {forge: forge?.kind ?? null, branches}
}
