import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {expect, test} from 'vitest'
import {validateConfigText} from '../src/core/config/validate.js'

test('the flow.yml example in the README is valid', () => {
  const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8')
  const example = /```yaml\n(# yaml-language-server[\s\S]*?)```/.exec(readme)?.[1]
  expect(example).toBeDefined()
  expect(validateConfigText(example!, 'README.md')).toEqual([])
})
