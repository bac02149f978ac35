// FIFO total order broadcast: the sequencer algorithm (total-order-sequencer)
// with one more rule at the sequencer. Rules (course notes): each origin numbers
// its broadcasts 1, 2, 3, ...; the sequencer keeps, per origin, the number it
// expects next and gives a global sequence number to a message only when it is
// that origin's next one, holding later ones back until their predecessors have
// been numbered. Members deliver in global sequence-number order, as before.
// Why it is FIFO: the global numbers of one origin's messages increase with the
// origin's own numbers, and every process delivers by global number with no
// gaps, so each origin's messages are delivered in the order it sent them.
// Assumptions: reliable links (no loss, no duplication; any order); the
// sequencer (node `sequencer`, 0 by default) never crashes; other processes may
// crash (stop).
// Guarantees: integrity, agreement, total order and FIFO order. Not causal: a
// message broadcast after delivering another can still reach the sequencer, and
// be numbered, first.
import { defineAlgorithm, type Context } from '../../core/process'
import { messageId, type MessageId } from './notes'
import {
  SequencerParamsSchema,
  assignNumber,
  holdBack,
  receiveSequenced,
  sendData,
  sequencerState,
  type SeqData,
  type SeqMessage,
  type SequencerParams,
  type SequencerState,
} from './total-order-sequencer'
import { BroadcastCommandSchema, randomBroadcast, type BroadcastCommand } from './workload'

type State = SequencerState & {
  /** Sequencer only: per origin, the origin's number to give a global number next. */
  expected: number[]
  /** Sequencer only: messages that arrived before their origin's earlier ones. */
  early: Map<MessageId, SeqData>
}

/** The sequencer's FIFO rule: number `d` only in its origin's order, then any successors waiting. */
function sequenceInFifoOrder(s: State, d: SeqData, ctx: Context<SeqMessage>): void {
  if (d.seq !== s.expected[d.origin]) {
    s.early.set(messageId(d.origin, d.seq), d)
    return
  }
  for (let next: SeqData | undefined = d; next !== undefined;) {
    assignNumber(s, next, ctx)
    s.expected[next.origin] = next.seq + 1
    const id = messageId(next.origin, next.seq + 1)
    next = s.early.get(id)
    s.early.delete(id)
  }
}

export const fifoTotalOrder = defineAlgorithm<State, SeqMessage, BroadcastCommand, SequencerParams>(
  {
    name: 'fifo-total-order',
    family: 'broadcast',
    summary:
      "FIFO total order broadcast: the sequencer numbers each origin's messages in its order",
    params: SequencerParamsSchema,
    commands: BroadcastCommandSchema,
    init: (ctx, params) => ({
      ...sequencerState(params),
      expected: new Array<number>(ctx.nodeCount).fill(1),
      early: new Map(),
    }),
    onCommand(s, cmd, ctx) {
      holdBack(s, sendData(s, cmd, ctx), ctx, (d) => sequenceInFifoOrder(s, d, ctx))
    },
    onMessage(s, _from, m, ctx) {
      receiveSequenced(s, m, ctx, (d) => sequenceInFifoOrder(s, d, ctx))
    },
    randomCommand: randomBroadcast,
  },
)
