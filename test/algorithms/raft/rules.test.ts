// Raft's rules one message at a time, on a single node driven by hand
// (harness.ts): the RequestVote and AppendEntries receiver rules, the
// leader's commit rule and its backing up, the client protocol. Nodes 0-2 are
// servers and 3-4 clients (5 nodes, the default two clients).
import { describe, expect, it } from 'vitest'
import {
  RAFT_APPEND,
  RAFT_APPLY,
  RAFT_COMMIT,
  KV_INVOKE,
  KV_RETURN,
} from '../../../src/algorithms/raft/notes'
import type { ClientState, ServerState } from '../../../src/algorithms/raft/state'
import { CLIENT_TIMER, ELECTION_TIMER, HEARTBEAT_TIMER } from '../../../src/algorithms/raft/state'
import type { RaftMsg } from '../../../src/algorithms/raft/types'
import { entry, node } from './harness'

const vote = (term: number, lastLogIndex: number, lastLogTerm: number): RaftMsg => ({
  type: 'RequestVote',
  term,
  lastLogIndex,
  lastLogTerm,
})

const appendEntries = (
  term: number,
  prevLogIndex: number,
  prevLogTerm: number,
  entries: ReturnType<typeof entry>[],
  leaderCommit = 0,
): RaftMsg => ({ type: 'AppendEntries', term, prevLogIndex, prevLogTerm, entries, leaderCommit })

const server = (n: { state: unknown }) => n.state as ServerState
const terms = (n: { stable: { raft: { log: { term: number }[] } } }) =>
  n.stable.raft.log.map((e) => e.term)

describe('RequestVote receiver', () => {
  it('grants a vote to an up-to-date candidate, persists it, and restarts its election timer', () => {
    const n = node(0, { term: 1, log: [entry(1)] })
    n.timers.clear()
    expect(n.receive(1, vote(2, 1, 1))).toEqual([
      { to: 1, msg: { type: 'RequestVoteReply', term: 2, voteGranted: true } },
    ])
    expect(n.stable.raft).toMatchObject({ currentTerm: 2, votedFor: 1 })
    expect(n.timers.has(ELECTION_TIMER)).toBe(true)
  })

  it('refuses a candidate of an older term, answering with its own', () => {
    const n = node(0, { term: 3 })
    expect(n.receive(1, vote(2, 0, 0))[0].msg).toEqual({
      type: 'RequestVoteReply',
      term: 3,
      voteGranted: false,
    })
  })

  it('votes once per term', () => {
    const n = node(0, { term: 2, votedFor: 1 })
    expect(n.receive(2, vote(2, 0, 0))[0].msg).toMatchObject({ voteGranted: false })
    expect(n.receive(1, vote(2, 0, 0))[0].msg).toMatchObject({ voteGranted: true })
  })

  it('refuses a candidate whose log is less up-to-date (the election restriction)', () => {
    const n = node(0, { term: 2, log: [entry(1), entry(2)] })
    // Last term older, though longer.
    expect(n.receive(1, vote(3, 5, 1))[0].msg).toMatchObject({ term: 3, voteGranted: false })
    // Same last term, shorter.
    expect(n.receive(2, vote(4, 1, 2))[0].msg).toMatchObject({ term: 4, voteGranted: false })
    expect(n.stable.raft.votedFor).toBe(null)
  })
})

