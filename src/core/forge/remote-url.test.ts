import {describe, expect, test} from 'vitest'
import {githubApiUrl, githubHost, isGitHubRemote, parseRemoteUrl} from './remote-url.js'

describe('parseRemoteUrl', () => {
  test.each([
    ['https://github.com/octo/hello.git', {host: 'github.com', owner: 'octo', repo: 'hello', protocol: 'https'}],
    ['https://github.com/octo/hello', {host: 'github.com', owner: 'octo', repo: 'hello', protocol: 'https'}],
    ['https://github.com/octo/hello.git/', {host: 'github.com', owner: 'octo', repo: 'hello', protocol: 'https'}],
    ['https://GitHub.com/Octo-Org/my.repo_2.git', {host: 'github.com', owner: 'Octo-Org', repo: 'my.repo_2', protocol: 'https'}],
    ['http://127.0.0.1:8917/octo/hello.git', {host: '127.0.0.1', port: 8917, owner: 'octo', repo: 'hello', protocol: 'http'}],
    ['ssh://git@github.com/octo/hello.git', {host: 'github.com', owner: 'octo', repo: 'hello', protocol: 'ssh'}],
    ['ssh://git@ssh.github.com:443/octo/hello.git', {host: 'ssh.github.com', port: 443, owner: 'octo', repo: 'hello', protocol: 'ssh'}],
    ['ssh://git@ghe.example.com:2222/team/app', {host: 'ghe.example.com', port: 2222, owner: 'team', repo: 'app', protocol: 'ssh'}],
    ['git@github.com:octo/hello.git', {host: 'github.com', owner: 'octo', repo: 'hello', protocol: 'ssh'}],
    ['github.com:octo/hello', {host: 'github.com', owner: 'octo', repo: 'hello', protocol: 'ssh'}],
    ['git@gitlab.com:group/project.git', {host: 'gitlab.com', owner: 'group', repo: 'project', protocol: 'ssh'}],
  ])('%s', (url, expected) => {
    expect(parseRemoteUrl(url)).toEqual(expected)
  })

  test('https credentials are dropped and never appear in the result', () => {
    const url = 'https://x-access-token:ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/octo/hello.git'
    const parsed = parseRemoteUrl(url)
    expect(parsed).toEqual({host: 'github.com', owner: 'octo', repo: 'hello', protocol: 'https'})
    expect(JSON.stringify(parsed)).not.toContain('ghp_')
    expect(parseRemoteUrl('https://user@github.com/octo/hello')).toEqual({host: 'github.com', owner: 'octo', repo: 'hello', protocol: 'https'})
  })

  test('an unknown scp host is an ssh alias of the configured host, and says so', () => {
    expect(parseRemoteUrl('github-work:octo/hello.git')).toEqual({host: 'github.com', owner: 'octo', repo: 'hello', protocol: 'ssh', alias: 'github-work'})
    expect(parseRemoteUrl('git@github.com-personal:me/dotfiles.git')).toEqual({host: 'github.com', owner: 'me', repo: 'dotfiles', protocol: 'ssh', alias: 'github.com-personal'})
    expect(parseRemoteUrl('ghe-alias:team/app.git', {host: 'ghe.example.com'})).toEqual({host: 'ghe.example.com', owner: 'team', repo: 'app', protocol: 'ssh', alias: 'ghe-alias'})
    expect(parseRemoteUrl('git@ghe.example.com:team/app.git', {host: 'ghe.example.com'})).toEqual({host: 'ghe.example.com', owner: 'team', repo: 'app', protocol: 'ssh'})
  })

  test.each([
    '', '/srv/git/hello.git', './hello', 'file:///srv/git/octo/hello.git', 'https://github.com/octo', 'https://github.com/octo/hello/tree/main',
    'git@github.com:hello.git', 'C:\\repos\\hello', 'ftp://github.com/octo/hello.git', 'https://github.com/../hello.git',
  ])('%j is not a forge remote', (url) => {
    expect(parseRemoteUrl(url)).toBeUndefined()
  })
})

describe('the GitHub environment', () => {
  test('githubHost: GH_HOST (without scheme or path), else github.com', () => {
    expect(githubHost({})).toBe('github.com')
    expect(githubHost({GH_HOST: 'GHE.example.com'})).toBe('ghe.example.com')
    expect(githubHost({GH_HOST: 'https://ghe.example.com/'})).toBe('ghe.example.com')
  })

  test('githubApiUrl: GITHUB_API_URL, else the Enterprise /api/v3 of GH_HOST, else api.github.com', () => {
    expect(githubApiUrl({})).toBe('https://api.github.com')
    expect(githubApiUrl({GH_HOST: 'ghe.example.com'})).toBe('https://ghe.example.com/api/v3')
    expect(githubApiUrl({GH_HOST: 'github.com'})).toBe('https://api.github.com')
    expect(githubApiUrl({GITHUB_API_URL: 'http://127.0.0.1:3000/', GH_HOST: 'ghe.example.com'})).toBe('http://127.0.0.1:3000')
  })

  test('isGitHubRemote: github.com (and ssh.github.com) always, GH_HOST when set, nothing else', () => {
    expect(isGitHubRemote(parseRemoteUrl('git@github.com:o/r.git'), {})).toBe(true)
    expect(isGitHubRemote(parseRemoteUrl('ssh://git@ssh.github.com:443/o/r.git'), {})).toBe(true)
    expect(isGitHubRemote(parseRemoteUrl('https://ghe.example.com/o/r'), {})).toBe(false)
    expect(isGitHubRemote(parseRemoteUrl('https://ghe.example.com/o/r'), {GH_HOST: 'ghe.example.com'})).toBe(true)
    expect(isGitHubRemote(parseRemoteUrl('git@gitlab.com:o/r.git'), {})).toBe(false)
    expect(isGitHubRemote(undefined, {})).toBe(false)
  })
})
