// The replicated state machine: a key-value store with put, get and
// compare-and-set, plus client sessions. A session remembers, per client, the
// last request id applied and its result, so a command that a retry put into
// the log twice takes effect once: the second copy returns the first's result.
// Every server applies the same committed commands in the same order, so every
// copy of this store goes through the same states.
import type { NodeId } from '../../core/process'
import type { KvCommand, KvOp, KvResult, KvValue } from './types'

export interface KvStore {
  data: Map<string, KvValue>
  sessions: Map<NodeId, { seq: number; result: KvResult }>
}

export function createKv(): KvStore {
  return { data: new Map(), sessions: new Map() }
}

/** The operation alone, on a store's data: what a single-copy store would answer. */
export function execute(data: Map<string, KvValue>, op: KvOp): KvResult {
  const current = data.get(op.key) ?? null
  switch (op.op) {
    case 'put':
      data.set(op.key, op.value)
      return 'ok'
    case 'get':
      return current
    case 'cas':
      if (current !== op.expect) return false
      data.set(op.key, op.value)
      return true
  }
}

/**
 * Applies one committed command, executing it once per (client, seq): a repeat of
 * the client's latest request gets the first result; an older one (its client has
 * moved on) gets none.
 */
export function applyCommand(kv: KvStore, c: KvCommand): KvResult | undefined {
  const session = kv.sessions.get(c.client)
  if (session !== undefined && c.seq <= session.seq)
    return c.seq === session.seq ? session.result : undefined
  const result = execute(kv.data, c.op)
  kv.sessions.set(c.client, { seq: c.seq, result })
  return result
}

/** The result a client's request already has, if the store applied it. */
export function sessionResult(kv: KvStore, client: NodeId, seq: number): KvResult | undefined {
  const session = kv.sessions.get(client)
  return session?.seq === seq ? session.result : undefined
}

/** Whether the store has applied a later request of this client (so this one is stale). */
export function supersededRequest(kv: KvStore, client: NodeId, seq: number): boolean {
  return (kv.sessions.get(client)?.seq ?? 0) > seq
}
