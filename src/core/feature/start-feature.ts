import type {Deps} from '../deps.js'
import {FlowError} from '../errors.js'
import type {EngineDeps, RunResult} from '../../engine/runner.js'
import type {Plan, StepSpec} from '../../engine/types.js'
import {snapshotRefs} from '../../engine/refs.js'
import {currentBranch, hasRemote, integrationBranch, isDirty, isOffline, parentKey, revParse} from './lineage.js'
import {checkName, renderBranchName} from './names.js'

/** The input of `flow feature start`. */
export interface StartFeatureInput {
  name: string
  base?: string
  stack?: boolean
  issue?: string
  type?: 'feature' | 'hotfix'
  stash?: boolean
  dryRun?: boolean
}

/** The result of `flow feature start` (its --json output). */
export interface FeatureStarted {
  branch: string
  /** The recorded parent: the branch (or tag) the feature goes back into. */
  parent: string
  /** What the branch was created from (a remote-tracking ref, a branch or a tag) and its sha. */
  from: string
  sha: string | null
  fetched: boolean
  stashed: boolean
  dryRun?: true
  steps?: RunResult['steps']
}

const REMOTE = 'origin'

/** The latest tag matching the release tag template (`v{version}` → `v*`), by version order, or undefined. */
async function latestReleaseTag(git: Deps['git'], template: string): Promise<string | undefined> {
  const glob = template.replace('{package}', '*').replace('{version}', '[0-9]*')
  const tags = await git.exec(['tag', '--list', '--sort=-version:refname', glob])
  return tags.stdout.split('\n').find(Boolean)
}

/**
 * Whether git would take a name as a branch name (`git check-ref-format --branch`): names of letters, digits and
 * `._-` in `/`-separated parts that start with a letter or digit are decided here (they are valid unless a part
 * ends in `.lock` or `.`, or `..` appears), anything else is asked of git.
 */
export async function isValidBranchName(git: Deps['git'], branch: string): Promise<boolean> {
  if (/^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)*$/.test(branch) && branch !== 'HEAD') {
    return !branch.includes('..') && !branch.split('/').some((part) => part.endsWith('.lock') || part.endsWith('.'))
  }
  return (await git.exec(['check-ref-format', '--branch', branch])).exitCode === 0
}

/**
 * Plans and runs `flow feature start`: a branch named from the template, from an up-to-date base, parent recorded.
 * What it reads of git is asked at once where it can be (the work tree scan of `git status` is the slow part).
 */
