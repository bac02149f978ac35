import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { clocklab } from './run-cli'

const dir = mkdtempSync(join(tmpdir(), 'clocklab-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** One line on stderr, exit code 2, and nothing that looks like a stack trace. */
function expectInputError(args: string[], pattern: RegExp): void {
  const r = clocklab(args)
  expect(r.code).toBe(2)
  const lines = r.stderr.trim().split('\n')
  expect(lines).toHaveLength(1)
  expect(lines[0]).toMatch(/^clocklab: /)
  expect(lines[0]).toMatch(pattern)
  expect(r.stderr).not.toMatch(/\n\s+at /)
}

describe('clocklab sim', () => {
  it('runs an algorithm by name and prints a summary with the checkers', () => {
    const r = clocklab(['sim', 'lamport', '--nodes', '4', '--seed', '7', '--until', '2000'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^lamport · 4 nodes · seed 7 · 2,000 ms simulated/)
    expect(r.stdout).toMatch(/\d+ events, \d+ messages: \d+ delivered, 0 dropped, 0 duplicated/)
    expect(r.stdout).toMatch(/0 violations \(causality, clock-condition\)/)
  })

  it('gives the same summary for the same seed and a different one for another seed', () => {
    const a = clocklab(['sim', 'vector', '--seed', '3'])
    const b = clocklab(['sim', 'vector', '--seed', '3'])
    const c = clocklab(['sim', 'vector', '--seed', '4'])
    expect(a.stdout).toBe(b.stdout)
    expect(c.stdout).not.toBe(a.stdout)
  })

  it('runs a shipped scenario by name, shows what to observe and prints verdicts with --check', () => {
    const r = clocklab(['sim', 'lamport-basics', '--check', '--diagram'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^Observe: /)
    expect(r.stdout).toMatch(/✓ causality/)
    expect(r.stdout).toMatch(/n0 sends m0 to n1 \{"ts":2\}/)
  })

  it('exits 1 under --check when a property is violated, and says where', () => {
    const r = clocklab(['sim', 'lamport-crash', '--check'])
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/✗ clock-condition/)
    expect(r.stdout).toMatch(/at event \d+: stamp/)
  })

  it('writes an export to a file, its format taken from the extension', () => {
    const out = join(dir, 'run.json')
    const r = clocklab(['sim', 'lamport', '--seed', '2', '--out', out])
    expect(r.code).toBe(0)
    const trace = JSON.parse(readFileSync(out, 'utf8'))
    expect(trace.format).toBe('clocklab-trace')
    expect(trace.events.length).toBeGreaterThan(0)
    expect(r.stdout).toContain(`wrote json to ${out}`)
  })

  it('streams an export to standard output and keeps the summary off it', () => {
    const r = clocklab(['sim', 'lamport', '--until', '500', '--export', 'csv'])
    expect(r.code).toBe(0)
    expect(r.stdout.split('\n')[0]).toMatch(/^i,kind,node/)
    expect(r.stderr).toMatch(/events, \d+ messages/)
  })
})

describe('clocklab sim: bad input', () => {
  it('rejects an unknown algorithm', () => {
    expectInputError(
      ['sim', 'paxos'],
      /unknown algorithm or scenario 'paxos' \(algorithms: lamport, vector/,
    )
  })
  it('rejects a negative node count', () => {
    expectInputError(['sim', 'lamport', '--nodes', '-3'], /--nodes: must be at least 1/)
  })
  it('rejects a node count that is not a number', () => {
    expectInputError(['sim', 'lamport', '--nodes', 'many'], /--nodes.*whole number/)
  })
  it('rejects an unknown flag', () => {
    expectInputError(['sim', 'lamport', '--speed', '2'], /unknown option '--speed'/)
  })
  it('rejects an unknown export format', () => {
    expectInputError(['sim', 'lamport', '--export', 'xml'], /xml.*json, shiviz, csv/)
  })
  it('rejects a malformed scenario file, naming the line and the field', () => {
    const file = join(dir, 'bad.yaml')
    writeFileSync(file, 'algorithm: lamport\nnodes: 3\nfaults:\n  - { at: 10, crash: 7 }\n')
    expectInputError(['sim', file], /bad\.yaml:4: faults\[0\]\.crash: node 7 does not exist/)
  })
  it('rejects a scenario file that is not YAML or JSON', () => {
    const file = join(dir, 'broken.json')
    writeFileSync(file, '{ "algorithm": "lamport", "nodes": [ }')
    expectInputError(['sim', file], /broken\.json:1: not valid YAML or JSON/)
  })
  it('rejects a scenario file that does not exist', () => {
    expectInputError(['sim', join(dir, 'missing.yaml')], /missing\.yaml: no such file/)
  })
})

describe('clocklab --help', () => {
  it.each([[['--help']], [['sim', '--help']], [['list', '--help']]])(
    '%s prints help and exits 0',
    (args) => {
      const r = clocklab(args)
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(/Usage: clocklab/)
    },
  )

  it('lists algorithms and scenarios', () => {
    const r = clocklab(['list'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/lamport\s+clocks/)
    expect(r.stdout).toMatch(/lamport-basics/)
  })
})
