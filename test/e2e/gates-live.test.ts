import {spawnSync} from 'node:child_process'
import {describe, expect, test} from 'vitest'
import {BIN} from '../helpers/e2e.js'
import {tempRepo} from '../helpers/temp-repo.js'

// The live display needs a terminal: `script` (util-linux, in every Debian) runs the binary on a pseudo-TTY.
const hasScript = spawnSync('sh', ['-c', 'command -v script'], {encoding: 'utf8'}).status === 0

const node = (code: string) => JSON.stringify([process.execPath, '-e', code])

const FLOW_YML = `gates:
  quick: {run: ${node('0')}, inputs: ["src/**"]}
  slow: {run: ${node('setTimeout(() => {}, 1300)')}}
  broken: {run: ${node('console.log("the real reason"); process.exit(3)')}}
  later: {run: ${node('0')}, needs: [broken]}
stages:
  submit: [quick, slow, broken, later]
`

const ESC = '\u001B'
/** A cursor-up sequence (the block redrawn in place). */
const CURSOR_UP = new RegExp(`${ESC}\\[\\d+A`)

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`

/** The screen a terminal shows after the output: handles \r, \n (as a tty does), cursor up, erase line / below; drops colours and modes. */
function screen(output: string): string[] {
  const rows: string[] = ['']
  let row = 0
  let col = 0
  const re = new RegExp(`${ESC}\\[([?\\d;]*)([A-Za-z])|\\r|\\n|[^${ESC}\\r\\n]+`, 'gu')
  for (const [token, params, command] of output.matchAll(re)) {
    if (token === '\r') col = 0
    else if (token === '\n') {
      // a terminal's line discipline turns \n into \r\n (onlcr)
      col = 0
      row++
      if (rows.length <= row) rows.push('')
    } else if (command === 'A') row = Math.max(0, row - Number(params || 1))
    else if (command === 'K') rows[row] = (rows[row] ?? '').slice(0, col)
    else if (command === 'J') rows.length = row + 1
    else if (command) continue
    else {
      const line = [...(rows[row] ?? '')]
      const chars = [...token]
      while (line.length < col) line.push(' ')
      line.splice(col, chars.length, ...chars)
      rows[row] = line.join('')
      col += chars.length
    }
  }
  return rows.map((r) => r.trimEnd())
}

describe.skipIf(!hasScript)('flow gates run on a terminal (script pseudo-TTY; skipped when util-linux script is absent)', () => {
  const newRepo = () => {
    const repo = tempRepo()
    repo.write('flow.yml', FLOW_YML)
    repo.write('src/a.txt', 'a')
    return repo
  }
  const run = (env: Record<string, string | undefined>, args = 'gates run', repo = newRepo()) => {
    const command = `stty cols 100 rows 40; ${shellQuote(process.execPath)} ${shellQuote(BIN)} ${args}`
    const all: Record<string, string | undefined> = {...repo.env, CI: undefined, GITHUB_ACTIONS: undefined, NO_COLOR: undefined, ...env}
    const clean = Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv
    const result = spawnSync('script', ['-qfec', command, '/dev/null'], {cwd: repo.dir, env: clean, encoding: 'utf8', input: '', timeout: 20_000})
    return {status: result.status, output: result.stdout.replace(/\r\n/g, '\n')}
  }

  test('a live block redrawn in place; the final screen shows each gate final state, then the failure tail', () => {
    const {status, output} = run({})
    expect(status).toBe(5)
    // redrawn: the cursor moved up, a running gate showed its seconds; coloured; the cursor hidden then shown again
    expect(output).toMatch(CURSOR_UP)
    expect(output).toContain('running 1s')
    expect(output).toContain('\u001B[32m')
    expect(output.indexOf('\u001B[?25l')).toBeLessThan(output.lastIndexOf('\u001B[?25h'))
    expect(output).not.toContain('▸ slow started')
    const shown = screen(output)
    const block = shown.slice(0, 5)
    // plan order
    expect(block[0]).toMatch(/^✗ broken +failed in \d+\.\d\ds: exit code 3$/)
    expect(block[1]).toMatch(/^✓ quick +passed in \d+\.\d\ds$/)
    expect(block[2]).toMatch(/^✓ slow +passed in 1\.\d\ds$/)
    expect(block[3]).toBe('- later   skipped: needs broken, which did not pass')
    expect(block[4]).toBe('4/4 done')
    expect(shown).toContain('  │ the real reason')
    expect(shown).toContain('✗ broken failed in ' + block[0]?.split(' in ')[1])
    // no gate line appears twice: the block was redrawn, not appended
    expect(shown.filter((l) => /^✓ slow +passed in/.test(l))).toHaveLength(1)
  })

  test('NO_COLOR: the same block without colours; a cached gate says so', () => {
    const repo = newRepo()
    const first = run({NO_COLOR: '1'}, 'gates run --only quick', repo)
    expect(first.status).toBe(0)
    expect(first.output).not.toContain('\u001B[32m')
    expect(screen(first.output)[0]).toMatch(/^✓ quick +passed in/)
    const second = run({NO_COLOR: '1'}, 'gates run --only quick', repo)
    expect(screen(second.output).slice(0, 2)).toEqual(['● quick  cached', '1/1 done'])
  })

  test('CI set: the plain lines, no cursor movement', () => {
    const {status, output} = run({CI: 'true'})
    expect(status).toBe(5)
    expect(output).toContain('▸ slow started')
    expect(output).not.toMatch(CURSOR_UP)
  })

  test('--json on a terminal: plain progress on stderr, the document on stdout', () => {
    const {output} = run({}, 'gates run --only quick --json')
    expect(output).toContain('▸ quick started')
    expect(output).not.toMatch(CURSOR_UP)
    expect(output).toContain('"ok": true')
  })
})
