// The FIFO order checker: a FIFO broadcast that ignores sequence numbers
// delivers n0's second message before its first when the first copy is lost and
// resent; the real algorithm holds the second back in the same run.
import { describe, expect, it } from 'vitest'
import { fifoBroadcast } from '../../../src/algorithms/broadcast/fifo-broadcast'
import { DELIVER, HOLD, noteDeliver } from '../../../src/algorithms/broadcast/notes'
import { rbReceive } from '../../../src/algorithms/broadcast/reliable-broadcast'
import type { ScenarioInput } from '../../../src/sim/scenario'
import { notedWithId, simulate, simulateWith, violationsOf } from '../../support/simulate'

/** Delivers whatever reliable broadcast hands up, at once. */
const ignoresSequence: typeof fifoBroadcast = {
  ...fifoBroadcast,
  onMessage(s, from, m, ctx) {
    const d = rbReceive(s.rb, from, m, ctx)
    if (d !== undefined) noteDeliver(ctx, d.origin, d.seq)
  },
}

/** n0's first broadcast is cut off from n1 and resent 50 ms later; its second gets through at once. */
const resentFirst: ScenarioInput = {
  algorithm: 'fifo-broadcast',
  nodes: 2,
  until: 500,
  workload: false,
  network: { default: { delay: { dist: 'constant', ms: 5 } } },
  faults: [
    { at: 0, partition: [[0], [1]] },
    { at: 15, heal: true },
  ],
  commands: [
    { at: 10, node: 0, command: { kind: 'broadcast' } },
    { at: 20, node: 0, command: { kind: 'broadcast' } },
  ],
}

describe('fifo-order', () => {
  it('flags the delivery of a message before an earlier one from the same origin', () => {
    const run = simulateWith(ignoresSequence, resentFirst)
    const v = violationsOf(run, 'fifo-order')
    expect(v).toHaveLength(1)
    expect(v[0].at).toBe(notedWithId(run.trace, DELIVER, '0:2', 1)[0].i)
    expect(v[0].message).toBe('n1 delivered 0:2 before 0:1, which n0 broadcast earlier')
  })

  it('holds for the FIFO broadcast, which holds the second message back until the first', () => {
    const run = simulate(resentFirst)
    expect(run.verdicts.every((v) => v.ok)).toBe(true)
    const held = notedWithId(run.trace, HOLD, '0:2', 1)
    const first = notedWithId(run.trace, DELIVER, '0:1', 1)
    expect(held).toHaveLength(1)
    expect(first).toHaveLength(1)
    expect(notedWithId(run.trace, DELIVER, '0:2', 1)[0].i).toBe(first[0].i)
    expect(first[0].i).toBeGreaterThan(held[0].i)
  })
})
