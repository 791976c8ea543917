import {execFileSync} from 'node:child_process'
import {existsSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

/** Builds the binary once when dist/ is missing (npm test builds it first anyway); makes the reliability counts' directory. */
export default function setup(): void {
  // Where the reliability tests append their counts (test workers inherit it; the reliability reporter reads it).
  process.env.FLOW_RELIABILITY_DIR ??= mkdtempSync(join(tmpdir(), 'flow-reliability-'))
  const root = join(import.meta.dirname, '..', '..')
  if (!existsSync(join(root, 'dist', 'bundle', 'cli', 'main.js')) || !existsSync(join(root, 'oclif.manifest.json'))) {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], {cwd: root, stdio: 'inherit'})
  }
}
