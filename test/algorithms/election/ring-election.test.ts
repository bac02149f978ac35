// The ring election on constructed runs: after the coordinator crashes the
// detector triggers an election that skips the crashed process and elects the
// highest live one; a recovered higher process takes over again; and the
// messages match Chang-Roberts' counts (election/metrics) for one initiator at
// each distance from the highest, and for all processes starting at once with
// ids ascending (2N - 1 ELECTIONs) or descending (N(N+1)/2) along the ring.
import { notesOf } from '../../../src/core/trace'
import { describe, expect, it } from 'vitest'
import { LEADER, type LeaderNote } from '../../../src/algorithms/election/notes'
import type { ProcessEvent } from '../../../src/core/trace'
import {
  electionMetrics,
  ringAllStart,
  ringSingleInitiator,
} from '../../../src/lab/metrics/election'
import type { ScenarioInput } from '../../../src/sim/scenario'
import { noted, simulate } from '../../support/simulate'

const leaderOf = (e: ProcessEvent) => notesOf<LeaderNote>(e, LEADER)[0].leader

/** Each process's last coordinator among the leader notes made in [from, to). */
function leadersBetween(events: ProcessEvent[], from: number, to: number) {
  const t = (e: ProcessEvent) => e.time as number
  return new Map(events.filter((e) => t(e) >= from && t(e) < to).map((e) => [e.node, leaderOf(e)]))
}

describe('ring election after crashes', () => {
  it('elects the highest live process, skipping crashed ones, and again when it recovers', () => {
    const run = simulate({
      algorithm: 'ring-election',
      nodes: 5,
      seed: 2,
      until: 7000,
      workload: false,
      faults: [
        { at: 1000, crash: 4 },
        { at: 2500, crash: 3 },
        { at: 4500, recover: 4 },
      ],
    })
    expect(run.verdicts.filter((v) => !v.ok)).toEqual([])
    const leaders = noted(run.trace, LEADER)
    expect(leadersBetween(leaders, 1000, 2500)).toEqual(new Map([0, 1, 2, 3].map((k) => [k, 3])))
    expect(leadersBetween(leaders, 2500, 4500)).toEqual(new Map([0, 1, 2].map((k) => [k, 2])))
    expect(leadersBetween(leaders, 4500, 7000)).toEqual(new Map([0, 1, 2, 4].map((k) => [k, 4])))
  })
})

const N = 6
const AT = 500

function commanded(initiators: number[], order: 'ascending' | 'descending'): ScenarioInput {
  return {
    algorithm: 'ring-election',
    nodes: N,
    until: 2000,
    workload: false,
    params: { order },
    network: { default: { delay: { dist: 'constant', ms: 1 } } },
    commands: initiators.map((node) => ({ at: AT, node, command: { kind: 'elect' } })),
  }
}

describe('Chang-Roberts message counts', () => {
  for (const order of ['ascending', 'descending'] as const)
    for (let i = 0; i < N; i++) {
      // Hops from the initiator to the highest, N-1, along the ring.
      const k = order === 'ascending' ? N - 1 - i : (i + 1) % N
      it(`${order} ring of ${N}, node ${i} starts: 2N + ${k} = ${2 * N + k} messages`, () => {
        const run = simulate(commanded([i], order))
        expect(run.verdicts.filter((v) => !v.ok)).toEqual([])
        expect(electionMetrics(run.trace, { from: AT }).messages).toEqual(ringSingleInitiator(N, k))
      })
    }

  for (const order of ['ascending', 'descending'] as const)
    it(`${order} ring of ${N}, all start at once: ${ringAllStart(N, order).total} messages`, () => {
      const run = simulate(commanded([0, 1, 2, 3, 4, 5], order))
      expect(run.verdicts.filter((v) => !v.ok)).toEqual([])
      const m = electionMetrics(run.trace, { from: AT })
      expect(m.messages).toEqual(ringAllStart(N, order))
      expect(m.elections).toBe(N)
      // Only the highest id's round completes: its ELECTION and ELECTED both go once round.
      expect(m.byRound.get(`${N - 1}.1`)).toMatchObject({ ELECTION: N, ELECTED: N })
    })
})
