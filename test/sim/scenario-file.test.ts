import { describe, expect, it } from 'vitest'
import { InputError } from '../../src/core/errors'
import { listScenarios } from '../../src/lab/scenarios'
import { runScenario } from '../../src/sim/run'
import { parseScenario } from '../../src/sim/scenario-file'

function errorOf(text: string): string {
  try {
    parseScenario(text, 's.yaml')
  } catch (err) {
    expect(err).toBeInstanceOf(InputError)
    return (err as Error).message
  }
  throw new Error('expected the scenario to be rejected')
}

describe('scenario files', () => {
  it('reads YAML and JSON alike, filling in defaults', () => {
    const yaml = parseScenario('algorithm: lamport\nnodes: 4\n')
    const json = parseScenario('{"algorithm": "lamport", "nodes": 4}')
    expect(json).toEqual(yaml)
    expect(yaml.seed).toBe(1)
    expect(yaml.network.default.fifo).toBe(true)
    expect(yaml.clocks.default.maxSlewPpm).toBe(500)
  })

  it.each([
    ['nodes: -2', /^s\.yaml:2: nodes: must be at least 1$/],
    ['nodes: three', /^s\.yaml:2: nodes: expected number, got string "three"$/],
    ['speed: 3', /^s\.yaml:2: speed: unknown field$/],
    [
      'network:\n  default:\n    delay: { dist: uniform, min: 9, max: 2 }',
      /^s\.yaml:4: network\.default\.delay\.max: must be at least min$/,
    ],
    ['network:\n  default:\n    loss: 1.5', /^s\.yaml:4: network\.default\.loss: .*<=1/],
    [
      'network:\n  default:\n    reorder: 0.1',
      /^s\.yaml:4: network\.default\.reorder: reorder needs a non-FIFO link/,
    ],
    [
      'clocks:\n  default:\n    maxSlewPpm: 0',
      /^s\.yaml:4: clocks\.default\.maxSlewPpm: must be above zero$/,
    ],
    [
      'faults:\n  - { at: 5, crash: 0, recover: 0 }',
      /^s\.yaml:3: faults\[0\]: a fault is exactly one of/,
    ],
    [
      'commands:\n  - { at: 5, node: 9, command: {} }',
      /^s\.yaml:3: commands\[0\]\.node: node 9 does not exist/,
    ],
  ])('%s is rejected with the line and the field', (extra, pattern) => {
    expect(errorOf(`algorithm: lamport\n${extra}\n`)).toMatch(pattern)
  })

  it('rejects a document that is not a mapping, and duplicate keys', () => {
    expect(errorOf('- 1\n- 2\n')).toMatch(/a scenario is a mapping/)
    expect(errorOf('algorithm: lamport\nalgorithm: vector\n')).toMatch(
      /^s\.yaml:2: not valid YAML or JSON/,
    )
  })

  it("validates commands against the algorithm's own schema when the run is built", () => {
    const s = parseScenario(
      'algorithm: lamport\ncommands:\n  - { at: 1, node: 0, command: { kind: jump } }\n',
    )
    expect(() => runScenario(s)).toThrow(/commands\[0\]\.command\.kind/)
  })

  it('ships teaching scenarios that each say what to observe and run cleanly', () => {
    const shipped = listScenarios()
    expect(shipped.length).toBeGreaterThanOrEqual(4)
    for (const { name, scenario } of shipped) {
      expect(scenario.observe, name).toBeTruthy()
      expect(scenario.description, name).toBeTruthy()
      const r = runScenario(scenario, { check: true })
      expect(r.stats.events, name).toBeGreaterThan(0)
      const causality = r.verdicts?.find((v) => v.checker === 'causality')
      expect(causality?.ok, name).toBe(true)
    }
  })
})
