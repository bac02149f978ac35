// Bully on constructed runs: the recovering highest process bullies its way
// back, and the messages an election costs match the textbook's count for its
// worst case (the lowest process notices the crash of the highest: O(N^2)) and
// its best case (the second highest notices first: N), on the runs `bullyCase`
// builds (src/lab/metrics/election.ts says how).
import { notesOf } from '../../../src/core/trace'
import { describe, expect, it } from 'vitest'
import { LEADER, type LeaderNote } from '../../../src/algorithms/election/notes'
import type { ProcessEvent } from '../../../src/core/trace'
import {
  BULLY_CASE_CRASH as CRASH,
  bullyBestCase,
  bullyCase,
  bullyWorstCase,
  electionMetrics,
} from '../../../src/lab/metrics/election'
import { noted, simulate } from '../../support/simulate'

const leaderOf = (e: ProcessEvent) => notesOf<LeaderNote>(e, LEADER)[0].leader

/** The last coordinator each process took, by node. */
function lastLeaders(events: ProcessEvent[]): Map<number, number> {
  return new Map(events.map((e) => [e.node, leaderOf(e)]))
}

describe('bully', () => {
  it('the recovering highest process bullies its way back', () => {
    const run = simulate({
      algorithm: 'bully',
      nodes: 5,
      seed: 4,
      until: 5000,
      workload: false,
      faults: [
        { at: 1000, crash: 4 },
        { at: 3000, recover: 4 },
      ],
    })
    expect(run.verdicts.filter((v) => !v.ok)).toEqual([])
    const leaders = noted(run.trace, LEADER)
    const during = leaders.filter((e) => (e.time as number) > 1000 && (e.time as number) < 3000)
    expect(new Set(during.map(leaderOf))).toEqual(new Set([3]))
    const after = leaders.filter((e) => (e.time as number) >= 3000)
    // Node 4 announces itself once after recovering, and everyone else adopts it.
    expect(after.filter((e) => e.node === 4).map(leaderOf)).toEqual([4])
    expect(lastLeaders(after)).toEqual(new Map([0, 1, 2, 3, 4].map((k) => [k, 4])))
  })

  for (const n of [3, 4, 5, 8, 10])
    it(`worst case, N = ${n}: the lowest notices the crash of the highest, N(N-1) = ${n * (n - 1)} messages`, () => {
      const run = simulate(bullyCase(n, 'worst'))
      expect(run.verdicts.filter((v) => !v.ok)).toEqual([])
      const m = electionMetrics(run.trace, { from: CRASH })
      expect(m.messages).toEqual(bullyWorstCase(n))
      // Every process but the crashed one held an election, and all took N-2.
      expect(m.elections).toBe(n - 1)
      const live = noted(run.trace, LEADER).filter((e) => e.node !== n - 1)
      expect(new Set(lastLeaders(live).values())).toEqual(new Set([n - 2]))
    })

  for (const n of [3, 4, 5, 8, 10])
    it(`best case, N = ${n}: the second highest notices first, N = ${n} messages`, () => {
      const run = simulate(bullyCase(n, 'best'))
      expect(run.verdicts.filter((v) => !v.ok)).toEqual([])
      const m = electionMetrics(run.trace, { from: CRASH })
      expect(m.messages).toEqual(bullyBestCase(n))
      expect(m.elections).toBe(1)
    })
})
