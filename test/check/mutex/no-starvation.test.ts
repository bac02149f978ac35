// The no-starvation checker: silent on the FIFO central coordinator, and
// flagging a coordinator that serves its queue last-in first-out, at the entry
// that exceeds the bound; hand-built traces show that counting starts only once
// the request has reached every destination.
import { describe, expect, it } from 'vitest'
import { mutexCentral, type CentralState } from '../../../src/algorithms/mutex/central'
import { CS_ENTER, CS_REQUEST } from '../../../src/algorithms/mutex/notes'
import { checkTrace } from '../../../src/check/index'
import { noStarvationChecker } from '../../../src/check/mutex/no-starvation'
import { defineAlgorithm } from '../../../src/core/process'
import type { ScenarioInput } from '../../../src/sim/scenario'
import { noted, simulate, simulateWith, violationsOf } from '../../support/simulate'
import { hand } from './hand-trace'

/** On each release the coordinator grants the newest request first: a stack, not a queue. */
const lifo = defineAlgorithm({
  ...mutexCentral,
  onMessage(s: CentralState, from, m, ctx) {
    if (m.type === 'release' && s.queue.length > 1) s.queue.unshift(s.queue.pop() as number)
    mutexCentral.onMessage?.(s, from, m, ctx)
  },
})

/**
 * Coordinator 0 idle; node 1 enters at 10 ms; node 2 asks at 20 ms, node 3 at 30
 * ms; then nodes 1 and 3 ask again each time they are out. Each stay is 50 ms.
 */
const busy: ScenarioInput = {
  algorithm: 'mutex-central',
  nodes: 4,
  until: 2000,
  workload: false,
  params: { holdMs: 50 },
  network: { default: { delay: { dist: 'constant', ms: 5 } } },
  commands: [
    [0, 1],
    [20, 2],
    [30, 3],
    [80, 1],
    [140, 3],
    [200, 1],
  ].map(([at, node]) => ({ at, node, command: { kind: 'request' } })),
}

describe('no-starvation checker', () => {
  it('is silent on the FIFO coordinator: node 2 is served next', () => {
    const run = simulate(busy)
    expect(noted(run.trace, CS_ENTER).map((e) => e.node)).toEqual([1, 2, 3, 1])
    expect(violationsOf(run, 'no-starvation')).toEqual([])
  })

  it('flags a LIFO coordinator at the fourth entry that overtakes node 2 (bound N-1 = 3)', () => {
    const run = simulateWith(lifo, busy)
    const asked = noted(run.trace, CS_REQUEST, 2)[0]
    const overtaking = noted(run.trace, CS_ENTER).filter((e) => e.i > asked.i && e.node !== 2)
    expect(overtaking.map((e) => [e.node, e.time])).toEqual([
      [3, 70],
      [1, 130],
      [3, 190],
      [1, 250],
    ])
    const v = violationsOf(run, 'no-starvation')
    expect(v.map((x) => x.at)).toEqual([overtaking[3].i])
    expect(v[0].message).toMatch(
      /node 1 enters while node 2 has waited since its request \(event \d+/,
    )
    expect(v[0].message).toMatch(/4 entries by others, bound N-1 = 3$/)
  })

  it('counts entries only once every message of the request has been delivered', () => {
    const t = hand(3)
    t.event(0, 'command', [CS_REQUEST])
    const req = t.send(0, [1, 2])
    t.receive(1, req, 0)
    // Before node 2 has the request, node 1 may enter any number of times.
    for (let k = 0; k < 4; k++) t.event(1, 'command', [CS_REQUEST, CS_ENTER])
    t.receive(2, req, 0)
    t.event(1, 'command', [CS_REQUEST, CS_ENTER])
    t.event(2, 'command', [CS_REQUEST, CS_ENTER])
    const third = t.event(1, 'command', [CS_REQUEST, CS_ENTER])
    t.event(1, 'command', [CS_REQUEST, CS_ENTER])
    const [verdict] = checkTrace(t.meta('ricart-agrawala'), t.events, [noStarvationChecker])
    expect(verdict.violations.map((v) => v.at)).toEqual([third])
  })

  it('never counts for a request whose message was dropped, nor for a crashed requester', () => {
    const t = hand(3)
    t.event(0, 'command', [CS_REQUEST])
    const req = t.send(0, [1, 2])
    t.receive(1, req, 0)
    t.drop(req, 0, 2)
    t.event(2, 'command', [CS_REQUEST])
    t.event(2, 'crash')
    for (let k = 0; k < 5; k++) t.event(1, 'command', [CS_REQUEST, CS_ENTER])
    const [verdict] = checkTrace(t.meta('suzuki-kasami'), t.events, [noStarvationChecker])
    expect(verdict.violations).toEqual([])
  })

  it('does not apply to majority voting, which does not claim fairness', () => {
    expect(noStarvationChecker.appliesTo(hand().meta('mutex-majority'))).toBe(false)
    expect(noStarvationChecker.appliesTo(hand().meta('token-ring'))).toBe(true)
  })
})
