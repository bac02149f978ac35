// A key-value client, modelled inside the simulation. It runs one request at a
// time: operations given to it (scenario commands, the random workload) queue up.
// Each request carries the client's id (its node id) and a request number kept
// in stable storage, so a client never reuses one, even after a crash. It sends
// the request to the server it believes leads; a server that does not lead names
// the leader it knows, and the client goes there at once; with no name it tries
// the next server a heartbeat later (an election may be under way); with no reply
// within clientTimeoutMs it retries the same request with the next server.
// It notes each invocation and each response (kv.invoke, kv.return): the history
// the linearizability checker judges. A request in flight when the client
// crashes never returns.
import type { NodeId } from '../../core/process'
import { KV_INVOKE, KV_RETURN, type InvokeNote, type ReturnNote } from './notes'
import { CLIENT_TIMER, type ClientState } from './state'
import type { Ctx, KvOp, RaftMsg } from './types'

export function clientCommand(s: ClientState, op: KvOp, ctx: Ctx): void {
  s.queue.push(op)
  if (s.pending === null) issueNext(s, ctx)
}

function issueNext(s: ClientState, ctx: Ctx): void {
  const op = s.queue.shift()
  if (op === undefined) return
  const seq = ++ctx.stable.client.seq
  s.pending = { seq, op }
  ctx.annotate(KV_INVOKE, { client: ctx.self, seq, op } satisfies InvokeNote)
  transmit(s, ctx)
}

function transmit(s: ClientState, ctx: Ctx): void {
  const { seq, op } = s.pending as { seq: number; op: KvOp }
  ctx.send(s.target, { type: 'ClientRequest', seq, op })
  ctx.setTimer(CLIENT_TIMER, s.params.clientTimeoutMs)
}

export function clientMessage(s: ClientState, from: NodeId, m: RaftMsg, ctx: Ctx): void {
  if (m.type !== 'ClientReply' || m.seq !== s.pending?.seq) return
  if (m.ok) {
    ctx.annotate(KV_RETURN, { client: ctx.self, seq: m.seq, result: m.result } satisfies ReturnNote)
    ctx.cancelTimer(CLIENT_TIMER)
    s.pending = null
    return issueNext(s, ctx)
  }
  // A redirect counts only from the server asked last (not a late one from an earlier).
  if (from !== s.target) return
  if (m.leader === null) return ctx.setTimer(CLIENT_TIMER, s.params.heartbeatMs)
  if (m.leader !== s.target) {
    s.target = m.leader
    transmit(s, ctx)
  }
}

export function clientTimer(s: ClientState, name: string, ctx: Ctx): void {
  if (name !== CLIENT_TIMER || s.pending === null) return
  s.target = (s.target + 1) % s.servers
  transmit(s, ctx)
}
