import {describe, expect, test} from 'vitest'
import {chooseTemplate, matchTemplate, type ChangeTemplate} from './templates.js'

const template = (name: string, match: Partial<ChangeTemplate['match']>, type: ChangeTemplate['type'] = 'standard'): ChangeTemplate => ({name, type, match: {paths: [], branches: [], ...match}})

describe('change templates', () => {
  test('"only the lockfile changed": every changed file must match the paths', () => {
    const lockfile = template('lockfile', {paths: ['package-lock.json', '**/package-lock.json']})
    expect(matchTemplate(lockfile, {files: ['package-lock.json'], title: 'x'}).matches).toBe(true)
    expect(matchTemplate(lockfile, {files: ['package-lock.json', 'src/a.ts'], title: 'x'})).toMatchObject({matches: false, misses: ['files outside package-lock.json, **/package-lock.json: src/a.ts']})
    expect(matchTemplate(lockfile, {files: [], title: 'x'}).matches).toBe(false)
  })

  test('branch and title rules must hold too; a template without rules never matches by itself', () => {
    const deps = template('deps', {branches: ['deps/*'], title: '^chore\\(deps\\)'})
    expect(matchTemplate(deps, {files: ['a'], branch: 'deps/lodash', title: 'chore(deps): bump lodash'}).matches).toBe(true)
    expect(matchTemplate(deps, {files: ['a'], branch: 'feature/x', title: 'feat: y'}).misses).toEqual(['branch feature/x is not one of deps/*', 'title does not match /^chore\\(deps\\)/'])
    expect(matchTemplate(template('empty', {}), {files: ['a'], title: 'x'}).misses).toEqual(['the template has no match rules'])
  })

  test('chooseTemplate takes the first matching template of the requested type', () => {
    const list = [template('docs', {paths: ['docs/**']}, 'normal'), template('lock', {paths: ['*.lock']}), template('readme', {paths: ['README.md']})]
    const chosen = chooseTemplate(list, 'standard', {files: ['README.md'], title: 'x'})
    expect(chosen.chosen?.name).toBe('readme')
    expect(chosen.tried.map((t) => t.template.name)).toEqual(['lock', 'readme'])
  })
})
