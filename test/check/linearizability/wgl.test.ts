// The linearizability search on key-value histories: hand-made histories with
// known answers (stale reads, lost writes, requests that never returned), the
// report it gives for a violation, and a property test against a brute-force
// search over every order on small random histories (CLOCKLAB_PROPERTY_RUNS,
// default 3000).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { KvOp, KvResult, KvValue } from '../../../src/algorithms/raft/types'
import { kvModel } from '../../../src/check/linearizability/kv-model'
import type { Operation } from '../../../src/check/linearizability/model'
import { checkLinearizability } from '../../../src/check/linearizability/wgl'

const RUNS = Number(process.env.CLOCKLAB_PROPERTY_RUNS ?? 3000)

type Op = Operation<KvOp, KvResult>

/** An operation from `call` to `ret` (undefined: it never returned). */
function op(input: KvOp, call: number, ret?: number, output?: KvResult): Op {
  return {
    input,
    output: ret === undefined ? undefined : output,
    call,
    ret: ret ?? Infinity,
    label: `op@${call}`,
  }
}
const put = (key: string, value: KvValue): KvOp => ({ op: 'put', key, value })
const get = (key: string): KvOp => ({ op: 'get', key })
const cas = (key: string, expect: KvValue | null, value: KvValue): KvOp => ({
  op: 'cas',
  key,
  expect,
  value,
})
const linearizable = (history: Op[]) => checkLinearizability(kvModel, history).ok

describe('checkLinearizability on key-value histories', () => {
  it('accepts a sequential history the store could give', () => {
    const h = [
      op(put('x', 1), 0, 1, 'ok'),
      op(get('x'), 2, 3, 1),
      op(cas('x', 1, 2), 4, 5, true),
      op(cas('x', 1, 3), 6, 7, false),
      op(get('x'), 8, 9, 2),
      op(get('y'), 10, 11, null),
    ]
    expect(linearizable(h)).toBe(true)
  })

  it('rejects a stale read after a completed write, and names it', () => {
    const h = [op(put('x', 1), 0, 1, 'ok'), op(get('x'), 2, 3, null)]
    const r = checkLinearizability(kvModel, h)
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.partition).toBe('x')
    expect(r.blocked).toBe(h[1])
    expect(r.placed).toBe(1)
  })

  it('lets overlapping operations take effect in either order', () => {
    expect(linearizable([op(put('x', 1), 0, 5, 'ok'), op(get('x'), 1, 2, null)])).toBe(true)
    expect(linearizable([op(put('x', 1), 0, 5, 'ok'), op(get('x'), 1, 2, 1)])).toBe(true)
  })

  it('rejects two reads that see a write undone', () => {
    const h = [op(put('x', 1), 0, 10, 'ok'), op(get('x'), 1, 2, 1), op(get('x'), 3, 4, null)]
    expect(linearizable(h)).toBe(false)
  })

  it('rejects two successful compare-and-sets from the same value', () => {
    const h = [op(cas('x', null, 1), 0, 10, true), op(cas('x', null, 2), 1, 11, true)]
    expect(linearizable(h)).toBe(false)
  })

  it('lets a request that never returned take effect, or not', () => {
    expect(linearizable([op(put('x', 1), 0), op(get('x'), 5, 6, 1)])).toBe(true)
    expect(linearizable([op(put('x', 1), 0), op(get('x'), 5, 6, null)])).toBe(true)
    // ...but only once, and never before it was made.
    const undone = [op(put('x', 1), 0), op(get('x'), 5, 6, 1), op(get('x'), 7, 8, null)]
    expect(linearizable(undone)).toBe(false)
    expect(linearizable([op(get('x'), 0, 1, 1), op(put('x', 1), 2)])).toBe(false)
  })

  it('orders a return before a call made at the same instant', () => {
    // The client got 'ok' and made its next request in one event (time 1).
    expect(linearizable([op(put('x', 1), 0, 1, 'ok'), op(get('x'), 1, 2, null)])).toBe(false)
  })

  it('checks each key on its own and names the one that fails', () => {
    const h = [
      op(put('x', 1), 0, 1, 'ok'),
      op(put('y', 1), 0, 1, 'ok'),
      op(get('x'), 2, 3, 1),
      op(get('y'), 2, 3, 2),
    ]
    const r = checkLinearizability(kvModel, h)
    expect(r.ok ? 'ok' : r.partition).toBe('y')
  })
})

/**
 * Brute force: every order of the operations that respects real time (one that returned
 * at or before another's call goes first); unanswered ones optional.
 */
function bruteForce(history: Op[]): boolean {
  const search = (state: KvValue | null, left: Op[]): boolean => {
    if (left.every((o) => o.ret === Infinity)) return true
    return left.some((o, k) => {
      if (left.some((p) => p.ret <= o.call)) return false
      const next = kvModel.step(state, o.input, o.ret === Infinity ? undefined : o.output)
      return (
        next !== undefined &&
        search(
          next,
          left.filter((_, j) => j !== k),
        )
      )
    })
  }
  return search(null, history)
}

const arbOp: fc.Arbitrary<Op> = fc
  .record({
    kind: fc.constantFrom('put', 'get', 'cas'),
    value: fc.integer({ min: 1, max: 3 }),
    expect: fc.option(fc.integer({ min: 1, max: 3 })),
    call: fc.integer({ min: 0, max: 20 }),
    length: fc.integer({ min: 1, max: 8 }),
    returned: fc.integer({ min: 0, max: 9 }).map((k) => k < 7),
    read: fc.option(fc.integer({ min: 1, max: 3 })),
    wrote: fc.boolean(),
  })
  .map((r) => {
    const input: KvOp =
      r.kind === 'put'
        ? put('x', r.value)
        : r.kind === 'get'
          ? get('x')
          : cas('x', r.expect, r.value)
    const output: KvResult = r.kind === 'put' ? 'ok' : r.kind === 'get' ? r.read : r.wrote
    return r.returned ? op(input, r.call, r.call + r.length, output) : op(input, r.call)
  })

describe('checkLinearizability agrees with a brute-force search', () => {
  it(`on ${RUNS} random histories of up to 7 operations`, () => {
    let yes = 0
    fc.assert(
      fc.property(fc.array(arbOp, { minLength: 1, maxLength: 7 }), (history) => {
        const expected = bruteForce(history)
        if (expected) yes++
        expect(linearizable(history)).toBe(expected)
      }),
      { numRuns: RUNS },
    )
    // Both answers are exercised.
    expect(yes).toBeGreaterThan(RUNS / 10)
    expect(yes).toBeLessThan(RUNS - RUNS / 10)
  })
})
