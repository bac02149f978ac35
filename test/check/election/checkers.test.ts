// The election checkers against broken elections and a hand-made trace:
// - a bully that announces itself without waiting for answers: one-leader-per-
//   round flags its announcement while a higher process is up;
// - a ring election whose processes never become non-participants again: the
//   next election never happens, and leader-agreement flags every live process
//   still following the crashed coordinator;
// - two different coordinators announced in one round (a hand-made trace, since
//   no ring round can produce it): flagged at the second.
import { notesOf } from '../../../src/core/trace'
import { describe, expect, it } from 'vitest'
import { bully, type BullyState } from '../../../src/algorithms/election/bully'
import { LEADER, type LeaderNote } from '../../../src/algorithms/election/notes'
import { ringElection } from '../../../src/algorithms/election/ring-election'
import { checkTrace } from '../../../src/check/index'
import type { ProcessEvent, TraceEvent, TraceMeta } from '../../../src/core/trace'
import { noted, simulateWith, violationsOf } from '../../support/simulate'

const leaderOf = (e: ProcessEvent) => notesOf<LeaderNote>(e, LEADER)[0].leader

describe('one-leader-per-round (bully)', () => {
  type Ctx = Parameters<NonNullable<typeof bully.onStart>>[1]
  /** Announces at once when an election starts, instead of waiting for answers. */
  const hurry = (s: BullyState, ctx: Ctx) => {
    if (s.election?.waiting === 'answer') bully.onTimer?.(s, 'bully.answer', ctx)
  }
  const hasty: typeof bully = {
    ...bully,
    onStart(s, ctx) {
      bully.onStart?.(s, ctx)
      hurry(s, ctx)
    },
    onMessage(s, from, m, ctx) {
      bully.onMessage?.(s, from, m, ctx)
      hurry(s, ctx)
    },
    onTimer(s, name, ctx) {
      bully.onTimer?.(s, name, ctx)
      hurry(s, ctx)
    },
  }
  const run = (algorithm: typeof bully) =>
    simulateWith(algorithm, {
      algorithm: 'bully',
      nodes: 5,
      until: 3000,
      workload: false,
      faults: [{ at: 1000, crash: 4 }],
    })

  it('flags a lower process announcing itself while a higher one is up, at the announcement', () => {
    const r = run(hasty)
    const usurper = noted(r.trace, LEADER).find((e) => leaderOf(e) === e.node && e.node < 3)
    expect(usurper).toBeDefined()
    const v = violationsOf(r, 'one-leader-per-round')
    expect(v[0].at).toBe(usurper?.i)
    expect(v[0].message).toContain(`node ${usurper?.node} announces itself coordinator`)
  })

  it('passes the real bully on the same run', () => {
    expect(violationsOf(run(bully), 'one-leader-per-round')).toEqual([])
  })
})

describe('leader-agreement (ring election)', () => {
  /** Never becomes a non-participant again once it has been a participant. */
  const sticky: typeof ringElection = {
    ...ringElection,
    onMessage(s, from, m, ctx) {
      const was = s.participant
      ringElection.onMessage?.(s, from, m, ctx)
      s.participant ||= was
    },
  }
  const run = (algorithm: typeof ringElection) =>
    simulateWith(algorithm, {
      algorithm: 'ring-election',
      nodes: 5,
      until: 9000,
      workload: false,
      faults: [
        { at: 1000, crash: 4 },
        { at: 3000, crash: 3 },
      ],
    })

  it('flags every live process left with the crashed coordinator, at its last leader note', () => {
    const r = run(sticky)
    // The first election still works; the second is never held.
    const last = new Map(noted(r.trace, LEADER).map((e) => [e.node, e]))
    for (const k of [0, 1, 2]) expect(leaderOf(last.get(k)!)).toBe(3)
    const v = violationsOf(r, 'leader-agreement')
    expect(v.map((x) => x.at)).toEqual([0, 1, 2].map((k) => last.get(k)?.i))
    expect(v[0].message).toContain('node 0 takes node 3 as coordinator at the end, not node 2')
    expect(violationsOf(r, 'one-leader-per-round')).toEqual([])
  })

  it('passes the real ring election on the same run', () => {
    expect(violationsOf(run(ringElection), 'leader-agreement')).toEqual([])
  })
})

describe('one-leader-per-round (hand-made trace)', () => {
  const meta: TraceMeta = {
    source: 'sim',
    algorithm: 'ring-election',
    params: { detector: 'heartbeat', periodMs: 100, timeoutMs: 300, electionTimeoutMs: 1000 },
    nodes: ['n0', 'n1', 'n2', 'n3'],
    vectorTime: false,
  }
  const event = (i: number, node: number, leader: number): TraceEvent => ({
    i,
    node,
    seq: 0,
    lamport: 1,
    local: i,
    time: i,
    kind: 'timer',
    timer: 'ring.retry',
    notes: [{ kind: LEADER, data: { leader, round: '1.4' } }],
  })

  it('flags a second, different coordinator in the same round, at its note', () => {
    const verdict = checkTrace(meta, [event(0, 3, 3), event(1, 0, 3), event(2, 1, 2)]).find(
      (v) => v.checker === 'one-leader-per-round',
    )
    expect(verdict?.violations.map((v) => v.at)).toEqual([2])
  })
})
