/** Which commits each production deployment brought there first, from one `git log` over the deployed ranges. */
import type {Git} from '../ports.js'

/** One commit of the history between deployments. */
export interface GraphCommit {
  /** Author time (ms): when the change was written. */
  authoredAt: number
  /** Committer time (ms): for a commit on the first-parent line, when it landed on the branch. */
  committedAt: number
  parents: string[]
}

/** A commit a deployment brought to the environment for the first time. */
export interface ChangeCommit {
  sha: string
  authoredAt: number
  /** When it reached the deployed branch: the committer time of the first-parent commit that brought it in. */
  mergedAt: number
}

/** Parses `git log --format=%H %at %ct %P` output into a commit graph. */
export function parseGraph(text: string, graph: Map<string, GraphCommit> = new Map()): Map<string, GraphCommit> {
  let start = 0
  while (start < text.length) {
    let end = text.indexOf('\n', start)
    if (end === -1) end = text.length
    const line = text.slice(start, end)
    start = end + 1
    if (line.length < 40) continue
    const parts = line.split(' ')
    graph.set(parts[0] as string, {authoredAt: Number(parts[1]) * 1000, committedAt: Number(parts[2]) * 1000, parents: parts.slice(3).filter(Boolean)})
  }
  return graph
}

/**
 * Gives each deployment (in the order they happened) the commits it deployed first: those reachable from its sha that
 * no earlier deployment reached and that are in the graph (the graph stops at the boundary before the window).
 * A commit's merge time is the committer time of the first-parent commit that brought it in.
 */
export function assignCommits(graph: Map<string, GraphCommit>, deployments: ReadonlyArray<{id: string; sha: string}>): Map<string, ChangeCommit[]> {
  const claimed = new Set<string>()
  const out = new Map<string, ChangeCommit[]>()
  for (const deployment of deployments) {
    const chain: string[] = []
    for (let sha: string | undefined = deployment.sha; sha !== undefined && graph.has(sha) && !claimed.has(sha); sha = graph.get(sha)?.parents[0]) chain.push(sha)
    const commits: ChangeCommit[] = []
    for (const landing of chain.reverse()) {
      const head = graph.get(landing) as GraphCommit
      claimed.add(landing)
      commits.push({sha: landing, authoredAt: head.authoredAt, mergedAt: head.committedAt})
      const stack = head.parents.slice(1)
      while (stack.length > 0) {
        const sha = stack.pop() as string
        const commit = graph.get(sha)
        if (commit === undefined || claimed.has(sha)) continue
        claimed.add(sha)
        commits.push({sha, authoredAt: commit.authoredAt, mergedAt: head.committedAt})
        stack.push(...commit.parents)
      }
    }
    if (commits.length > 0) out.set(deployment.id, commits)
  }
  return out
}

/** The shas among these that exist in the repository as commits (one `git cat-file --batch-check`). */
export async function existingCommits(git: Git, shas: readonly string[]): Promise<Set<string>> {
  const unique = [...new Set(shas)]
  if (unique.length === 0) return new Set()
  const output = await git.run(['cat-file', '--batch-check=%(objectname) %(objecttype)'], {input: `${unique.join('\n')}\n`, allowFailure: true})
  const found = new Set<string>()
  for (const line of output.split('\n')) {
    const [sha, type] = line.split(' ')
    if (type === 'commit' && sha) found.add(sha)
  }
  return found
}

/**
 * Reads the commit graph between a boundary (the last deployment before the window) and the deployed shas, with one
 * `git log --ignore-missing` reading its revisions from stdin (imported or foreign deployments name shas this clone
 * does not have). Should git still refuse one (a sha naming a blob), the commits among them are looked up first.
 */
export async function loadGraph(git: Git, shas: readonly string[], boundary: readonly string[]): Promise<Map<string, GraphCommit>> {
  const tips = [...new Set(shas)]
  if (tips.length === 0) return new Map()
  const args = ['log', '--stdin', '--ignore-missing', '--format=%H %at %ct %P']
  const revs = (known: (sha: string) => boolean) => [...tips.filter(known), ...boundary.filter(known).map((s) => `^${s}`)]
  const all = await git.exec(args, {input: `${revs(() => true).join('\n')}\n`, large: true})
  if (all.exitCode === 0) return parseGraph(all.stdout)
  const known = await existingCommits(git, [...tips, ...boundary])
  if (!tips.some((s) => known.has(s))) return new Map()
  return parseGraph(await git.run(args, {input: `${revs((s) => known.has(s)).join('\n')}\n`}))
}
