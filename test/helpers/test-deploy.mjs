#!/usr/bin/env node
/* global fetch, AbortSignal */
// The deploy, switch, weight and check commands of the environment tests' flow.yml (argv arrays, so every
// placeholder arrives as its own argument). State lives in STATE (a directory the test owns):
//   ports.json      {slot: port}     which port each slot (staging, blue, green, canary...) serves on
//   <slot>.pid      the service running in a slot
//   fail-<sha>      makes that sha's service unhealthy; broken-<sha> makes its deploy exit 3
//   log.jsonl       every call with its argv and FLOW_* environment
//   live, weights   the blue-green colour in service, the canary weights in order
//   hold-<what>     makes `check` or `deploy` wait (the test removes it, or kills flow meanwhile); entered-<what> says it waits
//   node test-deploy.mjs deploy STATE SLOT SHA | switch STATE COLOR | weight STATE PERCENT | check STATE SLOT
import {spawn} from 'node:child_process'
import {appendFileSync, existsSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const [verb, state, ...rest] = process.argv.slice(2)
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('FLOW_')))
appendFileSync(join(state, 'log.jsonl'), JSON.stringify({verb, argv: rest, env}) + '\n')
const ports = JSON.parse(readFileSync(join(state, 'ports.json'), 'utf8'))
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

async function hold(what) {
  if (!existsSync(join(state, `hold-${what}`))) return
  writeFileSync(join(state, `entered-${what}`), String(process.pid))
  while (existsSync(join(state, `hold-${what}`))) await sleep(20)
}

async function health(port) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, {signal: AbortSignal.timeout(2000)})
    return res.status
  } catch {
    return 0
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

if (verb === 'deploy') {
  const [slot, sha] = rest
  await hold('deploy')
  if (existsSync(join(state, `broken-${sha}`))) {
    console.error(`cannot deploy ${sha}`)
    process.exit(3)
  }
  const pidfile = join(state, `${slot}.pid`)
  if (existsSync(pidfile)) {
    const pid = Number(readFileSync(pidfile, 'utf8'))
    if (alive(pid)) process.kill(pid, 'SIGTERM')
    for (let i = 0; i < 200 && alive(pid); i++) await sleep(10)
  }
  const service = join(dirname(fileURLToPath(import.meta.url)), 'test-service.mjs')
  const flags = ['--port', String(ports[slot]), '--sha', sha, '--version', env.FLOW_VERSION ?? '', '--pidfile', pidfile]
  if (existsSync(join(state, `fail-${sha}`))) flags.push('--fail')
  const child = spawn(process.execPath, [service, ...flags], {detached: true, stdio: 'ignore'})
  child.unref()
  writeFileSync(pidfile, String(child.pid))
  for (let i = 0; i < 500 && (await health(ports[slot])) === 0; i++) await sleep(10)
  process.exit((await health(ports[slot])) === 0 ? 1 : 0)
} else if (verb === 'switch') {
  writeFileSync(join(state, 'live'), rest[0])
} else if (verb === 'weight') {
  appendFileSync(join(state, 'weights'), `${rest[0]}\n`)
} else if (verb === 'check') {
  await hold('check')
  process.exit((await health(ports[rest[0]])) === 200 ? 0 : 1)
} else {
  console.error(`unknown verb ${verb}`)
  process.exit(2)
}
