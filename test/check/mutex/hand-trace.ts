// Builds small hand-made traces for the mutex checkers: process events with
// notes, sends and receives, crashes and drops, at chosen true times.
import type { JsonValue } from '../../../src/core/json'
import type { NodeId } from '../../../src/core/process'
import type { ProcessEvent, TraceEvent, TraceMeta } from '../../../src/core/trace'

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never
type Body = DistributiveOmit<ProcessEvent, 'i' | 'seq' | 'lamport' | 'local'>

export function hand(nodes = 3) {
  const events: TraceEvent[] = []
  const seq = new Array<number>(nodes).fill(0)
  let clock = 0
  let msg = 0
  const push = (e: Body): number => {
    const i = events.length
    const full = { ...e, i, seq: seq[e.node]++, lamport: 0, local: e.time ?? 0 } as ProcessEvent
    events.push(full)
    return i
  }
  return {
    events,
    meta: (algorithm: string): TraceMeta => ({
      source: 'sim',
      algorithm,
      params: {},
      nodes: Array.from({ length: nodes }, (_, k) => `n${k}`),
      vectorTime: false,
    }),
    /** Moves true time on to `t` for the events that follow. */
    at(t: number) {
      clock = t
    },
    /** An input event on `node` carrying the given note kinds; returns its position. */
    event(node: NodeId, kind: 'command' | 'timer' | 'crash', notes: string[] = []): number {
      const extra =
        kind === 'command'
          ? { command: { kind: 'request' } }
          : kind === 'timer'
            ? { timer: 'x' }
            : {}
      return push({
        node,
        kind,
        time: clock,
        ...extra,
        ...(notes.length > 0 ? { notes: notes.map((k) => ({ kind: k })) } : {}),
      } as Body)
    },
    /** A send from `node` to `to`; returns its message id and position. */
    send(node: NodeId, to: NodeId[], payload: JsonValue = { type: 'request' }) {
      const m = msg++
      const i = push({ node, kind: 'send', msg: m, to, payload, time: clock })
      return { msg: m, i }
    },
    /** The delivery of message `m` (sent at event `cause` by `from`) to `node`, with notes. */
    receive(node: NodeId, sent: { msg: number; i: number }, from: NodeId, notes: string[] = []) {
      return push({
        node,
        kind: 'receive',
        msg: sent.msg,
        from,
        cause: sent.i,
        payload: null,
        time: clock,
        ...(notes.length > 0 ? { notes: notes.map((k) => ({ kind: k })) } : {}),
      })
    },
    drop(sent: { msg: number }, from: NodeId, to: NodeId) {
      events.push({
        i: events.length,
        kind: 'drop',
        msg: sent.msg,
        from,
        to,
        reason: 'crashed',
        time: clock,
      })
    },
  }
}