describe('AppendEntries receiver', () => {
  it('rejects an older term, with its own term so the sender steps down', () => {
    const n = node(0, { term: 3 })
    expect(n.receive(1, appendEntries(2, 0, 0, []))[0].msg).toEqual({
      type: 'AppendEntriesReply',
      term: 3,
      success: false,
      matchIndex: 0,
    })
  })

  it('rejects when it has no entry at prevLogIndex of prevLogTerm, giving its last index', () => {
    const n = node(0, { term: 2, log: [entry(1)] })
    expect(n.receive(1, appendEntries(2, 3, 2, [entry(2)]))[0].msg).toMatchObject({
      success: false,
      matchIndex: 1,
    })
    expect(n.receive(1, appendEntries(2, 1, 2, [entry(2)]))[0].msg).toMatchObject({
      success: false,
    })
    expect(terms(n)).toEqual([1])
  })

  it('deletes a conflicting entry and all that follow it, then appends', () => {
    const n = node(0, { term: 2, log: [entry(1), entry(2), entry(2, 3)] })
    expect(n.receive(1, appendEntries(3, 1, 1, [entry(3)]))[0].msg).toMatchObject({
      success: true,
      matchIndex: 2,
    })
    expect(terms(n)).toEqual([1, 3])
    expect(n.notes.filter((x) => x.kind === RAFT_APPEND)).toEqual([
      { kind: RAFT_APPEND, data: expect.objectContaining({ index: 2, term: 3 }) },
    ])
  })

  it('keeps the entries after a matching prefix (a late, shorter AppendEntries)', () => {
    const n = node(0, { term: 2, log: [entry(1), entry(2), entry(2, 3)] })
    n.receive(1, appendEntries(2, 0, 0, [entry(1)]))
    expect(terms(n)).toEqual([1, 2, 2])
    expect(n.notes.filter((x) => x.kind === RAFT_APPEND)).toEqual([])
  })

  it('commits up to min(leaderCommit, index of last new entry) and applies in order', () => {
    const n = node(0, { term: 1, log: [entry(1), entry(1, 2), entry(1, 3)] })
    n.receive(1, appendEntries(1, 0, 0, [entry(1)], 3))
    expect(server(n).commitIndex).toBe(1)
    n.receive(1, appendEntries(1, 1, 1, [entry(1, 2)], 3))
    expect(server(n).commitIndex).toBe(2)
    expect(n.notes.filter((x) => x.kind === RAFT_APPLY).map((x) => x.data)).toMatchObject([
      { index: 1 },
      { index: 2 },
    ])
  })

  it('makes a candidate of the same term a follower of the sender', () => {
    const n = node(0, { term: 1 })
    n.fire(ELECTION_TIMER)
    expect(server(n).role).toBe('candidate')
    n.receive(2, appendEntries(2, 0, 0, []))
    expect(server(n)).toMatchObject({ role: 'follower', leader: 2 })
  })
})

/** Node 0 elected leader of term 2 with node 1's vote, holding `log`. */
function leader(log = [entry(1)]) {
  const n = node(0, { term: 1, log })
  n.fire(ELECTION_TIMER)
  n.receive(1, { type: 'RequestVoteReply', term: 2, voteGranted: true })
  return n
}

