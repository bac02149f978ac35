// Same seed, same trace, byte for byte: the promise that lets a seed reproduce
// any failure. Exercised with every source of randomness and every fault on.
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { runScenario } from '../../src/sim/run'
import { ScenarioSchema } from '../../src/sim/scenario'
import type { Trace } from '../../src/core/trace'

function faulty(algorithm: string, seed: number) {
  return ScenarioSchema.parse({
    algorithm,
    nodes: 5,
    seed,
    until: 4000,
    workload: { rate: 40 },
    network: {
      default: {
        delay: { dist: 'lognormal', median: 4, sigma: 0.8 },
        loss: 0.1,
        duplicate: 0.1,
        fifo: false,
        reorder: 0.2,
      },
      links: [
        { between: [0, 1], delay: { dist: 'uniform', min: 20, max: 60 }, fifo: true, reorder: 0 },
      ],
    },
    clocks: {
      default: { skewPpm: 50, wanderPpm: 2 },
      nodes: { '2': { offset: 150, skewPpm: -120 } },
    },
    faults: [
      { at: 800, crash: 3 },
      { at: 1500, partition: [[0, 1], [2]] },
      { at: 2200, recover: 3 },
      { at: 2600, heal: true },
    ],
  })
}

function record(algorithm: string, seed: number): Trace {
  return runScenario(faulty(algorithm, seed), { record: true }).trace!
}

const hash = (t: Trace) => createHash('sha256').update(JSON.stringify(t)).digest('hex')

describe('determinism', () => {
  for (const algorithm of ['lamport', 'vector']) {
    it(`${algorithm}: the same seed gives an identical trace hash`, () => {
      const a = record(algorithm, 12345)
      const b = record(algorithm, 12345)
      expect(hash(b)).toBe(hash(a))
      // The run really exercised every fault, or identical hashes would prove little.
      const kinds = new Set(a.events.map((e) => (e.kind === 'drop' ? `drop:${e.reason}` : e.kind)))
      for (const k of [
        'receive',
        'duplicate',
        'drop:loss',
        'drop:partition',
        'drop:crashed',
        'crash',
        'recover',
        'partition',
        'heal',
      ])
        expect(kinds, k).toContain(k)
      expect(a.events.length).toBeGreaterThan(1000)
    })

    it(`${algorithm}: different seeds give different traces (20 seeds, all distinct)`, () => {
      const hashes = new Set(Array.from({ length: 20 }, (_, k) => hash(record(algorithm, k + 1))))
      expect(hashes.size).toBe(20)
    })
  }

  it('a streaming sink sees the same events as the recording', () => {
    const seen: string[] = []
    const result = runScenario(faulty('vector', 9), {
      record: true,
      sinks: [(e) => seen.push(JSON.stringify(e))],
    })
    expect(seen).toEqual(result.trace!.events.map((e) => JSON.stringify(e)))
  })
})
