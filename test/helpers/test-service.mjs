#!/usr/bin/env node
// A real service for the environment tests: a loopback HTTP server that runs one "deployed version".
// Started by the test's deploy script (test-deploy.mjs), never by the test itself.
//   node test-service.mjs --port N --sha SHA [--version V] [--fail] [--pidfile F]
// GET /health: 200 {"status":"ok","sha","version"} (500 {"status":"failing",...} when told to fail)
// GET /: the sha as text. POST /fail and POST /recover tell /health to fail or to recover.
import {createServer} from 'node:http'
import {writeFileSync} from 'node:fs'

const args = process.argv.slice(2)
const arg = (name) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : undefined
}
let failing = args.includes('--fail')
const sha = arg('sha') ?? 'unknown'
const version = arg('version') ?? ''

const server = createServer((req, res) => {
  if (req.method === 'POST' && (req.url === '/fail' || req.url === '/recover')) {
    failing = req.url === '/fail'
    res.writeHead(204).end()
    return
  }
  if (req.url === '/health') {
    res.writeHead(failing ? 500 : 200, {'content-type': 'application/json'})
    res.end(JSON.stringify({status: failing ? 'failing' : 'ok', sha, version}))
    return
  }
  res.writeHead(200, {'content-type': 'text/plain'}).end(sha)
})
server.listen(Number(arg('port')), '127.0.0.1', () => {
  if (arg('pidfile')) writeFileSync(arg('pidfile'), String(process.pid))
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
