// The progress checker on hand-built traces: an early request never followed by
// the node's entry is flagged at the request; one in the last tenth of the run
// is not judged; a requester's own crash forgets its request; the message names
// the faults seen in the run.
import { describe, expect, it } from 'vitest'
import { CS_ENTER, CS_EXIT, CS_REQUEST } from '../../../src/algorithms/mutex/notes'
import { checkTrace } from '../../../src/check/index'
import { progressChecker } from '../../../src/check/mutex/progress'
import { hand } from './hand-trace'

const check = (t: ReturnType<typeof hand>) =>
  checkTrace(t.meta('ricart-agrawala'), t.events, [progressChecker])[0].violations

describe('progress checker', () => {
  it('is satisfied when every request is followed by its node entering', () => {
    const t = hand()
    t.event(0, 'command', [CS_REQUEST])
    t.at(10)
    t.event(0, 'command', [CS_ENTER])
    t.at(100)
    t.event(0, 'timer', [CS_EXIT])
    expect(check(t)).toEqual([])
  })

  it('flags an early request that is never served, at the request', () => {
    const t = hand()
    t.at(5)
    t.event(1, 'command', [CS_REQUEST, CS_ENTER])
    const stalled = t.event(2, 'command', [CS_REQUEST])
    t.at(100)
    t.event(1, 'timer', [CS_EXIT])
    const v = check(t)
    expect(v.map((x) => x.at)).toEqual([stalled])
    expect(v[0].message).toBe(
      'node 2 asked for the critical section at 5 ms and had not entered by the last event, at 100 ms',
    )
  })

  it('does not judge requests made in the last tenth of the run', () => {
    const t = hand()
    t.event(0, 'timer')
    t.at(89)
    const judged = t.event(1, 'command', [CS_REQUEST])
    t.at(91)
    t.event(2, 'command', [CS_REQUEST])
    t.at(100)
    t.event(0, 'timer')
    expect(check(t).map((x) => x.at)).toEqual([judged])
  })

  it('forgets the request of a node that crashes, and names the faults it saw', () => {
    const t = hand()
    t.event(0, 'command', [CS_REQUEST])
    const stalled = t.event(1, 'command', [CS_REQUEST])
    const req = t.send(1, [2])
    t.at(10)
    t.event(2, 'crash')
    t.event(0, 'crash')
    t.drop(req, 1, 2)
    t.at(100)
    t.event(1, 'timer')
    const v = check(t)
    expect(v.map((x) => x.at)).toEqual([stalled])
    expect(v[0].message).toMatch(
      /; faults the algorithm does not claim to survive: node 2 crashed at 10 ms, node 0 crashed at 10 ms, 1 message dropped \(crashed\)$/,
    )
  })
})
