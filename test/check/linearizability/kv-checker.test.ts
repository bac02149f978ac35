// The linearizability checker on a trace: it reads the clients' kv.invoke and
// kv.return notes (trace positions as times), leaves requests that never
// returned free to take effect or not, and reports a violation at the answer
// that cannot be placed, with the key and the operation.
import { describe, expect, it } from 'vitest'
import { KV_INVOKE, KV_RETURN } from '../../../src/algorithms/raft/notes'
import type { KvOp, KvResult } from '../../../src/algorithms/raft/types'
import { checkTrace } from '../../../src/check/index'
import type { JsonValue } from '../../../src/core/json'
import { meta, TraceBuilder } from '../raft/trace'

const invoke = (client: number, seq: number, op: KvOp): [string, JsonValue] => [
  KV_INVOKE,
  { client, seq, op },
]
const answer = (client: number, seq: number, result: KvResult): [string, JsonValue] => [
  KV_RETURN,
  { client, seq, result },
]

function linearizability(t: TraceBuilder) {
  return checkTrace(meta, t.events).find((v) => v.checker === 'linearizability')
}

describe('linearizability checker', () => {
  it('accepts a history the store could give, with a request that never returned', () => {
    const t = new TraceBuilder()
      .on(3, invoke(3, 1, { op: 'put', key: 'x', value: 1 }))
      .on(4, invoke(4, 1, { op: 'put', key: 'x', value: 2 }))
      .on(3, answer(3, 1, 'ok'), invoke(3, 2, { op: 'get', key: 'x' }))
      .on(3, answer(3, 2, 2))
    expect(linearizability(t)?.ok).toBe(true)
  })

  it('flags a read that misses a write answered before it began', () => {
    const t = new TraceBuilder()
      .on(3, invoke(3, 1, { op: 'put', key: 'x', value: 1 }))
      .on(3, answer(3, 1, 'ok'))
      .on(4, invoke(4, 1, { op: 'get', key: 'x' }))
      .on(4, answer(4, 1, null))
    const v = linearizability(t)
    expect(v?.ok).toBe(false)
    expect(v?.violations[0].at).toBe(3)
    expect(v?.violations[0].message).toContain('key x')
    expect(v?.violations[0].message).toContain('client 4 request 1: get x → null')
  })

  it('ignores an answer to a request it never saw made', () => {
    const t = new TraceBuilder().on(4, answer(4, 7, 5))
    expect(linearizability(t)?.ok).toBe(true)
  })
})
