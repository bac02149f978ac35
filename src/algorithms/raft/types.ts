// Raft's vocabulary: parameters, the key-value commands clients issue, log
// entries, the messages on the wire (the paper's two RPCs, as request and reply
// messages, plus the client protocol), stable storage and volatile state.
// Node ids 0..servers-1 are the Raft group; every node after them is a client.
import { z } from 'zod'
import { InputError } from '../../core/errors'
import type { Context, NodeId } from '../../core/process'

/** Clients added after the servers when the scenario does not say how many servers. */
export const DEFAULT_CLIENTS = 2

export const RaftParamsSchema = z
  .object({
    /** Servers in the Raft group (ids 0..servers-1); default: every node but the last two. */
    servers: z.number().int().positive().optional(),
    /** Election timeout, drawn uniformly from [min, max] ms each time the timer is armed. */
    electionMinMs: z.number().positive().default(150),
    electionMaxMs: z.number().positive().default(300),
    /** How often a leader sends AppendEntries (heartbeats when it has nothing new). */
    heartbeatMs: z.number().positive().default(50),
    /** How long a client waits for a reply before it retries with the next server. */
    clientTimeoutMs: z.number().positive().default(400),
  })
  .strict()
  .refine((p) => p.electionMinMs < p.electionMaxMs, {
    message: 'must be above electionMinMs (timeouts are drawn between the two)',
    path: ['electionMaxMs'],
  })
  .refine((p) => p.heartbeatMs < p.electionMinMs, {
    message: 'must be below electionMinMs, or followers time out between heartbeats',
    path: ['heartbeatMs'],
  })

export type RaftParams = z.infer<typeof RaftParamsSchema>

/** How many of `nodeCount` nodes are servers under these parameters. */
export function serverCount(params: { servers?: number }, nodeCount: number): number {
  const servers = params.servers ?? Math.max(1, nodeCount - DEFAULT_CLIENTS)
  if (servers > nodeCount)
    throw new InputError(
      `params.servers: ${servers} servers, but the scenario has ${nodeCount} nodes`,
    )
  return servers
}

const key = z.string().min(1)
const value = z.union([z.string(), z.number()])

/** What a client asks the replicated key-value store to do. */
export const KvOpSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('put'), key, value }).strict(),
  z.object({ op: z.literal('get'), key }).strict(),
  /** Compare-and-set: write `value` if the key holds `expect` (null: the key is absent). */
  z.object({ op: z.literal('cas'), key, expect: value.nullable(), value }).strict(),
])

export type KvOp = z.infer<typeof KvOpSchema>
export type KvValue = z.infer<typeof value>
/** put: 'ok'; get: the value (null if absent); cas: whether it wrote. */
export type KvResult = 'ok' | KvValue | null | boolean

/** A client's request as the log holds it: who asked, its request id, and the operation. */
// Type aliases, not interfaces: they must stay assignable to JsonValue (messages, notes).
export type KvCommand = {
  client: NodeId
  seq: number
  op: KvOp
}

export type Entry = {
  term: number
  command: KvCommand
}

export type RaftMsg =
  | { type: 'RequestVote'; term: number; lastLogIndex: number; lastLogTerm: number }
  | { type: 'RequestVoteReply'; term: number; voteGranted: boolean }
  | {
      type: 'AppendEntries'
      term: number
      prevLogIndex: number
      prevLogTerm: number
      entries: Entry[]
      leaderCommit: number
    }
  | {
      type: 'AppendEntriesReply'
      term: number
      success: boolean
      /** Success: the last index the request covered. Failure: the follower's last log index. */
      matchIndex: number
    }
  | { type: 'ClientRequest'; seq: number; op: KvOp }
  | { type: 'ClientReply'; seq: number; ok: true; result: KvResult }
  /** Not the leader: try `leader` (null if this server knows none). */
  | { type: 'ClientReply'; seq: number; ok: false; leader: NodeId | null }

/** Stable storage: Figure 2's persistent state for servers, the request counter for clients. */
export interface RaftStable {
  raft: {
    currentTerm: number
    votedFor: NodeId | null
    /** log[k] is the entry at index k + 1: Raft indexes its log from 1. */
    log: Entry[]
  }
  client: { seq: number }
}

export type Ctx = Context<RaftMsg, RaftStable>
