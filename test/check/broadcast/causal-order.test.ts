// The causal order checker: n1 delivers n0's message m1, then broadcasts m2;
// n2 gets m2 first (m1 reaches it on a slow link, and n1's relay of m1 is cut
// off). A causal broadcast without hold-back delivers m2 at once and is flagged
// there; the real one holds m2 until m1. The FIFO broadcast, which does not
// claim causal order, breaks it in the same run.
import { describe, expect, it } from 'vitest'
import { causalBroadcast } from '../../../src/algorithms/broadcast/causal-broadcast'
import { DELIVER, HOLD, noteDeliver } from '../../../src/algorithms/broadcast/notes'
import { rbReceive } from '../../../src/algorithms/broadcast/reliable-broadcast'
import { causalOrderChecker } from '../../../src/check/broadcast/causal-order'
import { checkTrace } from '../../../src/check/index'
import type { ScenarioInput } from '../../../src/sim/scenario'
import { notedWithId, simulate, simulateWith, violationsOf } from '../../support/simulate'

/** Delivers on first receipt, with no hold-back queue (but still counts deliveries). */
const deliversEarly: typeof causalBroadcast = {
  ...causalBroadcast,
  onMessage(s, from, m, ctx) {
    const d = rbReceive(s.rb, from, m, ctx)
    if (d === undefined) return
    s.v[d.origin] += 1
    noteDeliver(ctx, d.origin, d.seq)
  },
}

function causalChain(algorithm: string): ScenarioInput {
  return {
    algorithm,
    nodes: 3,
    until: 500,
    workload: false,
    network: {
      default: { delay: { dist: 'constant', ms: 5 } },
      links: [{ from: 0, to: 2, delay: { dist: 'constant', ms: 50 } }],
    },
    faults: [
      { at: 12, partition: [[2]] },
      { at: 22, heal: true },
    ],
    commands: [
      { at: 10, node: 0, command: { kind: 'broadcast', value: 'm1' } },
      { at: 25, node: 1, command: { kind: 'broadcast', value: 'm2' } },
    ],
  }
}

describe('causal-order', () => {
  it('flags a delivery before a causally preceding message, at that delivery', () => {
    const run = simulateWith(deliversEarly, causalChain('causal-broadcast'))
    const v = violationsOf(run, 'causal-order')
    expect(v).toHaveLength(1)
    expect(v[0].at).toBe(notedWithId(run.trace, DELIVER, '1:1', 2)[0].i)
    expect(v[0].message).toBe('n2 delivered 1:1 before 0:1, which causally precedes it')
  })

  it('holds for the causal broadcast, which holds m2 back until m1 arrives', () => {
    const run = simulate(causalChain('causal-broadcast'))
    expect(run.verdicts.every((v) => v.ok)).toBe(true)
    const held = notedWithId(run.trace, HOLD, '1:1', 2)
    expect(held).toHaveLength(1)
    expect(notedWithId(run.trace, DELIVER, '1:1', 2)[0].i).toBeGreaterThan(held[0].i)
  })

  it('is broken by the FIFO broadcast, which orders each origin only', () => {
    const run = simulate(causalChain('fifo-broadcast'))
    expect(run.verdicts.every((v) => v.ok)).toBe(true)
    const [verdict] = checkTrace(run.trace.meta, run.trace.events, [
      { ...causalOrderChecker, appliesTo: () => true },
    ])
    expect(verdict.violations.map((v) => v.at)).toEqual([
      notedWithId(run.trace, DELIVER, '1:1', 2)[0].i,
    ])
  })
})
