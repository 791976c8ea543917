import {readFile, readdir} from 'node:fs/promises'
import {join} from 'node:path'
import type {Deps} from '../deps.js'
import {FlowError} from '../errors.js'
import type {Git} from '../ports.js'
import {currentBranch, integrationBranch, parentOf, revParse} from './lineage.js'
import type {BranchCommit} from './names.js'

/** The branch a feature command acts on, with its recorded (or assumed) parent. */
export interface FeatureBranch {
  branch: string
  parent: string
  /** False when no parent was recorded and the strategy's integration branch was assumed. */
  recorded: boolean
}

/** The current branch and its parent; refuses main/develop and a detached HEAD. */
export async function featureBranch(deps: Pick<Deps, 'git' | 'config'>): Promise<FeatureBranch> {
  const {config} = await deps.config()
  const branch = await currentBranch(deps.git)
  if (!branch) throw new FlowError('USAGE', 'HEAD is detached: check out the feature branch first', {hint: 'git switch BRANCH'})
  if (branch === config.branches.main || (config.branches.strategy === 'git-flow' && branch === config.branches.develop)) {
    throw new FlowError('USAGE', `${branch} is not a feature branch`, {hint: 'Start one with flow feature start NAME.'})
  }
  const parent = await parentOf(deps.git, branch)
  return {branch, parent: parent ?? integrationBranch(config), recorded: parent !== undefined}
}

/** The newest of the local branch and its remote-tracking copy (the one the other contains), as a ref name. */
export async function newestBase(git: Git, base: string, remote = 'origin'): Promise<string> {
  const local = await revParse(git, `refs/heads/${base}`)
  const tracking = await revParse(git, `refs/remotes/${remote}/${base}`)
  if (!tracking) return local ? `refs/heads/${base}` : base
  if (!local) return `refs/remotes/${remote}/${base}`
  const localBehind = (await git.exec(['merge-base', '--is-ancestor', local, tracking])).exitCode === 0
  return localBehind ? `refs/remotes/${remote}/${base}` : `refs/heads/${base}`
}

/** The commits of `branch` not in `base`, oldest first. */
export async function branchCommits(git: Git, base: string, branch: string): Promise<BranchCommit[]> {
  const out = await git.run(['log', '--reverse', '--no-merges', '--format=%H%x00%s%x00%b%x1e', `${base}..${branch}`, '--'], {raw: true})
  return out.split('\u001e').map((c) => c.replace(/^\n/, '')).filter(Boolean).map((c) => {
    const [sha, subject, body] = c.split('\u0000')
    return {sha: sha!, subject: subject ?? '', body: (body ?? '').trim()}
  })
}

/** The files `branch` changes compared with `base`. */
export async function changedFiles(git: Git, base: string, branch: string): Promise<string[]> {
  return (await git.run(['diff', '--name-only', `${base}...${branch}`, '--'])).split('\n').filter(Boolean)
}

const TEMPLATE_PLACES = [
  '.github/pull_request_template.md', '.github/PULL_REQUEST_TEMPLATE.md',
  'docs/pull_request_template.md', 'docs/PULL_REQUEST_TEMPLATE.md',
  'pull_request_template.md', 'PULL_REQUEST_TEMPLATE.md',
]

/** The pull request template: review.template, else GitHub's places, else the first file of a PULL_REQUEST_TEMPLATE directory. */
export async function readPullRequestTemplate(root: string, configured?: string): Promise<string | undefined> {
  const read = (path: string) => readFile(join(root, path), 'utf8').catch(() => undefined)
  if (configured) return read(configured)
  for (const place of TEMPLATE_PLACES) {
    const text = await read(place)
    if (text !== undefined) return text
  }
  for (const dir of ['.github/PULL_REQUEST_TEMPLATE', 'docs/PULL_REQUEST_TEMPLATE', 'PULL_REQUEST_TEMPLATE']) {
    const names = await readdir(join(root, dir)).catch(() => [] as string[])
    const first = names.filter((n) => n.endsWith('.md')).sort()[0]
    if (first) return read(join(dir, first))
  }
  return undefined
}

