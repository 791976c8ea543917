/** A git remote URL taken apart into the forge host and the repository it names. */
export interface RemoteRepo {
  /** The forge's host name, without credentials or port (`github.com`, `ghe.example.com`). */
  host: string
  owner: string
  repo: string
  protocol: 'https' | 'http' | 'ssh'
  /** Port when the URL names one (`ssh://git@host:2222/...`). */
  port?: number
  /** The ssh host alias the URL used (`github-work`) when it was taken as an alias of `host`. */
  alias?: string
}

/** Options of parseRemoteUrl. */
export interface ParseRemoteOptions {
  /** The forge host that scp-style aliases stand for (default `github.com`; `GH_HOST` for Enterprise). */
  host?: string
}

const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*)$/
const REPO = /^[A-Za-z0-9._-]+$/

/** Splits `owner/repo(.git)(/)` into its two names, or undefined when the path has another shape. */
function ownerAndRepo(path: string): {owner: string; repo: string} | undefined {
  const parts = path.replace(/^\/+/, '').replace(/\/+$/, '').split('/')
  if (parts.length !== 2) return undefined
  const owner = parts[0] ?? ''
  const repo = (parts[1] ?? '').replace(/\.git$/, '')
  if (!OWNER.test(owner) || !REPO.test(repo) || repo === '.' || repo === '..') return undefined
  return {owner, repo}
}

/**
 * True when an scp-style host is an ssh alias rather than another server: a bare name (`github-work`),
 * or a name built around the forge host (`github.com-work`, `work.github.com`). A dotted host that does
 * not mention the forge (`gitlab.com`) is taken at its word.
 */
function looksLikeAlias(candidate: string, forgeHost: string): boolean {
  if (!candidate.includes('.')) return true
  return candidate.includes(forgeHost)
}

/**
 * Parses an origin URL in https (with or without credentials, which are dropped), `ssh://` and scp-like
 * (`git@github.com:o/r.git`) forms. An scp-like URL whose host looks like an ssh alias (`github-work:o/r.git`)
 * is reported as the configured forge host with `alias` set. Returns undefined for anything else (local paths,
 * `file://`, URLs that do not name exactly `owner/repo`).
 */
export function parseRemoteUrl(url: string, options: ParseRemoteOptions = {}): RemoteRepo | undefined {
  const forgeHost = (options.host ?? 'github.com').toLowerCase()
  const text = url.trim()
  if (text === '') return undefined

  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)
  if (scheme) {
    const protocol = (scheme[1] ?? '').toLowerCase()
    const kind = protocol === 'https' ? 'https' : protocol === 'http' ? 'http' : protocol === 'ssh' || protocol === 'git+ssh' || protocol === 'ssh+git' ? 'ssh' : undefined
    if (!kind) return undefined
    let parsed: URL
    try {
      // URL does not parse custom schemes' hosts reliably; parse as https and keep our own protocol.
      parsed = new URL(`https://${text.slice(scheme[0].length)}`)
    } catch {
      return undefined
    }
    const names = ownerAndRepo(decodeURIComponent(parsed.pathname))
    if (!names || !parsed.hostname) return undefined
    // URL drops a port that is the default of https (443), which ssh URLs may still name.
    const authority = /^(?:[^@/]*@)?[^:/]+(?::(\d+))?(?:\/|$)/.exec(text.slice(scheme[0].length))
    const port = authority?.[1] ? Number(authority[1]) : undefined
    return {host: parsed.hostname.toLowerCase(), ...names, protocol: kind, ...(port === undefined ? {} : {port})}
  }

  // scp-like: [user@]host:path, where the host has no slash before the colon.
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/\/)(.+)$/.exec(text)
  if (!scp) return undefined
  const candidate = (scp[1] ?? '').toLowerCase()
  const names = ownerAndRepo(scp[2] ?? '')
  if (!names || candidate === '') return undefined
  if (candidate === forgeHost || candidate === `ssh.${forgeHost}`) return {host: forgeHost, ...names, protocol: 'ssh'}
  if (looksLikeAlias(candidate, forgeHost)) return {host: forgeHost, ...names, protocol: 'ssh', alias: candidate}
  return {host: candidate, ...names, protocol: 'ssh'}
}

/** The host GitHub lives on for this environment: `GH_HOST` when set, else github.com. */
export function githubHost(env: Record<string, string | undefined>): string {
  const host = env.GH_HOST?.trim()
  if (!host) return 'github.com'
  return host.replace(/^https?:\/\//i, '').replace(/\/.*$/, '').toLowerCase()
}

/** True when a parsed remote lives on GitHub (github.com, or the `GH_HOST` Enterprise server). */
export function isGitHubRemote(remote: RemoteRepo | undefined, env: Record<string, string | undefined>): boolean {
  if (!remote) return false
  const host = remote.host.replace(/^ssh\./, '')
  return host === 'github.com' || host === githubHost(env)
}

/** GitHub's REST API base: `GITHUB_API_URL`, else `https://GH_HOST/api/v3` for Enterprise, else api.github.com. */
export function githubApiUrl(env: Record<string, string | undefined>): string {
  const explicit = env.GITHUB_API_URL?.trim()
  if (explicit) return explicit.replace(/\/+$/, '')
  const host = githubHost(env)
  return host === 'github.com' ? 'https://api.github.com' : `https://${host}/api/v3`
}
