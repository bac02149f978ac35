// The agreement checker: a reliable broadcast that does not relay loses
// agreement when its sender crashes mid-broadcast under loss; the eager
// algorithm, which relays, keeps it in the same run. Messages broadcast within
// the settling time before the end are not judged.
import { describe, expect, it } from 'vitest'
import { DELIVER, messageId } from '../../../src/algorithms/broadcast/notes'
import { rbReceive, reliableBroadcast } from '../../../src/algorithms/broadcast/reliable-broadcast'
import type { ScenarioInput } from '../../../src/sim/scenario'
import { notedWithId, simulate, simulateWith, violationsOf } from '../../support/simulate'

/** Delivers on first receipt and acks, but never relays. */
const noRelay: typeof reliableBroadcast = {
  ...reliableBroadcast,
  onMessage(s, from, m, ctx) {
    if (m.kind === 'ack') return void rbReceive(s.rb, from, m, ctx)
    ctx.send(from, { kind: 'ack', origin: m.origin, seq: m.seq })
    const id = messageId(m.origin, m.seq)
    if (s.rb.delivered.has(id)) return
    s.rb.delivered.add(id)
    ctx.annotate(DELIVER, { id, origin: m.origin })
  },
}

/** n0 broadcasts; its copy to n2 is lost, and it crashes before resending. */
function senderCrash(endAt: number): ScenarioInput {
  return {
    algorithm: 'reliable-broadcast',
    nodes: 3,
    until: endAt + 100,
    workload: false,
    network: {
      default: { delay: { dist: 'constant', ms: 5 } },
      links: [{ from: 0, to: 2, loss: 1 }],
    },
    faults: [{ at: 20, crash: 0 }],
    commands: [
      { at: 10, node: 0, command: { kind: 'broadcast', value: 'm' } },
      { at: endAt, node: 1, command: { kind: 'broadcast', value: 'end' } },
    ],
  }
}

describe('agreement', () => {
  it('flags a message some correct process delivered and another never did, at its broadcast', () => {
    const run = simulateWith(noRelay, senderCrash(1500))
    const v = violationsOf(run, 'agreement')
    expect(v).toHaveLength(1)
    expect(v[0].at).toBe(notedWithId(run.trace, 'bcast', '0:1', 0)[0].i)
    expect(v[0].message).toMatch(/^n2 never delivered 0:1, which n1 delivered/)
  })

  it('holds for the eager algorithm in the same run: n1 relays to n2', () => {
    const run = simulate(senderCrash(1500))
    expect(violationsOf(run, 'agreement')).toEqual([])
    expect(notedWithId(run.trace, DELIVER, '0:1', 2)).toHaveLength(1)
  })

  it('does not judge a message broadcast less than the settling time before the end', () => {
    const run = simulateWith(noRelay, senderCrash(500))
    expect(run.verdicts.find((v) => v.checker === 'agreement')?.ok).toBe(true)
    expect(notedWithId(run.trace, DELIVER, '0:1', 2)).toHaveLength(0)
  })
})
