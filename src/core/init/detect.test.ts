import {describe, expect, test} from 'vitest'
import {parseRemote} from './detect.js'

describe('parseRemote', () => {
  test.each([
    ['https://github.com/acme/widgets.git', {host: 'github.com', repo: 'acme/widgets'}],
    ['https://x-access-token:secret@github.com/acme/widgets', {host: 'github.com', repo: 'acme/widgets'}],
    ['ssh://git@github.example.com:2222/acme/widgets.git', {host: 'github.example.com', repo: 'acme/widgets'}],
    ['git@github.com:acme/widgets.git', {host: 'github.com', repo: 'acme/widgets'}],
    ['gitlab.com:group/sub/project.git', {host: 'gitlab.com', repo: undefined}],
    ['/srv/git/origin.git', {}],
    ['file:///srv/git/origin.git', {}],
  ])('%s', (url, expected) => {
    expect(parseRemote(url)).toEqual(expected)
  })
})
