import type {Shell} from '../ports.js'
import {registerSecret} from '../redact.js'

/** Where a GitHub token came from (never the token itself in anything but `token`). */
export type TokenSource = 'GH_TOKEN' | 'GITHUB_TOKEN' | 'gh auth token' | 'none'

/** A resolved GitHub token and its source. */
export interface ResolvedToken {
  token?: string
  source: TokenSource
}

/** Options of resolveToken. */
export interface ResolveTokenOptions {
  /** The GitHub host to ask `gh` about (default: `GH_HOST` when set). */
  host?: string
  /** Milliseconds `gh auth token` may take (default 5000). */
  timeoutMs?: number
}

/**
 * Finds a GitHub token: `GH_TOKEN`, then `GITHUB_TOKEN`, then `gh auth token` when `gh` is on PATH
 * (non-interactive, with a timeout), else none. Every token found is registered for redaction.
 */
export async function resolveToken(
  deps: {env: Record<string, string | undefined>; shell: Pick<Shell, 'run' | 'which'>},
  options: ResolveTokenOptions = {},
): Promise<ResolvedToken> {
  for (const name of ['GH_TOKEN', 'GITHUB_TOKEN'] as const) {
    const value = deps.env[name]?.trim()
    if (value) {
      registerSecret(value)
      return {token: value, source: name}
    }
  }
  const gh = await deps.shell.which('gh')
  if (!gh) return {source: 'none'}
  const host = options.host ?? (deps.env.GH_HOST?.trim() || undefined)
  const args = ['auth', 'token', ...(host ? ['--hostname', host] : [])]
  try {
    const result = await deps.shell.run([gh, ...args], {
      timeoutMs: options.timeoutMs ?? 5000,
      env: {GH_PROMPT_DISABLED: '1', GH_NO_UPDATE_NOTIFIER: '1', NO_COLOR: '1'},
    })
    const token = result.stdout.trim().split('\n')[0]?.trim()
    if (result.exitCode !== 0 || result.timedOut || !token) return {source: 'none'}
    registerSecret(token)
    return {token, source: 'gh auth token'}
  } catch {
    return {source: 'none'}
  }
}
