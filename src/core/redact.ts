/** Patterns of well-known credentials that must never reach output, journals or records. */
const TOKEN_PATTERNS: RegExp[] = [
  /\bgh[pousr]_[A-Za-z0-9]{20,255}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,255}\b/g,
  /\b(?:x-access-token|oauth2|token):[^@\s/]+@/g,
  /(authorization:\s*(?:bearer|token|basic)\s+)[^\s"']+/gi,
]

const secrets = new Set<string>()

/** Registers a secret value (a token from the environment or `gh auth token`) for redaction. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 8) secrets.add(value)
}

/** Registers the token variables of an environment for redaction. */
export function registerEnvSecrets(env: Record<string, string | undefined>): void {
  for (const name of ['GH_TOKEN', 'GITHUB_TOKEN', 'GH_ENTERPRISE_TOKEN', 'GITHUB_ENTERPRISE_TOKEN']) registerSecret(env[name])
}

/** Replaces every known secret and token-shaped string in a text with a marker. */
export function redact(text: string): string {
  let out = text
  for (const secret of secrets) out = out.split(secret).join('***')
  for (const pattern of TOKEN_PATTERNS) {
    out = out.replace(pattern, (match, prefix?: unknown) => {
      if (typeof prefix === 'string' && match.toLowerCase().startsWith('authorization')) return `${prefix}***`
      if (match.endsWith('@')) return `${match.slice(0, match.indexOf(':') + 1)}***@`
      return '***'
    })
  }
  return out
}

/** Deep-redacts every string in a JSON-like value. */
export function redactValue<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T
  if (Array.isArray(value)) return value.map((v) => redactValue(v)) as T
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = redactValue(v)
    return out as T
  }
  return value
}
