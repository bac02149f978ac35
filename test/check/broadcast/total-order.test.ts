// The total order checker: n0 and n2 broadcast at the same moment. A "total
// order" broadcast that delivers on receipt has each deliver its own message
// first, flagged where the second process delivers the pair in the other order;
// the Lamport and sequencer algorithms agree on one order in the same run.
import { describe, expect, it } from 'vitest'
import { noteBcast, noteDeliver, DELIVER } from '../../../src/algorithms/broadcast/notes'
import { totalOrderLamport } from '../../../src/algorithms/broadcast/total-order-lamport'
import { totalOrderChecker } from '../../../src/check/broadcast/total-order'
import type { ProcessEvent, TraceMeta } from '../../../src/core/trace'
import type { ScenarioInput } from '../../../src/sim/scenario'
import { notedWithId, simulate, simulateWith, violationsOf } from '../../support/simulate'

/** Stamps and sends as the Lamport algorithm does, but delivers at once, no queue, no acks. */
const deliversOnReceipt: typeof totalOrderLamport = {
  ...totalOrderLamport,
  onCommand(s, _cmd, ctx) {
    s.clock += 1
    s.sent += 1
    noteBcast(ctx, ctx.self, s.sent)
    ctx.broadcast({ kind: 'data', origin: ctx.self, seq: s.sent, ts: s.clock, value: null })
    noteDeliver(ctx, ctx.self, s.sent)
  },
  onMessage(s, _from, m, ctx) {
    s.clock = Math.max(s.clock, m.ts) + 1
    if (m.kind === 'data') noteDeliver(ctx, m.origin, m.seq)
  },
}

function concurrent(algorithm: string): ScenarioInput {
  return {
    algorithm,
    nodes: 3,
    until: 500,
    workload: false,
    network: { default: { delay: { dist: 'constant', ms: 5 } } },
    commands: [
      { at: 10, node: 0, command: { kind: 'broadcast' } },
      { at: 10, node: 2, command: { kind: 'broadcast' } },
    ],
  }
}

describe('total-order', () => {
  it('flags two processes delivering the same two messages in opposite orders', () => {
    const run = simulateWith(deliversOnReceipt, concurrent('total-order-lamport'))
    const v = violationsOf(run, 'total-order')
    expect(v.length).toBeGreaterThan(0)
    // n2 delivered 2:1 then 0:1; n0, delivering 2:1 after its own 0:1, is the first to disagree.
    expect(v[0].at).toBe(notedWithId(run.trace, DELIVER, '2:1', 0)[0].i)
    expect(v[0].message).toBe('n0 delivered 0:1 before 2:1, n2 delivered them the other way round')
  })

  it.each(['total-order-lamport', 'total-order-sequencer', 'fifo-total-order'])(
    'holds for %s in the same run',
    (algorithm) => {
      const run = simulate(concurrent(algorithm))
      expect(run.verdicts.every((v) => v.ok)).toBe(true)
      for (const node of [0, 1, 2])
        expect(notedWithId(run.trace, DELIVER, '0:1', node)).toHaveLength(1)
    },
  )

  it('compares every pair of processes, whichever delivers first', () => {
    const meta: TraceMeta = {
      source: 'sim',
      algorithm: 'total-order-lamport',
      params: {},
      nodes: ['a', 'b', 'c'],
      vectorTime: false,
    }
    const checker = totalOrderChecker.create(meta)
    const deliver = (i: number, node: number, ids: string[]): ProcessEvent => ({
      i,
      node,
      seq: i,
      lamport: i,
      local: i,
      kind: 'timer',
      timer: 't',
      notes: ids.map((id) => ({ kind: DELIVER, data: { id, origin: 0 } })),
    })
    const found = [
      deliver(0, 0, ['x', 'y', 'z']),
      deliver(1, 1, ['x']),
      deliver(2, 2, ['z']),
      deliver(3, 1, ['z']),
      deliver(4, 2, ['y']),
      deliver(5, 1, ['y']),
    ].map((e) => checker.onEvent(e) ?? [])
    expect(found.map((v) => v.length)).toEqual([0, 0, 0, 0, 1, 1])
    expect(found[4][0].message).toBe('c delivered z before y, a delivered them the other way round')
    expect(found[5][0].message).toBe('b delivered z before y, a delivered them the other way round')
  })
})
