// The logical-clock algorithms on a scripted run whose stamps can be worked out
// by hand from the textbook rules (tick before each event; max-merge then tick
// on receive), and Lamport's total order with the process-id tie-break.
import { describe, expect, it } from 'vitest'
import { compareLamport, type LamportStamp } from '../../src/algorithms/clocks/lamport'
import { runScenario } from '../../src/sim/run'
import { ScenarioSchema } from '../../src/sim/scenario'
import { isProcessEvent } from '../../src/core/trace'
import type { JsonValue } from '../../src/core/json'

// Constant 10 ms links, no workload:
//   t=1  n0 internal          t=3  n1 internal        t=25 n2 internal
//   t=2  n0 send -> n1        t=12 n1 receives it     t=30 n2 receives n1's message
//                             t=20 n1 send -> n2
function scripted(algorithm: string) {
  const trace = runScenario(
    ScenarioSchema.parse({
      algorithm,
      nodes: 3,
      workload: false,
      network: { default: { delay: { dist: 'constant', ms: 10 } } },
      commands: [
        { at: 1, node: 0, command: { kind: 'internal' } },
        { at: 2, node: 0, command: { kind: 'send', to: 1 } },
        { at: 3, node: 1, command: { kind: 'internal' } },
        { at: 20, node: 1, command: { kind: 'send', to: 2 } },
        { at: 25, node: 2, command: { kind: 'internal' } },
      ],
    }),
    { record: true, check: true },
  )
  const stamps: JsonValue[][] = [[], [], []]
  for (const e of trace.trace!.events)
    if (isProcessEvent(e))
      for (const n of e.notes ?? []) if (n.kind === algorithm) stamps[e.node].push(n.data ?? null)
  return { stamps, verdicts: trace.verdicts! }
}

describe('lamport', () => {
  it('stamps events by the textbook rules', () => {
    const { stamps, verdicts } = scripted('lamport')
    expect(stamps).toEqual([
      [1, 2],
      [1, 3, 4],
      [1, 5],
    ])
    expect(verdicts.every((v) => v.ok)).toBe(true)
  })

  it('orders stamps by counter, then by process id', () => {
    const s: LamportStamp[] = [
      { c: 2, node: 1 },
      { c: 1, node: 2 },
      { c: 2, node: 0 },
      { c: 1, node: 0 },
    ]
    expect([...s].sort(compareLamport)).toEqual([
      { c: 1, node: 0 },
      { c: 1, node: 2 },
      { c: 2, node: 0 },
      { c: 2, node: 1 },
    ])
    expect(compareLamport({ c: 3, node: 1 }, { c: 3, node: 1 })).toBe(0)
  })
})

describe('vector', () => {
  it('stamps events by the textbook rules', () => {
    const { stamps, verdicts } = scripted('vector')
    expect(stamps).toEqual([
      [
        [1, 0, 0],
        [2, 0, 0],
      ],
      [
        [0, 1, 0],
        [2, 2, 0],
        [2, 3, 0],
      ],
      [
        [0, 0, 1],
        [2, 3, 2],
      ],
    ])
    expect(verdicts.every((v) => v.ok)).toBe(true)
  })
})
