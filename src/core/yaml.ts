/**
 * yaml's parsers for modules that load them lazily (`await import('../yaml.js')`). `yaml` is CommonJS: a dynamic
 * `import('yaml')` has no named exports once esbuild bundles it (only `default`), while a static import here does.
 */
export {parse, parseAllDocuments} from 'yaml'
