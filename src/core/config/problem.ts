/** One thing wrong with flow.yml, located in the file. */
export interface ConfigProblem {
  file: string
  /** 1-based line of the offending key or value. */
  line: number
  /** 1-based column of the offending key or value. */
  column: number
  /** Dotted path of the setting, e.g. `environments.production.health.interval` (`stages.submit[2]` for list items). */
  path: string
  /** The problem in words, without the location. */
  message: string
  /** What flow expected there, in words. */
  expected: string
  /** What the file holds there, in words. */
  found: string
  /** The likely intended key or value, for "did you mean". */
  suggestion?: string
}

/** One problem as the line `flow config validate` prints. */
export function formatProblem(problem: ConfigProblem): string {
  const where = `${problem.file}:${problem.line}:${problem.column}`
  const suggestion = problem.suggestion ? ` (did you mean ${problem.suggestion}?)` : ''
  const line = `${where} ${problem.path ? `${problem.path}: ` : ''}${problem.message}${suggestion}`
  // Keys and values can hold newlines and other control characters: escaped, so one problem stays one line.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is escaped here
  return line.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1))
}
