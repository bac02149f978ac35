// The Chandy-Lamport snapshot, over a small bank that gives it something to
// record: each node starts with `balance` and transfers money to its peers.
// Rules (course notes): the initiator records its own state, then sends a
// marker on each outgoing channel. A process receiving a marker on channel c:
// if it has not recorded its state yet, it records it, records c as empty,
// sends a marker on each outgoing channel and starts recording every other
// incoming channel; otherwise it stops recording c, whose state is the messages
// it received on c since it recorded its own state. A process is done when a
// marker has arrived on every incoming channel. Any process may initiate; each
// snapshot has its own id and markers, so several can run at once.
// Assumptions: reliable FIFO channels (no loss, no duplication, no
// reordering: a marker separates what was sent before the sender's cut from what
// was sent after), no crashes.
// Guarantees: the recorded local states and channel states form a consistent
// global state; here, one in which no money is created or lost.
import { z } from 'zod'
import { defineAlgorithm, type Context, type NodeId } from '../../core/process'
import {
  BANK_OPEN,
  BANK_REFUSED,
  SNAPSHOT_CHANNEL,
  SNAPSHOT_DONE,
  SNAPSHOT_LOCAL,
  snapshotId,
  type BankMessage,
  type BankOpenNote,
  type SnapshotChannelNote,
  type SnapshotDoneNote,
  type SnapshotId,
  type SnapshotLocalNote,
  type Transfer,
} from './notes'

const ParamsSchema = z
  .object({
    /** Every node's opening balance. */
    balance: z.number().int().nonnegative().default(100),
  })
  .strict()
type Params = z.infer<typeof ParamsSchema>

const node = z.number().int().nonnegative()

const CommandSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('transfer'), to: node, amount: z.number().int().positive() }).strict(),
  z.object({ kind: z.literal('snapshot') }).strict(),
])
type Command = z.infer<typeof CommandSchema>

/** The largest amount the random workload transfers. */
const MAX_RANDOM_AMOUNT = 20
/** The share of random commands that start a snapshot. */
const RANDOM_SNAPSHOT_SHARE = 0.05

type Recording = {
  /** Incoming channels still being recorded (no marker from them yet). */
  open: Set<NodeId>
  /** Messages received on each open channel since the local state was recorded. */
  channels: Map<NodeId, Transfer[]>
}

type State = {
  balance: number
  transfers: number
  initiated: number
  snapshots: Map<SnapshotId, Recording>
}

type Ctx = Context<BankMessage>

function recordLocal(s: State, id: SnapshotId, ctx: Ctx): Recording {
  ctx.annotate(SNAPSHOT_LOCAL, {
    snapshot: id,
    state: { balance: s.balance },
  } satisfies SnapshotLocalNote)
  const rec: Recording = {
    open: new Set(ctx.peers),
    channels: new Map(ctx.peers.map((p) => [p, []])),
  }
  s.snapshots.set(id, rec)
  if (ctx.peers.length > 0) ctx.broadcast({ kind: 'marker', snapshot: id })
  else ctx.annotate(SNAPSHOT_DONE, { snapshot: id } satisfies SnapshotDoneNote)
  return rec
}

function closeChannel(id: SnapshotId, rec: Recording, from: NodeId, ctx: Ctx): void {
  rec.open.delete(from)
  const messages = [...(rec.channels.get(from) ?? [])]
  ctx.annotate(SNAPSHOT_CHANNEL, { snapshot: id, from, messages } satisfies SnapshotChannelNote)
  if (rec.open.size === 0) ctx.annotate(SNAPSHOT_DONE, { snapshot: id } satisfies SnapshotDoneNote)
}

export const chandyLamport = defineAlgorithm<State, BankMessage, Command, Params>({
  name: 'chandy-lamport',
  family: 'snapshot',
  summary: 'Chandy-Lamport snapshot of a bank: markers on FIFO channels record a consistent cut',
  params: ParamsSchema,
  commands: CommandSchema,
  init: (_ctx, params) => ({
    balance: params.balance,
    transfers: 0,
    initiated: 0,
    snapshots: new Map(),
  }),
  onStart(s, ctx) {
    ctx.annotate(BANK_OPEN, { balance: s.balance } satisfies BankOpenNote)
  },
  onCommand(s, cmd, ctx) {
    if (cmd.kind === 'snapshot') {
      s.initiated += 1
      recordLocal(s, snapshotId(ctx.self, s.initiated), ctx)
      return
    }
    if (cmd.amount > s.balance || !ctx.peers.includes(cmd.to))
      return ctx.annotate(BANK_REFUSED, { to: cmd.to, amount: cmd.amount, balance: s.balance })
    s.balance -= cmd.amount
    s.transfers += 1
    ctx.send(cmd.to, { kind: 'transfer', seq: s.transfers, amount: cmd.amount })
  },
  onMessage(s, from, m, ctx) {
    if (m.kind === 'transfer') {
      s.balance += m.amount
      for (const rec of s.snapshots.values())
        if (rec.open.has(from)) rec.channels.get(from)?.push(m)
      return
    }
    const rec = s.snapshots.get(m.snapshot) ?? recordLocal(s, m.snapshot, ctx)
    closeChannel(m.snapshot, rec, from, ctx)
  },
  randomCommand(w) {
    if (w.peers.length === 0 || w.random() < RANDOM_SNAPSHOT_SHARE) return { kind: 'snapshot' }
    const to = w.peers[Math.floor(w.random() * w.peers.length)]
    return { kind: 'transfer', to, amount: 1 + Math.floor(w.random() * MAX_RANDOM_AMOUNT) }
  },
})
