// Raft metrics read from a trace:
// - failovers: for each crash of the leader of the latest term, the time until a
//   leader of a later term is elected ('raft.leader'), open if none is;
// - commit latency: for each entry a leader appends, the time until that leader
//   commits it ('raft.commit' covering its index, in the same term), in ms and
//   in mean message delays (the mean delay of the messages delivered in the run);
// - client latency: from 'kv.invoke' to 'kv.return', the same two ways;
// - messages per committed command: every message sent in the run (heartbeats,
//   votes, replication, client traffic; one per destination) over the distinct
//   client requests applied by some server.
import {
  KV_INVOKE,
  KV_RETURN,
  RAFT_APPEND,
  RAFT_APPLY,
  RAFT_COMMIT,
  RAFT_LEADER,
  type AppendNote,
  type ApplyNote,
  type CommitNote,
  type InvokeNote,
  type ReturnNote,
  type TermNote,
} from '../../algorithms/raft/notes'
import type { NodeId } from '../../core/process'
import { isProcessEvent, notesOf, timeOf, type Trace } from '../../core/trace'
import { InFlight } from '../../check/detect/in-flight'

export interface Failover {
  /** The crashed leader, its term, and when it crashed. */
  leader: NodeId
  term: number
  crashTime: number
  /** When a leader of a later term was elected, and which; absent if none was. */
  electedAt?: number
  newLeader?: NodeId
  ms?: number
}

export interface RaftMetrics {
  failovers: Failover[]
  /** Leader append to commit, ms, one per entry committed by the leader that appended it. */
  commitMs: number[]
  /** Client call to answer, ms, one per answered request. */
  clientMs: number[]
  /** Mean one-way delay of the delivered messages, ms. */
  meanDelayMs: number
  messages: number
  /** Distinct client requests applied by some server. */
  committedCommands: number
}

export function raftMetrics(trace: Pick<Trace, 'meta' | 'events'>): RaftMetrics {
  const n = trace.meta.nodes.length
  const wire = new InFlight(n)
  let delaySum = 0
  let delivered = 0
  let messages = 0
  /** Each node's term as leader since it last started (0: not a leader). */
  const leading = new Array<number>(n).fill(0)
  let latestLeader: { node: NodeId; term: number } | undefined
  /** Entries each leader appended and has not yet committed: index to append time. */
  const pending = Array.from({ length: n }, () => new Map<number, number>())
  const invoked = new Map<string, number>()
  const applied = new Set<string>()
  const out: RaftMetrics = {
    failovers: [],
    commitMs: [],
    clientMs: [],
    meanDelayMs: NaN,
    messages: 0,
    committedCommands: 0,
  }
  let open: Failover | undefined
  for (const e of trace.events) {
    const delay = wire.observe(e)
    if (delay !== undefined) {
      delaySum += delay
      delivered++
    }
    if (!isProcessEvent(e)) continue
    const t = timeOf(e) ?? 0
    if (e.kind === 'send') messages += e.to.length
    if (e.kind === 'crash' || e.kind === 'recover' || e.kind === 'start') {
      if (e.kind === 'crash' && latestLeader?.node === e.node && leading[e.node] > 0 && !open) {
        open = { leader: e.node, term: latestLeader.term, crashTime: t }
        out.failovers.push(open)
      }
      leading[e.node] = 0
      pending[e.node].clear()
    }
    for (const { term } of notesOf<TermNote>(e, RAFT_LEADER)) {
      leading[e.node] = term
      latestLeader = { node: e.node, term }
      if (open !== undefined && term > open.term) {
        Object.assign(open, { electedAt: t, newLeader: e.node, ms: t - open.crashTime })
        open = undefined
      }
    }
    for (const a of notesOf<AppendNote>(e, RAFT_APPEND))
      if (a.term === leading[e.node]) pending[e.node].set(a.index, t)
    for (const c of notesOf<CommitNote>(e, RAFT_COMMIT)) {
      if (c.currentTerm !== leading[e.node]) continue
      for (const [index, at] of pending[e.node])
        if (index <= c.index) {
          out.commitMs.push(t - at)
          pending[e.node].delete(index)
        }
    }
    for (const { command } of notesOf<ApplyNote>(e, RAFT_APPLY))
      applied.add(`${command.client}:${command.seq}`)
    for (const { client, seq } of notesOf<InvokeNote>(e, KV_INVOKE))
      invoked.set(`${client}:${seq}`, t)
    for (const { client, seq } of notesOf<ReturnNote>(e, KV_RETURN)) {
      const at = invoked.get(`${client}:${seq}`)
      if (at !== undefined) out.clientMs.push(t - at)
    }
  }
  out.meanDelayMs = delivered > 0 ? delaySum / delivered : NaN
  out.messages = messages
  out.committedCommands = applied.size
  return out
}
