/** The textual form of a duration in flow.yml: one or more number+unit parts, e.g. `500ms`, `2s`, `1h30m`, `7d`. */
export const DURATION_PATTERN = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/

const UNIT_MS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000}

/** True when the text is a duration flow understands. */
export function isDuration(text: string): boolean {
  return DURATION_PATTERN.test(text)
}

/** Converts a duration such as `30s` or `1h30m` to milliseconds; throws on anything else. */
export function parseDuration(text: string): number {
  if (!isDuration(text)) throw new Error(`not a duration: ${JSON.stringify(text)} (expected a number and a unit: ms, s, m, h, d or w, e.g. 30s)`)
  let total = 0
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)) {
    total += Number(amount) * (UNIT_MS[unit as string] as number)
  }
  return Math.round(total)
}
