// `clocklab sim` with an algorithm's own parameters as flags, and the clock-sample
// CSV a sync run exports: the issue's command line works as written, and bad
// input (an unknown parameter, a stratum above 15, a negative skew bound, a slew
// rate of zero) gets one line naming the flag or the field, and exit code 2.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { clocklab } from './run-cli'

const dir = mkdtempSync(join(tmpdir(), 'clocklab-params-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function expectInputError(args: string[], pattern: RegExp): void {
  const r = clocklab(args)
  expect(r.code).toBe(2)
  const lines = r.stderr.trim().split('\n')
  expect(lines).toHaveLength(1)
  expect(lines[0]).toMatch(pattern)
  expect(r.stderr).not.toMatch(/\n\s+at /)
}

function scenarioFile(name: string, text: string): string {
  const file = join(dir, name)
  writeFileSync(file, text)
  return file
}

describe('clocklab sim ntp --servers 3 --stratum-depth 3 --export csv', () => {
  const r = clocklab(['sim', 'ntp', '--servers', '3', '--stratum-depth', '3', '--export', 'csv'])

  it('runs the hierarchy the flags describe: 3 servers, 3 strata, 7 nodes', () => {
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/^ntp · 7 nodes · seed 1/)
  })

  it('writes the clock samples as a plain table: a header, then one row of 8 cells per sample', () => {
    const lines = r.stdout.trimEnd().split('\r\n')
    expect(lines[0]).toBe(
      'node,true_time_ms,local_ms,true_offset_ms,estimated_offset_ms,error_ms,source,peer',
    )
    const rows = lines.slice(1).map((l) => l.split(','))
    expect(rows.length).toBeGreaterThan(20)
    for (const [node, time, local, trueOffset, estimate, error, source, peer] of rows) {
      expect(node).toMatch(/^n[3-6]$/)
      for (const x of [time, local, trueOffset, estimate, error])
        expect(Number.isFinite(Number(x))).toBe(true)
      expect(Number(trueOffset)).toBeCloseTo(Number(local) - Number(time), 6)
      expect(Number(error)).toBeGreaterThan(0)
      // Stratum 2 (n3-n5) asks stratum 1 (n0-n2); stratum 3 (n6) asks stratum 2.
      expect(source).toMatch(node === 'n6' ? /^n[3-5]$/ : /^n[0-2]$/)
      expect(peer).toBe('')
    }
    expect(new Set(rows.map((r) => r[0]))).toEqual(new Set(['n3', 'n4', 'n5', 'n6']))
  })
})

describe('algorithm parameters as flags', () => {
  it('take --name=value, dotted names for nested parameters, and --param name=value', () => {
    const r = clocklab([
      'sim',
      'cristian',
      '--period-ms=2000',
      '--discipline.mode',
      'slew',
      '-p',
      'server=1',
      '--until',
      '5000',
      '--export',
      'json',
      '-q',
    ])
    expect(r.code).toBe(0)
    const trace = JSON.parse(r.stdout)
    expect(trace.meta.params).toMatchObject({
      server: 1,
      periodMs: 2000,
      discipline: { mode: 'slew' },
    })
  })

  it('a value out of range names the flag: a stratum above 15', () => {
    expectInputError(
      ['sim', 'ntp', '--stratum-depth', '16'],
      /^clocklab: --stratum-depth: a stratum above 15 does not exist \(NTP's stratum 16 means unsynchronized\)$/,
    )
  })

  it('an unknown parameter names the flag and lists the known ones', () => {
    expectInputError(
      ['sim', 'ntp', '--servres', '3'],
      /^clocklab: unknown option '--servres' \(ntp parameters: --servers, --stratum-depth, /,
    )
  })

  it('a nested value is checked too', () => {
    expectInputError(
      ['sim', 'berkeley', '--discipline.mode', 'sideways'],
      /^clocklab: --discipline\.mode: /,
    )
  })

  it('too few nodes for the hierarchy is an error, not a crash', () => {
    expectInputError(
      ['sim', 'ntp', '--servers', '3', '--stratum-depth', '3', '--nodes', '5'],
      /^clocklab: nodes: ntp needs at least 7 nodes with these params, got 5$/,
    )
  })

  it('sim --help documents them', () => {
    const r = clocklab(['sim', '--help'])
    expect(r.stdout).toContain('--stratum-depth 3')
    expect(r.stdout).toContain('one row\nper clock sample')
  })
})

describe('scenario files: bad clocks and strata', () => {
  it('a negative skew bound names the file, the line and the field', () => {
    const file = scenarioFile(
      'neg.yaml',
      'algorithm: ntp\nnodes: 4\nclocks:\n  default:\n    skewBoundPpm: -5\n',
    )
    expectInputError(
      ['sim', file],
      /neg\.yaml:5: clocks\.default\.skewBoundPpm: must be at least 0 \(a bound on \|skew\| in ppm\)$/,
    )
  })

  it('a slew rate of zero', () => {
    const file = scenarioFile(
      'zero.yaml',
      "algorithm: cristian\nclocks:\n  nodes:\n    '1': { maxSlewPpm: 0 }\n",
    )
    expectInputError(
      ['sim', file],
      /zero\.yaml:4: clocks\.nodes\.1\.maxSlewPpm: must be above zero$/,
    )
  })

  it('a stratum above 15', () => {
    const file = scenarioFile(
      'deep.yaml',
      'algorithm: ntp\nnodes: 40\nparams: { stratumDepth: 16 }\n',
    )
    expectInputError(['sim', file], /params\.stratumDepth: a stratum above 15 does not exist/)
  })
})
