// A Raft server: routes each message and timer to the rule that handles it, and
// takes client requests. Figure 2, Leaders: "If command received from client:
// append entry to local log, respond after entry applied to state machine."
// A server that does not lead answers with the leader it knows, as a hint. A
// retried request is not appended again if the session shows it applied (the
// session's result answers it) or the log holds it in an entry of the leader's
// own term (that entry answers it once committed). Otherwise it is appended
// again, even if an entry of an earlier term holds it: that entry may never be
// committed, and if it is, the session makes the second copy a no-op.
// Reads go through the log like writes: a get is answered once its entry is
// committed and applied, so it sees every write committed before it.
import type { NodeId } from '../../core/process'
import { advanceCommitIndex } from './commit'
import { onRequestVote, onRequestVoteReply, startElection } from './election'
import { sessionResult, supersededRequest } from './kv'
import { lastIndex } from './log'
import { onAppendEntries, onAppendEntriesReply, replicate, writeEntry } from './replication'
import type { RaftRules } from './rules'
import { ELECTION_TIMER, HEARTBEAT_TIMER, type ServerState } from './state'
import { resetElectionTimer } from './terms'
import type { Ctx, RaftMsg } from './types'

export function startServer(s: ServerState, ctx: Ctx): void {
  resetElectionTimer(s, ctx)
}

export function serverMessage(
  s: ServerState,
  from: NodeId,
  m: RaftMsg,
  rules: RaftRules,
  ctx: Ctx,
): void {
  switch (m.type) {
    case 'RequestVote':
      return onRequestVote(s, from, m, rules, ctx)
    case 'RequestVoteReply':
      return onRequestVoteReply(s, from, m, ctx)
    case 'AppendEntries':
      return onAppendEntries(s, from, m, ctx)
    case 'AppendEntriesReply':
      return onAppendEntriesReply(s, from, m, rules, ctx)
    case 'ClientRequest':
      return onClientRequest(s, from, m, rules, ctx)
    case 'ClientReply':
      return
  }
}

export function serverTimer(s: ServerState, name: string, ctx: Ctx): void {
  if (name === ELECTION_TIMER && s.role !== 'leader') startElection(s, ctx)
  else if (name === HEARTBEAT_TIMER && s.role === 'leader') replicate(s, ctx)
}

/** Whether the log holds this request in an uncommitted entry of the current term. */
function inCurrentTerm(s: ServerState, client: NodeId, seq: number, ctx: Ctx): boolean {
  const { log, currentTerm } = ctx.stable.raft
  for (let k = log.length - 1; k >= s.commitIndex && log[k].term === currentTerm; k--)
    if (log[k].command.client === client && log[k].command.seq === seq) return true
  return false
}

function onClientRequest(
  s: ServerState,
  client: NodeId,
  m: Extract<RaftMsg, { type: 'ClientRequest' }>,
  rules: RaftRules,
  ctx: Ctx,
): void {
  if (s.role !== 'leader')
    return ctx.send(client, { type: 'ClientReply', seq: m.seq, ok: false, leader: s.leader })
  const done = sessionResult(s.kv, client, m.seq)
  if (done !== undefined)
    return ctx.send(client, { type: 'ClientReply', seq: m.seq, ok: true, result: done })
  const stable = ctx.stable.raft
  if (supersededRequest(s.kv, client, m.seq) || inCurrentTerm(s, client, m.seq, ctx)) return
  const command = { client, seq: m.seq, op: m.op }
  writeEntry(lastIndex(stable.log) + 1, { term: stable.currentTerm, command }, ctx)
  replicate(s, ctx)
  // A group of one commits at once.
  advanceCommitIndex(s, rules, ctx)
}
