import {describe, expect, test} from 'vitest'
import {ownersFor, parseCodeowners, unownedFiles} from './codeowners.js'

describe('CODEOWNERS', () => {
  const rules = parseCodeowners(`# owners
*            @everyone
*.md         @docs-team   # inline comment
/src/        @octo/core
src/ui/      @carol
/build/*.sh  @ops
docs         @writer
`)

  test('the last matching rule wins for each file; owners without @, sorted, once', () => {
    expect(ownersFor(rules, ['src/api.ts'])).toEqual(['octo/core'])
    expect(ownersFor(rules, ['src/ui/button.ts'])).toEqual(['carol'])
    expect(ownersFor(rules, ['README.md'])).toEqual(['docs-team'])
    expect(ownersFor(rules, ['src/README.md'])).toEqual(['octo/core'])
    expect(ownersFor(rules, ['build/x.sh', 'build/sub/y.sh'])).toEqual(['everyone', 'ops'])
    expect(ownersFor(rules, ['a/docs/x.txt', 'package.json'])).toEqual(['everyone', 'writer'])
    expect(ownersFor([], ['x'])).toEqual([])
  })

  test('unowned files are those no rule with owners matches', () => {
    const partial = parseCodeowners('/src/ @octo/core\n/vendor/\n')
    expect(unownedFiles(partial, ['src/a.ts', 'vendor/x.js', 'docs/readme.md'])).toEqual(['vendor/x.js', 'docs/readme.md'])
  })
})
