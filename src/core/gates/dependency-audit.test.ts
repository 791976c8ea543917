import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, test} from 'vitest'
import {exceptionExpired, judgeAudit, parseAudit} from './dependency-audit.js'

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'testdata', name), 'utf8')
const at = (iso: string) => new Date(iso)

describe('parseAudit', () => {
  test('npm 7+ report: advisories from via objects, packages that only point at others folded in', () => {
    expect(parseAudit(fixture('npm-audit-high.json'))).toEqual([
      {id: 'GHSA-grv7-fg5c-xmjg', aliases: ['GHSA-grv7-fg5c-xmjg', '1098094', 'https://github.com/advisories/GHSA-grv7-fg5c-xmjg'], title: 'Uncontrolled resource consumption in braces', severity: 'high', packages: ['braces'], url: 'https://github.com/advisories/GHSA-grv7-fg5c-xmjg'},
      {id: 'GHSA-c2qf-rxjj-qqgw', aliases: ['GHSA-c2qf-rxjj-qqgw', '1101088', 'https://github.com/advisories/GHSA-c2qf-rxjj-qqgw'], title: 'semver vulnerable to Regular Expression Denial of Service', severity: 'moderate', packages: ['semver'], url: 'https://github.com/advisories/GHSA-c2qf-rxjj-qqgw'},
    ])
    expect(parseAudit(fixture('npm-audit-clean.json'))).toEqual([])
  })

  test('npm 6 report: the advisories map, with CVEs as aliases', () => {
    const [adv] = parseAudit(fixture('npm-audit-v6.json'))
    expect(adv).toMatchObject({id: 'GHSA-vh95-rmgr-6w4m', severity: 'low', packages: ['minimist']})
    expect(adv?.aliases).toContain('CVE-2020-7598')
    expect(adv?.aliases).toContain('1179')
  })

  test('an audit that failed, or printed no JSON, is an error saying why', () => {
    expect(() => parseAudit(fixture('npm-audit-error.json'))).toThrow('the audit failed: This command requires an existing lockfile.')
    expect(() => parseAudit('npm ERR! network')).toThrow('the audit did not print JSON: npm ERR! network')
    expect(() => parseAudit('{"x": 1}')).toThrow(/neither vulnerabilities/)
  })
})

describe('judgeAudit', () => {
  const advisories = parseAudit(fixture('npm-audit-high.json'))
  const exception = {advisory: 'GHSA-grv7-fg5c-xmjg', reason: 'only reached from the dev server', expires: '2026-12-31'}

  test('a high advisory above max_severity moderate fails; the moderate one is allowed', () => {
    const verdict = judgeAudit(advisories, {maxSeverity: 'moderate', exceptions: []}, at('2026-11-26T00:00:00Z'))
    expect(verdict.ok).toBe(false)
    expect(verdict.lines[0]).toBe('high GHSA-grv7-fg5c-xmjg in braces: Uncontrolled resource consumption in braces (https://github.com/advisories/GHSA-grv7-fg5c-xmjg)')
    expect(verdict.lines).toContain('allowed (≤ moderate): moderate GHSA-c2qf-rxjj-qqgw in semver: semver vulnerable to Regular Expression Denial of Service')
  })

  test('an unexpired exception lets it pass, through its last day; the day after it fails again and says so', () => {
    const policy = {maxSeverity: 'moderate' as const, exceptions: [exception]}
    expect(judgeAudit(advisories, policy, at('2026-12-31T23:59:59Z'))).toMatchObject({ok: true})
    expect(judgeAudit(advisories, policy, at('2026-12-31T23:59:59Z')).lines[0]).toBe('excepted until 2026-12-31 (only reached from the dev server): high GHSA-grv7-fg5c-xmjg in braces: Uncontrolled resource consumption in braces')
    const expired = judgeAudit(advisories, policy, at('2027-01-01T00:00:00Z'))
    expect(expired.ok).toBe(false)
    expect(expired.lines[0]).toBe('high GHSA-grv7-fg5c-xmjg in braces: Uncontrolled resource consumption in braces; its exception expired on 2026-12-31 (only reached from the dev server): fix the advisory or renew the exception')
  })

  test('exceptions match the numeric id or the URL too; stale exceptions are pointed out', () => {
    expect(judgeAudit(advisories, {maxSeverity: 'moderate', exceptions: [{...exception, advisory: '1098094'}]}, at('2026-01-01T00:00:00Z')).ok).toBe(true)
    expect(judgeAudit(advisories, {maxSeverity: 'moderate', exceptions: [{...exception, advisory: 'https://github.com/advisories/ghsa-grv7-fg5c-xmjg'}]}, at('2026-01-01T00:00:00Z')).ok).toBe(true)
    const clean = judgeAudit([], {maxSeverity: 'moderate', exceptions: [exception]}, at('2026-01-01T00:00:00Z'))
    expect(clean).toEqual({ok: true, lines: ['exception for GHSA-grv7-fg5c-xmjg matches no advisory above moderate any more: remove it from flow.yml', '0 advisories, none above moderate without a valid exception']})
  })

  test('max_severity none fails on anything; critical allows everything', () => {
    expect(judgeAudit(advisories, {maxSeverity: 'none', exceptions: []}, at('2026-01-01T00:00:00Z')).lines.at(-1)).toMatch(/^2 advisories above none/)
    expect(judgeAudit(advisories, {maxSeverity: 'critical', exceptions: []}, at('2026-01-01T00:00:00Z')).ok).toBe(true)
  })

  test('expiry is the end of the named day, UTC', () => {
    expect(exceptionExpired(exception, at('2026-12-31T12:00:00Z'))).toBe(false)
    expect(exceptionExpired(exception, at('2027-01-01T00:00:00Z'))).toBe(true)
  })
})
