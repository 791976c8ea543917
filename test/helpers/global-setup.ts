import {execFileSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join} from 'node:path'

/** Builds the binary once when dist/ is missing (npm test builds it first anyway). */
export default function setup(): void {
  const root = join(import.meta.dirname, '..', '..')
  if (!existsSync(join(root, 'dist', 'bundle', 'cli', 'main.js')) || !existsSync(join(root, 'oclif.manifest.json'))) {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], {cwd: root, stdio: 'inherit'})
  }
}
