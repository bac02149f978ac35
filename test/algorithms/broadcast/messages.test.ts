// Messages per broadcast, against theory, for one broadcast on N = 3..6 nodes
// with no faults: best effort N-1; eager reliable broadcast (and the FIFO and
// causal broadcasts on it) N-1 sends plus (N-1)^2 relays, each acknowledged:
// 2N(N-1); Lamport total order N-1 sends plus N-1 acks from each of N-1
// receivers: N(N-1); the sequencers N-1 sends plus N-1 orders: 2(N-1).
import { describe, expect, it } from 'vitest'
import { check } from '../../support/simulate'

const theory: Record<string, (n: number) => number> = {
  'best-effort-broadcast': (n) => n - 1,
  'reliable-broadcast': (n) => 2 * n * (n - 1),
  'fifo-broadcast': (n) => 2 * n * (n - 1),
  'causal-broadcast': (n) => 2 * n * (n - 1),
  'total-order-lamport': (n) => n * (n - 1),
  'total-order-sequencer': (n) => 2 * (n - 1),
  'fifo-total-order': (n) => 2 * (n - 1),
}

describe.each(Object.entries(theory))('%s', (algorithm, expected) => {
  it.each([3, 4, 5, 6])(
    'sends the expected number of messages per broadcast on %i nodes',
    (nodes) => {
      for (const origin of [0, nodes - 1]) {
        const { verdicts, stats } = check({
          algorithm,
          nodes,
          workload: false,
          commands: [{ at: 10, node: origin, command: { kind: 'broadcast' } }],
        })
        expect(verdicts.every((v) => v.ok)).toBe(true)
        expect(stats.messages).toBe(expected(nodes))
      }
    },
  )
})