describe('leader', () => {
  it('is elected by a majority and sends heartbeats at once and every heartbeatMs', () => {
    const n = node(0, { term: 1, log: [entry(1)] })
    const asks = n.fire(ELECTION_TIMER)
    expect(asks.map((s) => s.to)).toEqual([1, 2])
    expect(asks[0].msg).toEqual(vote(2, 1, 1))
    const beats = n.receive(1, { type: 'RequestVoteReply', term: 2, voteGranted: true })
    expect(server(n).role).toBe('leader')
    expect(beats.map((s) => [s.to, s.msg])).toEqual([
      [1, appendEntries(2, 1, 1, [])],
      [2, appendEntries(2, 1, 1, [])],
    ])
    expect(n.timers.get(HEARTBEAT_TIMER)).toBe(50)
    expect(n.timers.has(ELECTION_TIMER)).toBe(false)
  })

  it('steps down on a higher term', () => {
    const n = leader()
    n.receive(2, { type: 'AppendEntriesReply', term: 5, success: false, matchIndex: 0 })
    expect(server(n).role).toBe('follower')
    expect(n.stable.raft).toMatchObject({ currentTerm: 5, votedFor: null })
    expect(n.timers.has(ELECTION_TIMER)).toBe(true)
    expect(n.timers.has(HEARTBEAT_TIMER)).toBe(false)
  })

  it('does not commit an entry of an earlier term stored on a majority (Figure 8)', () => {
    const n = leader([entry(1)])
    n.receive(1, { type: 'AppendEntriesReply', term: 2, success: true, matchIndex: 1 })
    expect(server(n).commitIndex).toBe(0)
    // A client request puts an entry of term 2 after it; once that is on a majority, both commit.
    n.receive(3, { type: 'ClientRequest', seq: 1, op: { op: 'get', key: 'x' } })
    n.receive(1, { type: 'AppendEntriesReply', term: 2, success: true, matchIndex: 2 })
    expect(server(n).commitIndex).toBe(2)
    expect(n.notes.filter((x) => x.kind === RAFT_COMMIT).map((x) => x.data)).toMatchObject([
      { index: 2, term: 2 },
    ])
  })

  it('backs up to past the end of a short log, then one entry at a time', () => {
    const n = leader([entry(1), entry(1, 2), entry(1, 3), entry(1, 4)])
    const retry = n.receive(1, {
      type: 'AppendEntriesReply',
      term: 2,
      success: false,
      matchIndex: 2,
    })
    expect(retry[0].msg).toMatchObject({ prevLogIndex: 2, entries: [entry(1, 3), entry(1, 4)] })
    const again = n.receive(1, {
      type: 'AppendEntriesReply',
      term: 2,
      success: false,
      matchIndex: 4,
    })
    expect(again[0].msg).toMatchObject({ prevLogIndex: 1 })
  })

  it('answers a client once its command is applied, and a retry from the session', () => {
    const n = leader([])
    const op = { op: 'put', key: 'x', value: 7 } as const
    n.receive(3, { type: 'ClientRequest', seq: 1, op })
    // A retry before it commits is not appended twice.
    n.receive(3, { type: 'ClientRequest', seq: 1, op })
    expect(n.stable.raft.log).toHaveLength(1)
    const out = n.receive(1, { type: 'AppendEntriesReply', term: 2, success: true, matchIndex: 1 })
    expect(out).toContainEqual({
      to: 3,
      msg: { type: 'ClientReply', seq: 1, ok: true, result: 'ok' },
    })
    expect(n.receive(3, { type: 'ClientRequest', seq: 1, op })).toEqual([
      { to: 3, msg: { type: 'ClientReply', seq: 1, ok: true, result: 'ok' } },
    ])
  })

  it('as a follower, names the leader it knows', () => {
    const n = node(0, { term: 1 })
    n.receive(2, appendEntries(1, 0, 0, []))
    expect(n.receive(4, { type: 'ClientRequest', seq: 1, op: { op: 'get', key: 'x' } })).toEqual([
      { to: 4, msg: { type: 'ClientReply', seq: 1, ok: false, leader: 2 } },
    ])
  })
})

describe('client', () => {
  const get = { op: 'get', key: 'x' } as const

  function client() {
    const c = node(3)
    const s = c.state as ClientState
    s.target = 1
    c.sent.length = 0
    return { c, s }
  }

  it('sends one request at a time, queueing the rest, and notes each call and answer', () => {
    const { c } = client()
    c.command(get)
    c.command({ op: 'put', key: 'x', value: 1 })
    expect(c.sent).toEqual([{ to: 1, msg: { type: 'ClientRequest', seq: 1, op: get } }])
    const next = c.receive(1, { type: 'ClientReply', seq: 1, ok: true, result: null })
    expect(next[0].msg).toMatchObject({ type: 'ClientRequest', seq: 2 })
    expect(c.notes.map((x) => x.kind)).toEqual([KV_INVOKE, KV_RETURN, KV_INVOKE])
    expect(c.stable.client.seq).toBe(2)
  })

  it('follows a redirect at once, waits a heartbeat when no leader is known, and moves on after a timeout', () => {
    const { c, s } = client()
    c.command(get)
    expect(c.receive(1, { type: 'ClientReply', seq: 1, ok: false, leader: 2 })).toEqual([
      { to: 2, msg: { type: 'ClientRequest', seq: 1, op: get } },
    ])
    expect(c.receive(2, { type: 'ClientReply', seq: 1, ok: false, leader: null })).toEqual([])
    expect(c.timers.get(CLIENT_TIMER)).toBe(50)
    expect(c.fire(CLIENT_TIMER)).toEqual([
      { to: 0, msg: { type: 'ClientRequest', seq: 1, op: get } },
    ])
    expect(s.target).toBe(0)
    // A late answer to another request changes nothing.
    expect(c.receive(1, { type: 'ClientReply', seq: 7, ok: true, result: 3 })).toEqual([])
  })
})
