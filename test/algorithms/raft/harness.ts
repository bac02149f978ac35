// Drives one Raft node by hand, without the simulator: a context that records
// what the node sends, which timers it arms and what it notes, so a test can
// feed it one message and check the rule of Figure 2 it follows.
import { raft } from '../../../src/algorithms/raft/raft'
import type { RaftState } from '../../../src/algorithms/raft/state'
import {
  RaftParamsSchema,
  type Ctx,
  type Entry,
  type KvOp,
  type RaftMsg,
  type RaftStable,
} from '../../../src/algorithms/raft/types'
import type { JsonValue } from '../../../src/core/json'
import type { NodeId } from '../../../src/core/process'

export interface Node {
  state: RaftState
  ctx: Ctx
  stable: RaftStable
  sent: { to: NodeId; msg: RaftMsg }[]
  timers: Map<string, number>
  notes: { kind: string; data?: JsonValue }[]
  /** Delivers a message and returns what the node sent in response. */
  receive(from: NodeId, msg: RaftMsg): { to: NodeId; msg: RaftMsg }[]
  fire(timer: string): { to: NodeId; msg: RaftMsg }[]
  command(op: KvOp): { to: NodeId; msg: RaftMsg }[]
}

export function node(
  self: NodeId,
  options: {
    nodes?: number
    servers?: number
    term?: number
    votedFor?: NodeId | null
    log?: Entry[]
  } = {},
): Node {
  const nodeCount = options.nodes ?? 5
  const stable: RaftStable = {
    raft: {
      currentTerm: options.term ?? 0,
      votedFor: options.votedFor ?? null,
      log: [...(options.log ?? [])],
    },
    client: { seq: 0 },
  }
  const sent: Node['sent'] = []
  const timers = new Map<string, number>()
  const notes: Node['notes'] = []
  const ctx: Ctx = {
    self,
    peers: Array.from({ length: nodeCount }, (_, k) => k).filter((k) => k !== self),
    nodeCount,
    incarnation: 0,
    stable,
    clock: {
      step: () => {},
      slew: () => {},
      adjustFrequency: () => {},
      reference: () => undefined,
    },
    now: () => 0,
    random: () => 0.5,
    send: (to, msg) => void sent.push({ to, msg }),
    broadcast: () => {
      throw new Error('raft never broadcasts to clients')
    },
    setTimer: (name, ms) => void timers.set(name, ms),
    cancelTimer: (name) => void timers.delete(name),
    annotate: (kind, data) => void notes.push({ kind, data }),
  }
  const params = RaftParamsSchema.parse(options.servers ? { servers: options.servers } : {})
  const state = raft.init(ctx, params)
  const step = (run: () => void) => {
    const before = sent.length
    run()
    return sent.slice(before)
  }
  return {
    state,
    ctx,
    stable,
    sent,
    timers,
    notes,
    receive: (from, msg) => step(() => raft.onMessage?.(state, from, msg, ctx)),
    fire: (timer) => step(() => raft.onTimer?.(state, timer, ctx)),
    command: (op) => step(() => raft.onCommand?.(state, op, ctx)),
  }
}

export const entry = (term: number, seq = term, client = 4): Entry => ({
  term,
  command: { client, seq, op: { op: 'put', key: 'x', value: seq } },
})
