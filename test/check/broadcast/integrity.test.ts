// The integrity checker: best-effort broadcast over a link that duplicates (out
// of its assumptions) delivers a message twice, flagged at the second delivery;
// a delivery of a message nobody broadcast, or under the wrong origin, and a
// reused id are flagged where they happen.
import { describe, expect, it } from 'vitest'
import { BCAST, DELIVER } from '../../../src/algorithms/broadcast/notes'
import { integrityChecker } from '../../../src/check/broadcast/integrity'
import type { Note, ProcessEvent, TraceMeta } from '../../../src/core/trace'
import { notedWithId, simulate, violationsOf } from '../../support/simulate'

describe('integrity', () => {
  it('flags a second delivery of one message', () => {
    const run = simulate({
      algorithm: 'best-effort-broadcast',
      nodes: 2,
      until: 100,
      workload: false,
      network: { default: { delay: { dist: 'constant', ms: 5 }, duplicate: 1 } },
      commands: [{ at: 10, node: 0, command: { kind: 'broadcast' } }],
    })
    const deliveries = notedWithId(run.trace, DELIVER, '0:1', 1)
    expect(deliveries).toHaveLength(2)
    expect(violationsOf(run, 'integrity')).toEqual([
      { checker: 'integrity', at: deliveries[1].i, message: 'n1 delivered 0:1 a second time' },
    ])
  })

  it('flags creation, a wrong origin and a reused id', () => {
    const meta: TraceMeta = {
      source: 'sim',
      algorithm: 'reliable-broadcast',
      params: {},
      nodes: ['a', 'b'],
      vectorTime: false,
    }
    const checker = integrityChecker.create(meta)
    const event = (i: number, node: number, notes: Note[]): ProcessEvent => ({
      i,
      node,
      seq: i,
      lamport: i,
      local: i,
      kind: 'command',
      command: null,
      notes,
    })
    const messages = [
      event(0, 0, [
        { kind: BCAST, data: { id: '0:1' } },
        { kind: DELIVER, data: { id: '0:1', origin: 0 } },
      ]),
      event(1, 1, [{ kind: DELIVER, data: { id: '0:2', origin: 0 } }]),
      event(2, 1, [{ kind: DELIVER, data: { id: '0:1', origin: 1 } }]),
      event(3, 0, [{ kind: BCAST, data: { id: '0:1' } }]),
    ].map((e) => (checker.onEvent(e) ?? []).map((v) => `${v.at}: ${v.message}`))
    expect(messages).toEqual([
      [],
      ['1: b delivered 0:2, which nobody broadcast'],
      ['2: b delivered 0:1 as from b, but a sent it'],
      ['3: a broadcast 0:1 again: a message id is reused'],
    ])
  })
})
