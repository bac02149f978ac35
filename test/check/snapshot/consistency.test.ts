// The snapshot-consistency checker against two broken Chandy-Lamport variants.
// In both runs n0 sends n1 30 at t=5 (arriving at 15) and n1 starts a snapshot
// at t=10, so the 30 is in flight across the cut; n1 then sends n0 20 at t=12.
// - One that never records channel messages: n1 records the channel from n0 as
//   empty, flagged where it closes it; the recorded money is 30 short, flagged
//   where the last node is done.
// - One that sends its markers 30 ms after recording: n1's 20, sent after its
//   cut, reaches n0 before the marker, so n0 records a state that received money
//   n1 recorded as not yet sent, flagged at n0's cut.
// The real algorithm passes both runs and its channel state holds the 30.
import { describe, expect, it } from 'vitest'
import { chandyLamport } from '../../../src/algorithms/snapshot/chandy-lamport'
import {
  SNAPSHOT_CHANNEL,
  SNAPSHOT_LOCAL,
  snapshotId,
  type SnapshotChannelNote,
} from '../../../src/algorithms/snapshot/notes'
import type { ScenarioInput } from '../../../src/sim/scenario'
import { simulate, simulateWith, violationsOf } from '../../support/simulate'
import { isProcessEvent, type ProcessEvent, type Trace } from '../../../src/core/trace'

const run: ScenarioInput = {
  algorithm: 'chandy-lamport',
  nodes: 3,
  until: 500,
  workload: false,
  network: { default: { delay: { dist: 'constant', ms: 10 } } },
  commands: [
    { at: 5, node: 0, command: { kind: 'transfer', to: 1, amount: 30 } },
    { at: 10, node: 1, command: { kind: 'snapshot' } },
    { at: 12, node: 1, command: { kind: 'transfer', to: 0, amount: 20 } },
  ],
}

/** Keeps the balance right but records nothing on the channels. */
const recordsNoChannel: typeof chandyLamport = {
  ...chandyLamport,
  onMessage(s, from, m, ctx) {
    if (m.kind === 'transfer') s.balance += m.amount
    else chandyLamport.onMessage?.(s, from, m, ctx)
  },
}

/** The initiator records its state as usual, but its markers leave 30 ms later. */
const lateMarkers: typeof chandyLamport = {
  ...chandyLamport,
  onCommand(s, cmd, ctx) {
    if (cmd.kind !== 'snapshot') return chandyLamport.onCommand?.(s, cmd, ctx)
    s.initiated += 1
    const id = snapshotId(ctx.self, s.initiated)
    ctx.annotate(SNAPSHOT_LOCAL, { snapshot: id, state: { balance: s.balance } })
    s.snapshots.set(id, {
      open: new Set(ctx.peers),
      channels: new Map(ctx.peers.map((p) => [p, []])),
    })
    ctx.setTimer('markers', 30)
  },
  onTimer(s, _name, ctx) {
    for (const id of s.snapshots.keys()) ctx.broadcast({ kind: 'marker', snapshot: id })
  },
}

function noted(trace: Trace, kind: string, node: number): ProcessEvent {
  const e = trace.events.find(
    (x): x is ProcessEvent =>
      isProcessEvent(x) && x.node === node && (x.notes ?? []).some((n) => n.kind === kind),
  )
  if (e === undefined) throw new Error(`no ${kind} at n${node}`)
  return e
}

function channelNote(
  trace: Trace,
  node: number,
  from: number,
): { at: number; note: SnapshotChannelNote } {
  for (const e of trace.events)
    if (isProcessEvent(e) && e.node === node)
      for (const n of e.notes ?? [])
        if (n.kind === SNAPSHOT_CHANNEL && (n.data as SnapshotChannelNote).from === from)
          return { at: e.i, note: n.data as SnapshotChannelNote }
  throw new Error(`no channel ${from}->${node}`)
}

describe('snapshot-consistency', () => {
  it('passes the real algorithm, whose channel state holds the transfer in flight', () => {
    const r = simulate(run)
    expect(r.verdicts.every((v) => v.ok)).toBe(true)
    expect(channelNote(r.trace, 1, 0).note.messages).toEqual([
      { kind: 'transfer', seq: 1, amount: 30 },
    ])
  })

  it('flags a channel recorded without its in-flight transfer, and the money gone missing', () => {
    const r = simulateWith(recordsNoChannel, run)
    const v = violationsOf(r, 'snapshot-consistency')
    expect(v).toHaveLength(2)
    expect(v[0].at).toBe(channelNote(r.trace, 1, 0).at)
    expect(v[0].message).toBe(
      'n1 recorded the channel from n0 for 1:1 as [] (transfer seqs), but [1] were in flight across the cut',
    )
    expect(v[1].message).toBe(
      'snapshot 1:1 records 270 in balances + 0 in channels = 270, but the bank holds 300',
    )
  })

  it('flags a cut where a node received money sent after the sender recorded', () => {
    const r = simulateWith(lateMarkers, run)
    const v = violationsOf(r, 'snapshot-consistency')
    expect(v[0].at).toBe(noted(r.trace, SNAPSHOT_LOCAL, 0).i)
    expect(v[0].message).toBe(
      'n0 recorded its state for 1:1 after receiving transfer 1 from n1, which n1 sent after its own cut',
    )
  })
})
