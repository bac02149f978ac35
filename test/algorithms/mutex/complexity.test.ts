// Message complexity, measured from traces with the lab's metrics
// (src/lab/metrics/mutex.ts) and held to the course notes' figures: the central
// coordinator costs exactly 3 messages per entry of any other node and none for
// its own (it queues itself locally); Ricart-Agrawala exactly 2(N-1); Suzuki-
// Kasami at most N (0 when the token is already here); and a token ring request
// waits for 0..N-1 hand-offs.
import { describe, expect, it } from 'vitest'
import { mutexMetrics, type MutexRequest } from '../../../src/lab/metrics/mutex'
import { simulate } from '../../support/simulate'

const SEEDS = 20

/** Every request of `seeds` busy runs of `algorithm` on `nodes` nodes; all must be served. */
function served(algorithm: string, nodes: number, params: Record<string, unknown> = {}) {
  const all: MutexRequest[] = []
  for (let seed = 1; seed <= SEEDS; seed++) {
    const run = simulate({
      algorithm,
      nodes,
      seed,
      params,
      until: 10_000,
      network: {
        default: { delay: { dist: 'uniform', min: 1, max: 20 }, fifo: false, reorder: 0.2 },
      },
      workload: { rate: 30, until: 1000 },
    })
    const { requests } = mutexMetrics(run.trace)
    expect(requests.every((r) => r.enter !== undefined)).toBe(true)
    all.push(...requests)
  }
  expect(all.length).toBeGreaterThan(SEEDS * nodes)
  return all
}

const counts = (rs: MutexRequest[], key: 'messages' | 'handoffs') =>
  [...new Set(rs.map((r) => r[key]))].sort((a, b) => a - b)

describe('messages per critical-section entry', () => {
  it('central: exactly 3 for every node but the coordinator, whose own entries cost 0', () => {
    const rs = served('mutex-central', 5, { coordinator: 2 })
    expect(
      counts(
        rs.filter((r) => r.node !== 2),
        'messages',
      ),
    ).toEqual([3])
    expect(
      counts(
        rs.filter((r) => r.node === 2),
        'messages',
      ),
    ).toEqual([0])
  })

  for (const n of [2, 3, 5, 8])
    it(`Ricart-Agrawala: exactly 2(N-1) = ${2 * (n - 1)} on ${n} nodes`, () => {
      expect(counts(served('ricart-agrawala', n), 'messages')).toEqual([2 * (n - 1)])
    })

  for (const n of [3, 5, 8])
    it(`Suzuki-Kasami: N = ${n} (N-1 requests and the token), or 0 with the token at hand`, () => {
      expect(counts(served('suzuki-kasami', n), 'messages')).toEqual([0, n])
    })

  for (const n of [3, 5, 8])
    it(`token ring: 0..N-1 = 0..${n - 1} hand-offs from request to entry`, () => {
      const handoffs = counts(served('token-ring', n), 'handoffs')
      expect(handoffs[0]).toBeGreaterThanOrEqual(0)
      expect(handoffs[handoffs.length - 1]).toBeLessThanOrEqual(n - 1)
      // Busy runs reach both ends: a request made with the token at hand, and one just after it left.
      expect(handoffs).toContain(0)
      expect(handoffs).toContain(n - 1)
    })
})
