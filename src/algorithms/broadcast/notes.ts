// The vocabulary the broadcast algorithms share with their checkers and views:
// message ids, the annotation kinds a broadcast run leaves in the trace and
// their data. Every broadcast algorithm notes `bcast` on the command event that
// broadcasts a message and `deliver` on each event where it hands a message to
// the application, the origin's own copy included.
import type { Context, NodeId } from '../../core/process'

/** A broadcast message's id: its origin and the origin's sequence number (from 1), "origin:seq". */
export type MessageId = string

export function messageId(origin: NodeId, seq: number): MessageId {
  return `${origin}:${seq}`
}

/** On the command event that broadcasts a message. */
export const BCAST = 'bcast'
export type BcastNote = { id: MessageId }

/** On each event where the algorithm delivers a message to the application. */
export const DELIVER = 'deliver'
export type DeliverNote = { id: MessageId; origin: NodeId }

/** On the event where a message arrives but must wait in the hold-back queue. */
export const HOLD = 'hold'
export type HoldNote = { id: MessageId; origin: NodeId }

type Annotator = Pick<Context<unknown, unknown>, 'annotate'>

export function noteBcast(ctx: Annotator, origin: NodeId, seq: number): void {
  ctx.annotate(BCAST, { id: messageId(origin, seq) } satisfies BcastNote)
}

export function noteDeliver(ctx: Annotator, origin: NodeId, seq: number): void {
  ctx.annotate(DELIVER, { id: messageId(origin, seq), origin } satisfies DeliverNote)
}

export function noteHold(ctx: Annotator, origin: NodeId, seq: number): void {
  ctx.annotate(HOLD, { id: messageId(origin, seq), origin } satisfies HoldNote)
}
