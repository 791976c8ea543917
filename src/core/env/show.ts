import type {DeployResult} from './deploy.js'
import type {EnvStatus} from './status.js'

/** Where human output goes (the command's log, silent under --json). */
interface Out {
  log(message?: string): void
}

/** Prints the outcome of a deployment, or its plan for a dry run. */
export function logDeploy(out: Out, result: DeployResult): void {
  const what = result.version ?? result.sha.slice(0, 7)
  if (result.status === 'dry-run') {
    out.log(`Would ${result.kind} ${what} to ${result.environment} (${result.strategy}):`)
    for (const r of result.refusals) out.log(`  refused: ${r.message}`)
    result.steps.forEach((s, i) => out.log(`  ${i + 1}. ${s.description}`))
    return
  }
  out.log(`${result.deployment}: ${what} is live in ${result.environment}${result.breakGlass ? ` (BREAK-GLASS: ${result.breakGlass.reason})` : ''}`)
}

/** Prints environments as a table of lines. */
export function showEnvironments(out: Out, environments: EnvStatus[]): void {
  for (const e of environments) {
    const live = e.deployed ? `${e.deployed.version ?? e.deployed.sha.slice(0, 7)} (${e.deployed.deployment}, ${e.deployed.at}${e.deployed.by ? `, ${e.deployed.by}` : ''})` : 'nothing deployed'
    const notes = [
      `health ${e.health}`,
      e.lock.locked ? `LOCKED${e.lock.reason ? `: ${e.lock.reason}` : ''}` : '',
      e.freeze ? (e.freeze.active ? `FROZEN until ${e.freeze.end}` : `freeze from ${e.freeze.start}`) : '',
      e.waiting ? `${e.waiting} commit(s) waiting` : '',
      e.lastAttempt ? `last attempt ${e.lastAttempt.deployment} ${e.lastAttempt.outcome}` : '',
    ].filter(Boolean)
    out.log(`${e.name.padEnd(12)} ${live}  ${notes.join('; ')}`)
  }
}

/** A duration as people read an age: 45s, 12m, 3h, 2d. */
export function age(ms: number): string {
  if (ms < 60_000) return `${Math.max(0, Math.round(ms / 1000))}s`
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)}m`
  if (ms < 172_800_000) return `${Math.round(ms / 3_600_000)}h`
  return `${Math.round(ms / 86_400_000)}d`
}

/** Prints the previews that may still exist, with their age and state. */
export function showPreviews(out: Out, previews: ReadonlyArray<{branch: string; environment: string; url?: string; state: string; ageMs: number; outcome?: string; destroyAttempts: number; error?: string}>): void {
  if (previews.length === 0) return
  out.log('previews:')
  for (const p of previews) {
    const state = p.state === 'live' ? (p.outcome && p.outcome !== 'success' ? `deploy ${p.outcome}` : 'live') : p.state === 'destroy_failed' ? `DESTROY FAILED ×${p.destroyAttempts} (flow env prune retries): ${p.error ?? ''}` : `CREATE FAILED: ${p.error ?? ''}`
    out.log(`  ${p.branch.padEnd(24)} ${age(p.ageMs).padStart(4)}  ${p.url ?? p.environment}  ${state}`)
  }
}
