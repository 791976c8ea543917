import {describe, expect, test} from 'vitest'
import {parseMetricsDoraArgs} from './metrics-dora-body.js'

describe('parseMetricsDoraArgs', () => {
  test('takes the flags in both forms oclif takes', () => {
    expect(parseMetricsDoraArgs([])).toEqual({format: 'table'})
    expect(parseMetricsDoraArgs(['--since', '90d', '--until=2026-01-01', '--env', 'prod', '--service=web', '--format', 'html', '--out', 'r.html'])).toEqual({
      since: '90d', until: '2026-01-01', env: 'prod', service: 'web', format: 'html', out: 'r.html',
    })
  })

  test('leaves everything else to oclif', () => {
    for (const args of [
      ['--import'], ['--since', '90d', '--since', '30d'], ['--format', 'pdf'], ['--since'], ['--since', '--json'],
      ['--since='], ['extra'], ['-h'], ['--cwd', '/tmp'], ['--debug'],
    ]) expect(parseMetricsDoraArgs(args)).toBeUndefined()
  })
})
