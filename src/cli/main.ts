// The binary's entry (bin/run.js imports its bundled form, dist/bundle/cli/main.js): oclif's `execute`, bundled
// with every command so that one copy of @oclif/core, in a few files, is loaded instead of a hundred.
export {execute} from '@oclif/core'
