// The clock-monotonicity checker on hand-made traces: a wall-clock stamp below an
// earlier one on the same node is flagged, with the backward jump that caused it
// (an announced step, or a reading below the previous event's, as a leap second
// gives); stamps on different nodes, a clock that goes back with nobody
// stamping, and runs of other algorithms are not its business.
import { describe, expect, it } from 'vitest'
import { clockMonotonicityChecker } from '../../../src/check/sync/clock-monotonicity'
import { checkTrace } from '../../../src/check/index'
import type { Note, ProcessEvent, TraceMeta } from '../../../src/core/trace'

const meta: TraceMeta = {
  source: 'sim',
  algorithm: 'cristian',
  params: {},
  nodes: ['n0', 'n1'],
  vectorTime: false,
}

let i = 0
function ev(node: number, local: number, ...notes: Note[]): ProcessEvent {
  return { i: i++, kind: 'timer', timer: 't', node, seq: i, lamport: i, local, notes }
}
const stamp = (ts: number): Note => ({ kind: 'wall.stamp', data: { ts } })
const step = (deltaMs: number): Note => ({ kind: 'clock.step', data: { deltaMs } })

const verdict = (events: ProcessEvent[]) => checkTrace(meta, events, [clockMonotonicityChecker])[0]

describe('clock-monotonicity', () => {
  it('flags a stamp earlier than the last one on its node, naming the step that went back', () => {
    i = 0
    const v = verdict([
      ev(0, 1000, stamp(1000)),
      ev(0, 1050, step(-300)),
      ev(0, 850, stamp(850)),
      ev(0, 1200, stamp(1200)),
    ])
    expect(v.ok).toBe(false)
    expect(v.violations).toEqual([
      {
        checker: 'clock-monotonicity',
        at: 2,
        message:
          'node 0: wall-clock stamp 850 is 150 ms earlier than the one taken at event 0; the clock went back 300 ms at event 1 (clock.step): order by a monotonic clock, or slew',
      },
    ])
  })

  it('a reading below the previous event with no step announced (a leap second) is named as such', () => {
    i = 0
    const v = verdict([ev(1, 30_000, stamp(30_000)), ev(1, 29_100, stamp(29_100))])
    expect(v.violations[0].message).toMatch(
      /went back 900 ms at event 1 \(a leap second or an unannounced step\)/,
    )
  })

  it('a stamp taken after a step in the same handler sees it', () => {
    i = 0
    const v = verdict([ev(0, 500, stamp(500)), ev(0, 600, step(-200), stamp(400))])
    expect(v.violations).toHaveLength(1)
    expect(v.violations[0].at).toBe(1)
  })

  it('does not flag: a slewed clock, stamps on different nodes, a backward step with nobody stamping', () => {
    i = 0
    expect(
      verdict([
        ev(0, 100, stamp(100)),
        ev(0, 199.95, stamp(199.95)),
        ev(1, 50, stamp(50)),
        ev(1, 60, step(-500)),
        ev(1, -430),
        ev(0, 300, stamp(300)),
      ]).ok,
    ).toBe(true)
  })

  it('applies to the sync algorithms only', () => {
    expect(clockMonotonicityChecker.appliesTo(meta)).toBe(true)
    expect(clockMonotonicityChecker.appliesTo({ ...meta, algorithm: 'ntp' })).toBe(true)
    expect(clockMonotonicityChecker.appliesTo({ ...meta, algorithm: 'lamport' })).toBe(false)
  })
})