export async function startFeature(deps: Pick<Deps, 'git' | 'config' | 'env' | 'clock' | 'reporter'> & EngineDeps, input: StartFeatureInput): Promise<FeatureStarted> {
  const git = deps.git
  checkName(input.name, 'name', {spaces: true})
  if (input.base !== undefined) checkName(input.base, 'base')
  if (input.issue !== undefined && !/^[\w.-]+$/.test(input.issue)) throw new FlowError('USAGE', `--issue ${JSON.stringify(input.issue)} is not an issue number or key`, {hint: 'Pass a number such as 42 or a key such as PROJ-42.'})
  const type = input.type ?? 'feature'
  const offline = isOffline(deps.env)
  // Started now, used below (an error thrown first leaves them to finish unheard).
  const dirtyCheck = isDirty(git)
  dirtyCheck.catch(() => {})
  const remoteCheck = !input.stack && type !== 'hotfix' && !offline ? hasRemote(git, REMOTE) : undefined
  remoteCheck?.catch(() => {})
  // The engine's code loads while git works.
  const engine = import('../../engine/runner.js')
  engine.catch(() => {})
  const {config} = await deps.config()
  const template = type === 'hotfix' ? config.branches.hotfix : config.branches.feature
  const user = template.includes('{user}') ? (await git.exec(['config', 'user.name'])).stdout || deps.env.USER || undefined : undefined
  const branch = renderBranchName(template, {name: input.name, issue: input.issue, user, date: deps.clock.now()})
  if (!(await isValidBranchName(git, branch))) {
    throw new FlowError('USAGE', `${JSON.stringify(branch)} is not a valid branch name`, {hint: 'Choose another name, or change branches in flow.yml.'})
  }

  let parent: string | undefined
  let tag: string | undefined
  if (input.base !== undefined) parent = input.base
  else if (input.stack) parent = (await currentBranch(git)) ?? undefined
  else if (type === 'hotfix') {
    tag = await latestReleaseTag(git, config.release.tag)
    parent = config.branches.main
  } else parent = integrationBranch(config)
  const tracking = `refs/remotes/${REMOTE}/${parent}`
  // One for-each-ref: the new branch (must not exist), and the local and remote-tracking copies of the parent.
  const refs = await snapshotRefs(git, [`refs/heads/${branch}`, ...(parent === undefined ? [] : [`refs/heads/${parent}`, tracking])])
  if (refs[`refs/heads/${branch}`]) throw new FlowError('USAGE', `The branch ${branch} already exists`, {hint: `Switch to it with git switch ${branch}, or choose another name.`})
  if (parent === undefined) throw new FlowError('USAGE', 'HEAD is detached, so there is no branch to stack on', {hint: 'Check out the parent branch, or pass --base.'})

  const dirty = await dirtyCheck
  if (dirty && !input.stash) {
    throw new FlowError('DIRTY_WORKTREE', 'The work tree has uncommitted changes', {hint: 'Commit them, or pass --stash to carry them onto the new branch.'})
  }

  const remote = !input.stack && !tag && !offline && (await (remoteCheck ?? hasRemote(git, REMOTE)))
  let reachable = false
  if (remote) {
    const probe = await git.exec(['ls-remote', '--heads', REMOTE, `refs/heads/${parent}`], {env: {GIT_TERMINAL_PROMPT: '0'}})
    reachable = probe.exitCode === 0 && probe.stdout.trim() !== ''
    if (probe.exitCode !== 0) deps.reporter.progress(`${REMOTE} is not reachable; starting from the local copy of ${parent}`)
  } else if (!input.stack && !tag && !input.base) {
    deps.reporter.progress(offline ? `Offline: starting from the local copy of ${parent}` : `No ${REMOTE} remote: starting from the local ${parent}`)
  }
  const local = refs[`refs/heads/${parent}`]
  let from: string
  if (tag) from = `refs/tags/${tag}`
  else if (reachable) {
    // The local base wins only when it has commits the remote does not (unpushed work the user wants to build on).
    const ahead = local && refs[tracking] && (await git.exec(['rev-list', '--count', `${tracking}..${local}`])).stdout
    from = ahead && ahead !== '0' ? `refs/heads/${parent}` : tracking
  } else if (local) from = `refs/heads/${parent}`
  else if (await revParse(git, parent)) from = parent
  else throw new FlowError('USAGE', `There is no branch or commit ${parent} to start from`, {hint: 'Pass an existing branch with --base.'})

  const stashMessage = `flow: feature start ${branch}`
  const steps: StepSpec[] = []
  if (dirty) steps.push({kind: 'git.stash', input: {message: stashMessage}})
  if (reachable) steps.push({kind: 'git.fetch', input: {remote: REMOTE, refspecs: [`+refs/heads/${parent}:${tracking}`]}})
  // Created, switched to and given its parent in one step: from the commit checked out (the usual case), git then
  // leaves the work tree alone.
  const create = steps.push({kind: 'feature.startBranch', input: {branch, from, parentKey: parentKey(branch), parent}}) - 1
  if (dirty) steps.push({kind: 'git.unstash', input: {message: stashMessage}})
  const plan: Plan = {command: 'feature start', inputs: {...input}, steps}
  const result = await (await engine).runPlan(deps, plan, {dryRun: input.dryRun})
  const base = {branch, parent, from: tag ?? from.replace(/^refs\/(heads|remotes)\//, ''), fetched: reachable, stashed: dirty}
  if (input.dryRun) return {...base, sha: null, dryRun: true, steps: result.steps}
  const created = result.steps[create]?.refsAfter?.[`refs/heads/${branch}`]
  return {...base, sha: created ?? (await revParse(git, `refs/heads/${branch}`)) ?? null}
}
