// Reliable broadcast over fair-loss links: the eager algorithm. Rules (course
// notes): to broadcast m, deliver it and send it to all. On receiving m for the
// first time, send it to all (relay), then deliver it; later copies are dropped
// by id. Because links lose messages, each copy is resent every `retransmitMs`
// until its receiver acknowledges it, and every copy received is acknowledged.
// If a correct process delivers m, it relayed m and resends it to each process
// until acked, so every correct process delivers m, even when the origin crashed
// right after sending.
// Assumptions: fair-loss links (loss, duplication, any order), crash-stop
// processes (any number may crash; a recovered node is outside the model).
// Guarantees: integrity (no duplicates, no creation), agreement and validity.
// The layer (rbBroadcast, rbReceive, rbOnTimer) is what the FIFO and causal
// broadcasts build on.
import { z } from 'zod'
import type { JsonValue } from '../../core/json'
import { defineAlgorithm, type Context, type NodeId } from '../../core/process'
import { messageId, noteBcast, noteDeliver, type MessageId } from './notes'
import { BroadcastCommandSchema, randomBroadcast, type BroadcastCommand } from './workload'

export type RbData = { kind: 'data'; origin: NodeId; seq: number; value: JsonValue }
export type RbAck = { kind: 'ack'; origin: NodeId; seq: number }

export const ReliableParamsSchema = z
  .object({
    /** Local ms between two sends of a copy not yet acknowledged. */
    retransmitMs: z.number().positive().default(50),
  })
  .strict()
export type ReliableParams = z.infer<typeof ReliableParamsSchema>

/** Each message this node sends or relays has its own timer, named after its id. */
const RETRANSMIT = 'retransmit '

export interface ReliableLayer<D extends RbData> {
  readonly retransmitMs: number
  /** Ids delivered so far: later copies are duplicates. */
  readonly delivered: Set<MessageId>
  /** Messages this node sent or relayed, with the peers that have not acked them yet. */
  readonly unacked: Map<MessageId, { data: D; waiting: Set<NodeId> }>
}

export function reliableLayer<D extends RbData>(params: ReliableParams): ReliableLayer<D> {
  return { retransmitMs: params.retransmitMs, delivered: new Set(), unacked: new Map() }
}

/**
 * rb-broadcast of this node's own message `d`: notes its `bcast`, and the layer
 * sends it to all until acked. The caller delivers `d` at once.
 */
export function rbBroadcast<D extends RbData>(
  r: ReliableLayer<D>,
  d: D,
  ctx: Context<D | RbAck>,
): void {
  noteBcast(ctx, d.origin, d.seq)
  r.delivered.add(messageId(d.origin, d.seq))
  sendToAll(r, d, ctx)
}

/** Handles a message of the layer; returns the data the first time it arrives (relayed: deliver it). */
export function rbReceive<D extends RbData>(
  r: ReliableLayer<D>,
  from: NodeId,
  m: D | RbAck,
  ctx: Context<D | RbAck>,
): D | undefined {
  const id = messageId(m.origin, m.seq)
  if (m.kind === 'ack') {
    const entry = r.unacked.get(id)
    entry?.waiting.delete(from)
    if (entry?.waiting.size === 0) {
      r.unacked.delete(id)
      ctx.cancelTimer(RETRANSMIT + id)
    }
    return undefined
  }
  ctx.send(from, { kind: 'ack', origin: m.origin, seq: m.seq })
  if (r.delivered.has(id)) return undefined
  r.delivered.add(id)
  sendToAll(r, m, ctx)
  return m
}

/** On a message's retransmission timer: send it again to every peer that has not acked it. */
export function rbOnTimer<D extends RbData>(
  r: ReliableLayer<D>,
  name: string,
  ctx: Context<D | RbAck>,
): void {
  const entry = name.startsWith(RETRANSMIT)
    ? r.unacked.get(name.slice(RETRANSMIT.length))
    : undefined
  if (entry === undefined) return
  for (const p of entry.waiting) ctx.send(p, entry.data)
  ctx.setTimer(name, r.retransmitMs)
}

function sendToAll<D extends RbData>(r: ReliableLayer<D>, d: D, ctx: Context<D | RbAck>): void {
  if (ctx.peers.length === 0) return
  const id = messageId(d.origin, d.seq)
  ctx.broadcast(d)
  r.unacked.set(id, { data: d, waiting: new Set(ctx.peers) })
  ctx.setTimer(RETRANSMIT + id, r.retransmitMs)
}

type State = { rb: ReliableLayer<RbData>; sent: number }

export const reliableBroadcast = defineAlgorithm<
  State,
  RbData | RbAck,
  BroadcastCommand,
  ReliableParams
>({
  name: 'reliable-broadcast',
  family: 'broadcast',
  summary: 'Eager reliable broadcast: relay on first receipt, resend until acked, drop duplicates',
  params: ReliableParamsSchema,
  commands: BroadcastCommandSchema,
  init: (_ctx, params) => ({ rb: reliableLayer(params), sent: 0 }),
  onCommand(s, cmd, ctx) {
    s.sent += 1
    rbBroadcast(
      s.rb,
      { kind: 'data', origin: ctx.self, seq: s.sent, value: cmd.value ?? null },
      ctx,
    )
    noteDeliver(ctx, ctx.self, s.sent)
  },
  onMessage(s, from, m, ctx) {
    const d = rbReceive(s.rb, from, m, ctx)
    if (d !== undefined) noteDeliver(ctx, d.origin, d.seq)
  },
  onTimer(s, name, ctx) {
    rbOnTimer(s.rb, name, ctx)
  },
  randomCommand: randomBroadcast,
})
