#!/usr/bin/env node
// `flow --version` is answered without loading anything: it runs inside hooks and scripts.
const argv = process.argv.slice(2)
if (argv.length === 1 && argv[0] === '--version') {
  const {readFileSync} = await import('node:fs')
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`${pkg.oclif.bin}/${pkg.version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else {
  // Node 22+ keeps the compiled code of the bundle between runs (Node 20 has no such switch).
  const {default: nodeModule} = await import('node:module')
  nodeModule.enableCompileCache?.()
  // The bundle (npm run build makes it; see scripts/bundle.mjs). The fast lane answers `status`, the hooks'
  // `gates run` and cached `--help` without oclif; everything else runs through oclif.
  const lane = await import('../dist/bundle/lane/fast-lane.js')
  if (!(await lane.fastLane(argv))) {
    const root = new URL('..', import.meta.url)
    const helpFile = lane.helpCacheFile(argv, root.pathname)
    const cached = helpFile && lane.cachedHelp(helpFile)
    if (cached) {
      process.stdout.write(cached)
    } else {
      let text = ''
      if (helpFile) {
        const write = process.stdout.write.bind(process.stdout)
        process.stdout.write = (chunk, ...rest) => {
          text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
          return write(chunk, ...rest)
        }
      }
      const {execute} = await import('../dist/bundle/cli/main.js')
      await execute({dir: import.meta.url})
      if (helpFile && text && !process.exitCode) lane.storeHelp(helpFile, text)
    }
  }
}
