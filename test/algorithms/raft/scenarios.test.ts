// The shipped Raft scenarios: each passes every checker and shows what its
// 'observe' text promises.
import { describe, expect, it } from 'vitest'
import {
  KV_RETURN,
  RAFT_APPEND,
  RAFT_APPLY,
  RAFT_CANDIDATE,
  RAFT_COMMIT,
  RAFT_LEADER,
  type AppendNote,
  type ApplyNote,
  type CommitNote,
  type ReturnNote,
  type TermNote,
} from '../../../src/algorithms/raft/notes'
import { notesOf, type Trace } from '../../../src/core/trace'
import { findScenario, loadScenarioFile } from '../../../src/lab/scenarios'
import { noted, simulate } from '../../support/simulate'

function run(name: string): Trace {
  const r = simulate(loadScenarioFile(findScenario(name) as string))
  expect(r.verdicts.filter((v) => !v.ok)).toEqual([])
  return r.trace
}

/** Every note of a kind, with the node, name and time of its event. */
function notes<T>(trace: Trace, kind: string) {
  return noted(trace, kind).flatMap((e) =>
    notesOf<T>(e, kind).map((data) => ({
      node: e.node,
      name: trace.meta.nodes[e.node],
      time: e.time as number,
      ...data,
    })),
  )
}

const leaders = (t: Trace) => notes<TermNote>(t, RAFT_LEADER).map((l) => `${l.name}:${l.term}`)

describe('shipped raft scenarios', () => {
  it('raft-normal: one election, then every request answered and applied alike', () => {
    const t = run('raft-normal')
    expect(leaders(t)).toEqual(['S1:1'])
    const applied = (name: string) =>
      notes<ApplyNote>(t, RAFT_APPLY)
        .filter((a) => a.name === name)
        .map((a) => a.command)
    expect(applied('S1').length).toBeGreaterThan(10)
    expect(applied('S2')).toEqual(applied('S1'))
    expect(applied('S3')).toEqual(applied('S1'))
    expect(notes(t, KV_RETURN)).toHaveLength(applied('S1').length)
  })

  it('raft-leader-crash: S2 leads term 2 within 300 ms; S1 comes back and reapplies from 1', () => {
    const t = run('raft-leader-crash')
    const elected = notes<TermNote>(t, RAFT_LEADER)
    expect(leaders(t)).toEqual(['S1:1', 'S2:2'])
    expect(elected[1].time - 1000).toBeLessThan(300)
    const again = notes<ApplyNote>(t, RAFT_APPLY).filter((a) => a.name === 'S1' && a.time > 2000)
    expect(again[0].index).toBe(1)
  })

  it('raft-split-vote: terms 1-3 elect nobody, S1 wins term 4', () => {
    const t = run('raft-split-vote')
    expect(leaders(t)).toEqual(['S1:4'])
    const candidates = notes<TermNote>(t, RAFT_CANDIDATE)
    for (const term of [1, 2, 3])
      expect(candidates.filter((c) => c.term === term).length).toBeGreaterThan(1)
  })

  it('raft-partition-stale-leader: the stale leader entry is replaced; the cas takes effect once', () => {
    const t = run('raft-partition-stale-leader')
    expect(leaders(t)).toEqual(['S1:1', 'S3:2'])
    const writes = notes<AppendNote>(t, RAFT_APPEND).filter((a) => a.index === 9)
    const stale = writes.filter((w) => w.term === 1).map((w) => w.name)
    expect(stale).toEqual(['S1', 'S2'])
    for (const name of ['S1', 'S2'])
      expect(writes.filter((w) => w.name === name).map((w) => w.term)).toEqual([1, 2])
    const answers = notes<ReturnNote>(t, KV_RETURN).filter((r) => r.name === 'c1' && r.seq === 4)
    expect(answers).toMatchObject([{ result: true }])
    expect(answers[0].time).toBeGreaterThan(2500)
  })

  it('raft-figure-8: an old entry on four of five servers is not committed, and is overwritten', () => {
    const t = run('raft-figure-8')
    expect(leaders(t)).toEqual(['S1:1', 'S5:2', 'S1:13', 'S5:15'])
    const index2 = notes<AppendNote>(t, RAFT_APPEND).filter((a) => a.index === 2)
    const old = index2.filter((a) => a.term === 1 && a.time < 3600).map((a) => a.name)
    expect(old.sort()).toEqual(['S1', 'S2', 'S3', 'S4'])
    const commits = notes<CommitNote>(t, RAFT_COMMIT).filter((c) => c.index >= 2)
    expect(commits.filter((c) => c.time < 3600)).toEqual([])
    const overwritten = index2.filter((a) => a.term === 2 && a.time > 3600).map((a) => a.name)
    expect(overwritten.sort()).toEqual(['S1', 'S2', 'S3', 'S4'])
  })
})
