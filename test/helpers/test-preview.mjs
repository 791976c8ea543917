#!/usr/bin/env node
// The create and destroy commands of the preview tests' flow.yml (argv arrays: every placeholder its own argument).
//   node test-preview.mjs create STATE SLUG URL   fails (exit 4) while STATE/fail-create exists
//   node test-preview.mjs destroy STATE SLUG      stops the service of slot SLUG; fails (exit 5) once when STATE/fail-destroy-once exists
// Every call is appended to STATE/preview-log.jsonl with its argv and FLOW_* environment.
import {appendFileSync, existsSync, readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'

const [verb, state, ...rest] = process.argv.slice(2)
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('FLOW_')))
appendFileSync(join(state, 'preview-log.jsonl'), JSON.stringify({verb, argv: rest, env}) + '\n')

if (verb === 'create') {
  if (existsSync(join(state, 'fail-create'))) {
    console.error('no capacity for a preview')
    process.exit(4)
  }
} else if (verb === 'destroy') {
  if (existsSync(join(state, 'fail-destroy-once'))) {
    rmSync(join(state, 'fail-destroy-once'))
    console.error('the cloud said no')
    process.exit(5)
  }
  const pidfile = join(state, `${rest[0]}.pid`)
  if (existsSync(pidfile)) {
    try {
      process.kill(Number(readFileSync(pidfile, 'utf8')), 'SIGTERM')
    } catch {
      // already gone
    }
    rmSync(pidfile)
  }
} else {
  console.error(`unknown verb ${verb}`)
  process.exit(2)
}
