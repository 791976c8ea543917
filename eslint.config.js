import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const heavy = ['@oclif/*', 'execa', 'simple-git', '@octokit/*', '@inquirer/*']

export default tseslint.config(
  {ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/out/**', 'bench/.cache/**']},
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {globals: {process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly'}},
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_'}],
      'no-restricted-syntax': ['error', {
        selector: "ImportExpression[source.value='yaml']",
        message: "Bundled, a dynamic import('yaml') has no named exports (yaml is CommonJS): import src/core/yaml.ts lazily instead.",
      }],
    },
  },
  {
    files: ['test/**/*.ts', '**/*.test.ts'],
    rules: {'@typescript-eslint/no-explicit-any': 'off'},
  },
  {
    files: ['src/core/**/*.ts', 'src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{group: heavy, message: 'src/core and src/engine stay free of oclif, execa, simple-git and octokit: use a port from src/core/ports.ts.'}],
      }],
    },
  },
)
