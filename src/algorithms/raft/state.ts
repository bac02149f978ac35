// Volatile state: what a node loses in a crash and rebuilds from stable storage
// and from the other servers after recovery. A server keeps Figure 2's volatile
// state (commitIndex, lastApplied; nextIndex and matchIndex while leader) and
// its copy of the key-value store; a client keeps its queue of operations and
// the request in flight.
import type { NodeId } from '../../core/process'
import { createKv, type KvStore } from './kv'
import type { KvOp, RaftParams } from './types'

export type Role = 'follower' | 'candidate' | 'leader'

export interface ServerState {
  kind: 'server'
  params: RaftParams
  /** Size of the Raft group: servers are nodes 0..servers-1. */
  servers: number
  /** The other servers. */
  others: NodeId[]
  role: Role
  /** The leader this server knows for its current term (a hint for clients). */
  leader: NodeId | null
  /** Candidate: the servers that granted their vote this term, itself included. */
  votes: NodeId[]
  /** Index of the highest log entry known to be committed. */
  commitIndex: number
  /** Index of the highest log entry applied to the state machine. */
  lastApplied: number
  /** Leader: for each server, index of the next log entry to send to it. */
  nextIndex: number[]
  /** Leader: for each server, index of the highest log entry known to be replicated on it. */
  matchIndex: number[]
  kv: KvStore
}

export interface ClientState {
  kind: 'client'
  params: RaftParams
  servers: number
  /** Operations waiting for the one in flight to return. */
  queue: KvOp[]
  /** The request in flight, if any. */
  pending: { seq: number; op: KvOp } | null
  /** The server the client believes leads: where it sends requests. */
  target: NodeId
}

export type RaftState = ServerState | ClientState

export const ELECTION_TIMER = 'raft.election'
export const HEARTBEAT_TIMER = 'raft.heartbeat'
export const CLIENT_TIMER = 'client.retry'

export function createServer(self: NodeId, servers: number, params: RaftParams): ServerState {
  return {
    kind: 'server',
    params,
    servers,
    others: Array.from({ length: servers }, (_, k) => k).filter((k) => k !== self),
    role: 'follower',
    leader: null,
    votes: [],
    commitIndex: 0,
    lastApplied: 0,
    nextIndex: new Array<number>(servers).fill(1),
    matchIndex: new Array<number>(servers).fill(0),
    kv: createKv(),
  }
}

export function createClient(servers: number, params: RaftParams, first: NodeId): ClientState {
  return { kind: 'client', params, servers, queue: [], pending: null, target: first }
}

/** A majority of the group. */
export function isMajority(count: number, servers: number): boolean {
  return 2 * count > servers
}
