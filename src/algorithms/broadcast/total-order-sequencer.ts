// Totally ordered broadcast with a fixed sequencer. Rules (course notes): to
// broadcast m, send m to all (the sequencer included) and keep it in the own
// hold-back queue. The sequencer gives each message it receives the next global
// sequence number S and sends order(m, S) to all. Every process delivers in
// sequence-number order: m with number S once it holds both m and order(m, S)
// and has delivered everything numbered below S.
// Assumptions: reliable links (no loss, no duplication; any order); the
// sequencer (node `sequencer`, 0 by default) never crashes; other processes may
// crash (stop).
// Guarantees: integrity, agreement, total order. Not FIFO: the sequencer numbers
// messages as they reach it, so over a non-FIFO link two messages from one origin
// can be numbered, and delivered everywhere, in the reverse of their send order.
// The member rules here are shared with fifo-total-order, which only changes
// when the sequencer numbers a message.
import { z } from 'zod'
import type { JsonValue } from '../../core/json'
import { defineAlgorithm, type Context, type NodeId } from '../../core/process'
import { messageId, noteBcast, noteDeliver, noteHold, type MessageId } from './notes'
import { BroadcastCommandSchema, randomBroadcast, type BroadcastCommand } from './workload'

export type SeqData = { kind: 'data'; origin: NodeId; seq: number; value: JsonValue }
export type SeqOrder = { kind: 'order'; origin: NodeId; seq: number; sn: number }
export type SeqMessage = SeqData | SeqOrder

export const SequencerParamsSchema = z
  .object({ sequencer: z.number().int().nonnegative().default(0) })
  .strict()
export type SequencerParams = z.infer<typeof SequencerParamsSchema>

export interface SequencerState {
  readonly sequencer: NodeId
  sent: number
  /** The sequence number to deliver next. */
  next: number
  /** Sequencer only: the next number to give out. */
  numbered: number
  /** Hold-back queue: messages received and not delivered yet. */
  readonly held: Map<MessageId, SeqData>
  /** Sequence numbers announced by the sequencer, to the message they name. */
  readonly order: Map<number, MessageId>
}

export function sequencerState(params: SequencerParams): SequencerState {
  return {
    sequencer: params.sequencer,
    sent: 0,
    next: 0,
    numbered: 0,
    held: new Map(),
    order: new Map(),
  }
}

/** Broadcast: send m to all and hand it to `accept` as if it had arrived. */
export function sendData(
  s: SequencerState,
  cmd: BroadcastCommand,
  ctx: Context<SeqMessage>,
): SeqData {
  s.sent += 1
  noteBcast(ctx, ctx.self, s.sent)
  const d: SeqData = { kind: 'data', origin: ctx.self, seq: s.sent, value: cmd.value ?? null }
  ctx.broadcast(d)
  return d
}

/** The sequencer gives `d` the next number and announces it to all. */
export function assignNumber(s: SequencerState, d: SeqData, ctx: Context<SeqMessage>): void {
  const sn = s.numbered++
  s.order.set(sn, messageId(d.origin, d.seq))
  ctx.broadcast({ kind: 'order', origin: d.origin, seq: d.seq, sn })
}

/** Delivers in sequence-number order while the next message and its number are both here. */
export function deliverInOrder(s: SequencerState, ctx: Context<SeqMessage>): void {
  for (;;) {
    const id = s.order.get(s.next)
    const d = id === undefined ? undefined : s.held.get(id)
    if (d === undefined) return
    s.held.delete(id as MessageId)
    s.order.delete(s.next)
    s.next += 1
    noteDeliver(ctx, d.origin, d.seq)
  }
}

/** Puts a message in the hold-back queue, then delivers what is ready; notes it if it must wait. */
export function holdBack(
  s: SequencerState,
  d: SeqData,
  ctx: Context<SeqMessage>,
  sequence: (d: SeqData) => void,
): void {
  const id = messageId(d.origin, d.seq)
  s.held.set(id, d)
  if (ctx.self === s.sequencer) sequence(d)
  deliverInOrder(s, ctx)
  if (s.held.has(id)) noteHold(ctx, d.origin, d.seq)
}

/**
 * A process's receive: a data message goes to the hold-back queue (numbered by
 * `sequence` at the sequencer), an order message's number is recorded; then
 * whatever has become deliverable is delivered.
 */
export function receiveSequenced(
  s: SequencerState,
  m: SeqMessage,
  ctx: Context<SeqMessage>,
  sequence: (d: SeqData) => void,
): void {
  if (m.kind === 'data') return holdBack(s, m, ctx, sequence)
  s.order.set(m.sn, messageId(m.origin, m.seq))
  deliverInOrder(s, ctx)
}

export const totalOrderSequencer = defineAlgorithm<
  SequencerState,
  SeqMessage,
  BroadcastCommand,
  SequencerParams
>({
  name: 'total-order-sequencer',
  family: 'broadcast',
  summary: 'Totally ordered broadcast: a fixed sequencer numbers messages, all deliver by number',
  params: SequencerParamsSchema,
  commands: BroadcastCommandSchema,
  init: (_ctx, params) => sequencerState(params),
  onCommand(s, cmd, ctx) {
    holdBack(s, sendData(s, cmd, ctx), ctx, (d) => assignNumber(s, d, ctx))
  },
  onMessage(s, _from, m, ctx) {
    receiveSequenced(s, m, ctx, (d) => assignNumber(s, d, ctx))
  },
  randomCommand: randomBroadcast,
})
