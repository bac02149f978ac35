// Consistency of the Chandy-Lamport snapshots, computed from the trace itself.
// Each node's cut for snapshot S is the event carrying its `snapshot.local`
// note: transfers it sent or received before that event are inside the cut.
// Checked online, for every snapshot:
// - at a node's cut: its recorded balance is its real balance there (opening
//   balance - transfers sent + transfers received before the cut), and it has
//   received nothing from a node whose cut came earlier that was sent after that
//   cut (no message recorded as received but not as sent);
// - when a node closes a channel: the recorded messages are exactly the
//   transfers in flight across the cut (sent before the sender's cut, received
//   after the receiver's);
// - when the last node is done: recorded balances plus recorded in-channel
//   amounts equal the bank's money (the sum of the opening balances).
import { isProcessEvent, type ProcessEvent, notesOf } from '../../core/trace'
import type { NodeId } from '../../core/process'
import {
  BANK_OPEN,
  SNAPSHOT_CHANNEL,
  SNAPSHOT_DONE,
  SNAPSHOT_LOCAL,
  type BankOpenNote,
  type SnapshotChannelNote,
  type SnapshotDoneNote,
  type SnapshotId,
  type SnapshotLocalNote,
  type Transfer,
} from '../../algorithms/snapshot/notes'
import type { Checker, CheckerSpec, Violation } from '../checker'

const name = 'snapshot-consistency'

/** One transfer as the trace shows it: sent at event `sentAt`, received at `receivedAt`. */
type Flight = {
  from: NodeId
  to: NodeId
  seq: number
  amount: number
  sentAt: number
  receivedAt?: number
}

type Snapshot = {
  /** Each node's cut: the position of its `snapshot.local` event. */
  cut: Map<NodeId, number>
  recordedBalance: number
  recordedInFlight: number
  done: Set<NodeId>
}

function isTransfer(payload: unknown): payload is Transfer {
  return (payload as { kind?: unknown } | null)?.kind === 'transfer'
}

export const snapshotConsistencyChecker: CheckerSpec = {
  name,
  description:
    'Each snapshot is a consistent cut: recorded states and channels match the trace, and no money is created or lost',
  appliesTo: (meta) => meta.algorithm === 'chandy-lamport',
  create(meta): Checker {
    const node = (k: NodeId) => meta.nodes[k] ?? `n${k}`
    const n = meta.nodes.length
    let money = 0
    const balance = new Array<number>(n).fill(0)
    /** Transfers by send position, and per channel [from][to] in send order. */
    const bySend = new Map<number, Flight>()
    const channel: Flight[][][] = Array.from({ length: n }, () =>
      Array.from({ length: n }, () => []),
    )
    const snapshots = new Map<SnapshotId, Snapshot>()
    const snapshot = (id: SnapshotId): Snapshot => {
      let s = snapshots.get(id)
      if (s === undefined)
        snapshots.set(
          id,
          (s = { cut: new Map(), recordedBalance: 0, recordedInFlight: 0, done: new Set() }),
        )
      return s
    }

    function atCut(e: ProcessEvent, note: SnapshotLocalNote, bad: (m: string) => void): void {
      const s = snapshot(note.snapshot)
      s.cut.set(e.node, e.i)
      s.recordedBalance += note.state.balance
      if (note.state.balance !== balance[e.node])
        bad(
          `${node(e.node)} recorded balance ${note.state.balance} for ${note.snapshot}, but had ${balance[e.node]}`,
        )
      for (const [from, cutFrom] of s.cut)
        for (const f of channel[from][e.node])
          if (f.receivedAt !== undefined && f.sentAt > cutFrom)
            bad(
              `${node(e.node)} recorded its state for ${note.snapshot} after receiving transfer ${f.seq} from ${node(from)}, which ${node(from)} sent after its own cut`,
            )
    }

    function atChannel(e: ProcessEvent, note: SnapshotChannelNote, bad: (m: string) => void): void {
      const s = snapshot(note.snapshot)
      const cutFrom = s.cut.get(note.from)
      const cutHere = s.cut.get(e.node)
      s.recordedInFlight += note.messages.reduce((sum, m) => sum + m.amount, 0)
      if (cutFrom === undefined || cutHere === undefined)
        return bad(
          `${node(e.node)} closed the channel from ${node(note.from)} for ${note.snapshot} before both recorded their states`,
        )
      const expected = channel[note.from][e.node]
        .filter((f) => f.sentAt < cutFrom && (f.receivedAt === undefined || f.receivedAt > cutHere))
        .map((f) => f.seq)
      const recorded = note.messages.map((m) => m.seq)
      const missing = expected.filter((seq) => !recorded.includes(seq))
      const extra = recorded.filter((seq) => !expected.includes(seq))
      if (missing.length > 0 || extra.length > 0)
        bad(
          `${node(e.node)} recorded the channel from ${node(note.from)} for ${note.snapshot} as [${recorded.join(', ')}] (transfer seqs), but [${expected.join(', ')}] were in flight across the cut`,
        )
    }

    function atDone(e: ProcessEvent, note: SnapshotDoneNote, bad: (m: string) => void): void {
      const s = snapshot(note.snapshot)
      s.done.add(e.node)
      if (s.done.size < n) return
      const total = s.recordedBalance + s.recordedInFlight
      if (total !== money)
        bad(
          `snapshot ${note.snapshot} records ${s.recordedBalance} in balances + ${s.recordedInFlight} in channels = ${total}, but the bank holds ${money}`,
        )
    }

    return {
      onEvent(e) {
        if (!isProcessEvent(e)) return undefined
        const out: Violation[] = []
        const bad = (message: string) => void out.push({ checker: name, at: e.i, message })
        if (e.kind === 'send' && isTransfer(e.payload)) {
          for (const to of e.to) {
            const f: Flight = {
              from: e.node,
              to,
              seq: e.payload.seq,
              amount: e.payload.amount,
              sentAt: e.i,
            }
            bySend.set(e.i, f)
            channel[e.node][to].push(f)
          }
          balance[e.node] -= e.payload.amount * e.to.length
        }
        if (e.kind === 'receive' && isTransfer(e.payload)) {
          const f = bySend.get(e.cause)
          if (f !== undefined) f.receivedAt ??= e.i
          balance[e.node] += e.payload.amount
        }
        for (const open of notesOf<BankOpenNote>(e, BANK_OPEN)) {
          money += open.balance
          balance[e.node] += open.balance
        }
        for (const note of notesOf<SnapshotLocalNote>(e, SNAPSHOT_LOCAL)) atCut(e, note, bad)
        for (const note of notesOf<SnapshotChannelNote>(e, SNAPSHOT_CHANNEL))
          atChannel(e, note, bad)
        for (const note of notesOf<SnapshotDoneNote>(e, SNAPSHOT_DONE)) atDone(e, note, bad)
        return out.length > 0 ? out : undefined
      },
      finish: () => [],
    }
  },
}
