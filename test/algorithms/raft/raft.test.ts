// Raft through the simulator: which nodes are servers and clients, bad
// parameters reported in one line, a group of one, and a crashed server that
// comes back with its log and rebuilds its store by applying it again.
import { describe, expect, it } from 'vitest'
import {
  RAFT_APPLY,
  RAFT_LEADER,
  KV_INVOKE,
  type ApplyNote,
} from '../../../src/algorithms/raft/notes'
import { InputError } from '../../../src/core/errors'
import { notesOf, type ProcessEvent } from '../../../src/core/trace'
import { runScenario } from '../../../src/sim/run'
import { ScenarioSchema, type ScenarioInput } from '../../../src/sim/scenario'
import { noted, simulate } from '../../support/simulate'

const nodesWith = (events: ProcessEvent[]) => [...new Set(events.map((e) => e.node))].sort()

describe('raft in the simulator', () => {
  it('makes the last two nodes clients by default: --nodes 5 is 3 servers and 2 clients', () => {
    const r = simulate({ algorithm: 'raft', nodes: 5, until: 3000 })
    expect(r.verdicts.filter((v) => !v.ok)).toEqual([])
    expect(nodesWith(noted(r.trace, RAFT_APPLY))).toEqual([0, 1, 2])
    expect(nodesWith(noted(r.trace, KV_INVOKE))).toEqual([3, 4])
    expect(noted(r.trace, RAFT_LEADER)).toHaveLength(1)
  })

  it('takes the number of servers from params.servers', () => {
    const r = simulate({ algorithm: 'raft', nodes: 6, params: { servers: 5 }, until: 2000 })
    expect(nodesWith(noted(r.trace, RAFT_APPLY))).toEqual([0, 1, 2, 3, 4])
    expect(nodesWith(noted(r.trace, KV_INVOKE))).toEqual([5])
  })

  it('reports bad parameters in one line', () => {
    const run = (input: Partial<ScenarioInput>) => () =>
      runScenario(ScenarioSchema.parse({ algorithm: 'raft', nodes: 5, ...input }))
    expect(run({ params: { servers: 9 } })).toThrow(
      new InputError('params.servers: 9 servers, but the scenario has 5 nodes'),
    )
    expect(run({ params: { electionMinMs: 300, electionMaxMs: 200 } })).toThrow(InputError)
    expect(run({ params: { heartbeatMs: 200 } })).toThrow(
      /^params.heartbeatMs: must be below electionMinMs/,
    )
    expect(run({ commands: [{ at: 1, node: 3, command: { op: 'put', key: 'x' } }] })).toThrow(
      InputError,
    )
  })

  it('runs a group of one server: it elects itself and commits alone', () => {
    const r = simulate({ algorithm: 'raft', nodes: 2, params: { servers: 1 }, until: 2000 })
    expect(r.verdicts.filter((v) => !v.ok)).toEqual([])
    expect(noted(r.trace, RAFT_APPLY, 0).length).toBeGreaterThan(3)
  })

  it('rebuilds a recovered server: its log survives, and it applies it again from index 1', () => {
    const r = simulate({
      algorithm: 'raft',
      nodes: 5,
      seed: 2,
      until: 4000,
      faults: [
        { at: 1500, crash: 1 },
        { at: 2500, recover: 1 },
      ],
    })
    expect(r.verdicts.filter((v) => !v.ok)).toEqual([])
    const applies = noted(r.trace, RAFT_APPLY, 1).flatMap((e) =>
      notesOf<ApplyNote>(e, RAFT_APPLY).map((n) => ({ ...n, time: e.time as number })),
    )
    const before = applies.filter((a) => a.time < 1500)
    const after = applies.filter((a) => a.time > 2500)
    expect(before.length).toBeGreaterThan(3)
    expect(after[0].index).toBe(1)
    expect(after.slice(0, before.length)).toEqual(
      before.map((a, k) => ({ ...a, time: after[k].time })),
    )
  })
})
