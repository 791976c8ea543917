import {createRequire} from 'node:module'
import type {Deps} from '../core/deps.js'
import {FlowError, isFlowError} from '../core/errors.js'
import {githubApiUrl, githubHost, isGitHubRemote, parseRemoteUrl, type RemoteRepo} from '../core/forge/remote-url.js'
import {resolveToken, type ResolvedToken} from '../core/forge/token.js'
import type {Forge, ForgeInfo} from '../core/ports.js'

/** What `flow doctor` shows about the forge: never the token, only where it came from. */
export type ForgeDescription = ForgeInfo

type ForgeDeps = Pick<Deps, 'env' | 'git' | 'shell' | 'config'>

interface ForgeChoice {
  kind: 'github' | 'local'
  reason: string
  remote?: RemoteRepo
  token: ResolvedToken
  problem?: FlowError
}

/** The forge type flow.yml sets, or undefined when it sets none (or there is no flow.yml). */
async function configuredForgeType(deps: ForgeDeps): Promise<'github' | 'local' | undefined> {
  let config: {forge?: {type?: unknown}}
  try {
    config = (await deps.config()).config
  } catch (error) {
    if (isFlowError(error) && error.code === 'CONFIG_NOT_FOUND') return undefined
    throw error
  }
  const forge = config.forge as {type?: unknown} | undefined
  return forge?.type === 'github' || forge?.type === 'local' ? forge.type : undefined
}

async function originUrl(deps: ForgeDeps): Promise<string | undefined> {
  // The configured value, not `remote get-url`: insteadOf rewrites must not hide that origin is GitHub.
  const result = await deps.git.exec(['config', '--get', 'remote.origin.url'])
  const url = result.stdout.trim()
  return result.exitCode === 0 && url !== '' ? url : undefined
}

async function chooseForge(deps: ForgeDeps, resolveAlways: boolean): Promise<ForgeChoice> {
  const configured = await configuredForgeType(deps)
  const host = githubHost(deps.env)
  const url = await originUrl(deps)
  const remote = url === undefined ? undefined : parseRemoteUrl(url, {host})
  const onGitHub = isGitHubRemote(remote, deps.env)
  if (configured === 'local') {
    return {kind: 'local', reason: 'flow.yml sets forge.type: local', remote, token: resolveAlways ? await resolveToken(deps) : {source: 'none'}}
  }
  const token = await resolveToken(deps)
  if (configured === 'github') {
    const problem = !onGitHub
      ? new FlowError('REMOTE_MISSING', `flow.yml sets forge.type: github, but origin is not a repository on ${host}`, {
          hint: `Add it: git remote add origin https://${host}/OWNER/REPO.git (or set GH_HOST for GitHub Enterprise).`,
        })
      : !token.token
        ? new FlowError('FORGE_AUTH', `flow.yml sets forge.type: github, but no GitHub token was found`, {
            hint: 'Set GH_TOKEN (or GITHUB_TOKEN), or run `gh auth login`.',
          })
        : undefined
    return {kind: 'github', reason: 'flow.yml sets forge.type: github', remote, token, problem}
  }
  if (token.token && onGitHub) return {kind: 'github', reason: `origin is on ${remote!.host} and a token came from ${token.source}`, remote, token}
  const reason = !onGitHub
    ? url === undefined ? 'no origin remote' : `origin is not on ${host}`
    : 'no GitHub token (GH_TOKEN, GITHUB_TOKEN or gh auth token)'
  return {kind: 'local', reason, remote, token}
}

/** Describes the forge flow would use, without building it or revealing the token (for `flow doctor`). */
export async function describeForge(deps: ForgeDeps): Promise<ForgeDescription> {
  const choice = await chooseForge(deps, true)
  const remote = choice.kind === 'github' ? choice.remote : undefined
  return {
    kind: choice.kind,
    describe: choice.kind === 'github' && remote ? `${remote.host}/${remote.owner}/${remote.repo}` : 'local records (flow/records)',
    ...(remote ? {host: remote.host, owner: remote.owner, repo: remote.repo, ...(remote.alias ? {alias: remote.alias} : {})} : {}),
    ...(choice.kind === 'github' ? {apiUrl: githubApiUrl(deps.env)} : {}),
    tokenSource: choice.token.source,
    reason: choice.reason,
    ...(choice.problem ? {problem: {code: choice.problem.code, message: choice.problem.message, ...(choice.problem.hint ? {hint: choice.problem.hint} : {})}} : {}),
  }
}

function flowVersion(): string {
  try {
    return (createRequire(import.meta.url)('../../package.json') as {version?: string}).version ?? '0.0.0'
  } catch {
    return '0.0.0'
  }
}

/** A positive whole number of milliseconds from the environment, else undefined (unset or not a number). */
function millis(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined
  const n = Number(value)
  return n > 0 ? n : undefined
}

/** FLOW_GITHUB_TIMEOUT_MS (per request) and FLOW_GITHUB_RETRY_BASE_MS (backoff unit): for slow networks, and for tests. */
export function httpTuning(env: Record<string, string | undefined>): {timeoutMs?: number; retryBaseMs?: number} {
  const timeoutMs = millis(env.FLOW_GITHUB_TIMEOUT_MS)
  const retryBaseMs = millis(env.FLOW_GITHUB_RETRY_BASE_MS)
  return {...(timeoutMs ? {timeoutMs} : {}), ...(retryBaseMs ? {retryBaseMs} : {})}
}

/** Chooses and builds the forge: flow.yml's `forge.type`, else GitHub when a token and a GitHub origin exist, else local records. */
export async function createForge(deps: Deps): Promise<Forge> {
  const choice = await chooseForge(deps, false)
  if (choice.problem) throw choice.problem
  if (choice.kind === 'github' && choice.remote && choice.token.token) {
    const {createGitHubForge} = await import('./octokit-forge.js')
    return createGitHubForge({
      token: choice.token.token,
      owner: choice.remote.owner,
      repo: choice.remote.repo,
      host: choice.remote.host,
      baseUrl: githubApiUrl(deps.env),
      userAgent: `flow/${flowVersion()}`,
      onWarn: (m) => deps.reporter.warn(m),
      ...httpTuning(deps.env),
    })
  }
  const [{LocalForge}, records, email] = await Promise.all([
    import('./local-forge.js'),
    deps.records(),
    deps.git.exec(['config', '--get', 'user.email']),
  ])
  return new LocalForge({
    records,
    clock: deps.clock,
    ids: deps.ids,
    ...(email.exitCode === 0 && email.stdout.trim() ? {actor: email.stdout.trim()} : {}),
    resolveRef: async (ref) => {
      const sha = await deps.git.exec(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])
      return sha.exitCode === 0 ? sha.stdout.trim() : undefined
    },
  })
}
