// Raft (Ongaro and Ousterhout, "In Search of an Understandable Consensus
// Algorithm", 2014) replicating a key-value store, with its clients. Nodes
// 0..servers-1 are the Raft group (params.servers; by default every node but
// the last two), the nodes after them are clients. The rules live in
// terms.ts, election.ts, replication.ts and commit.ts, each quoting Figure 2;
// server.ts and client.ts route inputs; kv.ts is the state machine.
// createRaft takes the two rules a test may break (rules.ts) to build mutants.
import { defineAlgorithm } from '../../core/process'
import { clientCommand, clientMessage, clientTimer } from './client'
import { paperRules, type RaftRules } from './rules'
import { serverMessage, serverTimer, startServer } from './server'
import { createClient, createServer, type RaftState } from './state'
import {
  KvOpSchema,
  RaftParamsSchema,
  serverCount,
  type KvOp,
  type RaftMsg,
  type RaftParams,
  type RaftStable,
} from './types'
import { randomKvOp } from './workload'

export function createRaft(rules: RaftRules = paperRules) {
  return defineAlgorithm<RaftState, RaftMsg, KvOp, RaftParams, RaftStable>({
    name: 'raft',
    family: 'raft',
    summary:
      'Raft: leader election and log replication for a key-value store; the last 2 nodes are clients',
    params: RaftParamsSchema,
    commands: KvOpSchema,
    stable: () => ({ raft: { currentTerm: 0, votedFor: null, log: [] }, client: { seq: 0 } }),
    init(ctx, params) {
      const servers = serverCount(params, ctx.nodeCount)
      return ctx.self < servers
        ? createServer(ctx.self, servers, params)
        : createClient(servers, params, Math.floor(ctx.random() * servers))
    },
    onStart(s, ctx) {
      if (s.kind === 'server') startServer(s, ctx)
    },
    onMessage(s, from, m, ctx) {
      if (s.kind === 'server') serverMessage(s, from, m, rules, ctx)
      else clientMessage(s, from, m, ctx)
    },
    onTimer(s, name, ctx) {
      if (s.kind === 'server') serverTimer(s, name, ctx)
      else clientTimer(s, name, ctx)
    },
    onCommand(s, op, ctx) {
      if (s.kind === 'client') clientCommand(s, op, ctx)
    },
    randomCommand: randomKvOp,
  })
}

export const raft = createRaft()
