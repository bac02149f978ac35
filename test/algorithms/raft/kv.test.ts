// The replicated key-value store's state machine: put, get and compare-and-set,
// and the client sessions that make a command retried into the log twice take
// effect once.
import { describe, expect, it } from 'vitest'
import {
  applyCommand,
  createKv,
  sessionResult,
  supersededRequest,
} from '../../../src/algorithms/raft/kv'
import type { KvOp } from '../../../src/algorithms/raft/types'

const cmd = (client: number, seq: number, op: KvOp) => ({ client, seq, op })

describe('key-value state machine', () => {
  it('puts, gets and compares-and-sets', () => {
    const kv = createKv()
    expect(applyCommand(kv, cmd(5, 1, { op: 'get', key: 'x' }))).toBe(null)
    expect(applyCommand(kv, cmd(5, 2, { op: 'cas', key: 'x', expect: null, value: 1 }))).toBe(true)
    expect(applyCommand(kv, cmd(5, 3, { op: 'cas', key: 'x', expect: 2, value: 3 }))).toBe(false)
    expect(applyCommand(kv, cmd(5, 4, { op: 'put', key: 'x', value: 'a' }))).toBe('ok')
    expect(applyCommand(kv, cmd(5, 5, { op: 'get', key: 'x' }))).toBe('a')
  })

  it('executes a command once per client request: a repeat gets the first result', () => {
    const kv = createKv()
    const cas = cmd(5, 1, { op: 'cas', key: 'x', expect: null, value: 1 })
    expect(applyCommand(kv, cas)).toBe(true)
    expect(applyCommand(kv, cmd(6, 1, { op: 'put', key: 'x', value: 2 }))).toBe('ok')
    // Executed again, the cas would now fail and answer false.
    expect(applyCommand(kv, cas)).toBe(true)
    expect(kv.data.get('x')).toBe(2)
    expect(sessionResult(kv, 5, 1)).toBe(true)
  })

  it('gives an older request of a client that has moved on no result', () => {
    const kv = createKv()
    applyCommand(kv, cmd(5, 2, { op: 'put', key: 'x', value: 1 }))
    expect(applyCommand(kv, cmd(5, 1, { op: 'put', key: 'x', value: 9 }))).toBeUndefined()
    expect(kv.data.get('x')).toBe(1)
    expect(supersededRequest(kv, 5, 1)).toBe(true)
    expect(sessionResult(kv, 5, 1)).toBeUndefined()
  })
})
