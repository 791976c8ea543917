// Builds dist/ with tsc, then the oclif manifest, flow.schema.json and the defaults of an absent flow.yml
// (dist/core/config/defaults.json: flow without a flow.yml then never loads zod) from the built code, and
// dist/core/config/stamp.txt, a hash of the built code that validates flow.yml (the key of the validated-config cache).
import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {bundle} from './bundle.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bin = (name) => join(root, 'node_modules', '.bin', name)
rmSync(join(root, 'dist'), {recursive: true, force: true})
rmSync(join(root, 'oclif.manifest.json'), {force: true})
execFileSync(bin('tsc'), ['-p', 'tsconfig.json'], {cwd: root, stdio: 'inherit'})
// The binary runs the bundle (dist/bundle, see bundle.mjs); the manifest is made from its commands.
await bundle(root)
// OCLIF_SKIP_NEW_VERSION_CHECK: the build must not ask the registry whether oclif itself is outdated.
execFileSync(bin('oclif'), ['manifest'], {cwd: root, stdio: ['ignore', 'ignore', 'inherit'], env: {...process.env, OCLIF_SKIP_NEW_VERSION_CHECK: 'true'}})
const schemaModule = join(root, 'dist', 'core', 'config', 'json-schema.js')
if (existsSync(schemaModule)) {
  const {flowJsonSchema} = await import(schemaModule)
  writeFileSync(join(root, 'flow.schema.json'), `${JSON.stringify(flowJsonSchema(), null, 2)}\n`)
}
const {defaultConfig} = await import(join(root, 'dist', 'core', 'config', 'schema.js'))
writeFileSync(join(root, 'dist', 'core', 'config', 'defaults.json'), `${JSON.stringify(defaultConfig())}\n`)
const configDir = join(root, 'dist', 'core', 'config')
const stamp = createHash('sha256')
for (const name of readdirSync(configDir).filter((n) => n.endsWith('.js')).sort()) stamp.update(name).update(readFileSync(join(configDir, name)))
for (const pkg of ['package.json', 'node_modules/zod/package.json', 'node_modules/yaml/package.json']) stamp.update(readFileSync(join(root, pkg)))
writeFileSync(join(configDir, 'stamp.txt'), `${stamp.digest('hex')}\n`)
