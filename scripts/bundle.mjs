// The binary's code: src/cli/main.ts and every src/commands/**/*.ts bundled by esbuild into dist/bundle/ (ESM, code
// splitting: one entry file per command, so oclif's manifest and command discovery work unchanged, shared code
// and @oclif/core in common chunks, every dynamic `import()` still lazy in its own chunk). Importing @oclif/core
// from node_modules reads ~100 files; bundled it is one. Unit tests run the sources; the e2e tests run this.
// New commands are picked up by the glob: nothing to register here.
import {build} from 'esbuild'
import {readdirSync, readFileSync, rmSync} from 'node:fs'
import {join, relative} from 'node:path'

/** Every .ts under dir, tests left out. */
function sources(dir) {
  return readdirSync(dir, {withFileTypes: true, recursive: true})
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath ?? e.path, e.name))
}

/**
 * Sources that find files relative to themselves (`new URL('defaults.json', import.meta.url)`, the templates, the
 * package.json) keep doing so as if they were their tsc output under dist/: `import.meta.url` becomes the URL of
 * that dist file, computed from `__flowRoot` (the package root, set by the banner of each output file).
 */
const metaUrlAsInDist = (root) => ({
  name: 'import-meta-url-as-in-dist',
  setup(b) {
    b.onLoad({filter: /[\\/]src[\\/].*\.ts$/}, (args) => {
      const text = readFileSync(args.path, 'utf8')
      if (!text.includes('import.meta.url')) return undefined
      const dist = relative(join(root, 'src'), args.path).replaceAll('\\', '/').replace(/\.ts$/, '.js')
      return {contents: text.replaceAll('import.meta.url', `(__flowRoot + ${JSON.stringify(`dist/${dist}`)})`), loader: 'ts'}
    })
  },
})

/** Bundles into ROOT/dist/bundle. */
export async function bundle(root) {
  const outdir = join(root, 'dist', 'bundle')
  rmSync(outdir, {recursive: true, force: true})
  const entryPoints = [join(root, 'src', 'cli', 'main.ts'), ...sources(join(root, 'src', 'commands'))]
  const common = {
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    chunkNames: 'chunks/[name]-[hash]',
    // oclif can compile TypeScript plugins in development with `typescript`; flow never does.
    external: ['typescript'],
    banner: {
      js: [
        "import {createRequire as __flowCreateRequire} from 'node:module';",
        'const require = __flowCreateRequire(import.meta.url);',
        "const __flowRoot = import.meta.url.slice(0, import.meta.url.lastIndexOf('/dist/bundle/') + 1);",
      ].join('\n'),
    },
    plugins: [metaUrlAsInDist(root)],
    metafile: true,
    logLevel: 'warning',
  }
  const result = await build({...common, entryPoints, outbase: join(root, 'src'), outdir})
  // The fast lane (src/cli/fast-lane.ts) on its own: bin/run.js loads it on every run, and its code is then not
  // in chunks shared with the commands.
  await build({...common, entryPoints: [join(root, 'src', 'cli', 'fast-lane.ts')], outdir: join(outdir, 'lane')})
  return result.metafile
}
