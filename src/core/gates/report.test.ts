import {describe, expect, test} from 'vitest'
import {escapeAnnotationData, githubAnnotations, githubStepSummary, junitXml, summaryTable, xmlEscape} from './report.js'
import type {GatesRun} from './run-gates.js'

const run: GatesRun = {
  ok: false,
  stage: 'submit',
  concurrency: 2,
  durationMs: 1500,
  failed: ['test<&>'],
  logDir: '/x',
  gates: [
    {name: 'lint', status: 'passed', optional: false, durationMs: 1000, log: '/x/lint.log'},
    {name: 'build', status: 'cached', optional: false, durationMs: 0, log: '/x/build.log'},
    {name: 'test<&>', status: 'failed', optional: false, durationMs: 500, exitCode: 1, reason: 'exit code 1', log: '/x/t.log', tail: ['expected "a" < \'b\' & c', 'bell \u0007 here', ']]>']},
    {name: 'docs', status: 'skipped', optional: true, durationMs: 0, log: '/x/d.log', reason: 'needs test<&>, which did not pass'},
  ],
}

describe('junitXml', () => {
  test('escapes names, messages and output; drops characters XML cannot hold', () => {
    const xml = junitXml(run)
    expect(xml).toContain('<testcase name="test&lt;&amp;&gt;" classname="flow.gates" time="0.500">')
    expect(xml).toContain('expected &quot;a&quot; &lt; &apos;b&apos; &amp; c\nbell  here\n]]&gt;</failure>')
    expect(xml).not.toContain('\u0007')
    expect(xml).toContain('tests="4" failures="1" skipped="2"')
    expect(xml).toContain('<testcase name="lint" classname="flow.gates" time="1.000"/>')
    expect(xml).toMatch(/<skipped message="cached: inputs unchanged/)
  })

  test('xmlEscape', () => {
    expect(xmlEscape(`<a href="x">'&'</a>\u0000`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;')
  })
})

describe('GitHub Actions output', () => {
  test('one ::error per failed gate, with newlines and percent signs encoded', () => {
    const lines = githubAnnotations(run)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^::error title=Gate test<&> failed::test<&>: exit code 1%0Aexpected/)
    expect(escapeAnnotationData('50%\r\n')).toBe('50%25%0D%0A')
  })

  test('the job summary is a Markdown table with the failed tail folded', () => {
    const md = githubStepSummary(run)
    expect(md).toContain('### flow gates: submit failed')
    expect(md).toContain('| lint | ✅ passed | 1.00s |')
    expect(md).toContain('<details><summary>test&lt;&amp;&gt;: last lines</summary>')
  })
})

test('summary table', () => {
  expect(summaryTable(run)).toEqual([
    '  gate     result     time',
    '✓ lint     passed     1.00s',
    '● build    cached     -',
    '✗ test<&>  failed     0.50s',
    '- docs     skipped    - (needs test<&>, which did not pass)',
    '4 gates in 1.50s: 1 passed, 1 cached, 1 failed, 1 skipped',
  ])
})
