// The LAN view's clock-sync reading of a live trace: offsets from the sync notes, drift with
// the corrections undone (or NTP's frequency), and strata under a reference peer.
import { describe, expect, it } from 'vitest'
import type { Note, TraceEvent } from '../../src/core/trace'
import { slopePpm, syncView } from '../../src/lab/lan-sync'

let seq = 0
/** A timer event on `node` at local time `local` ms, carrying `notes`. */
const at = (node: number, local: number, notes: Note[]): TraceEvent => ({
  kind: 'timer',
  timer: 'poll',
  i: seq,
  node,
  seq: seq++,
  lamport: 1,
  local,
  notes,
})

const T0 = 1_700_000_000_000

describe('syncView', () => {
  it('reads a Cristian run under a reference peer: strata 9 and 10, offsets, drift', () => {
    const events: TraceEvent[] = []
    // Node 0 is the reference peer (its source is stratum 8); it serves nodes 1 and 2.
    for (let k = 0; k < 20; k++) {
      const t = T0 + 500 * k
      events.push(
        at(0, t, [{ kind: 'clock.reference', data: { stratum: 9, source: 'ntp 127.0.0.1:123' } }]),
      )
      // Node 1 runs 100 ppm fast: 0.05 ms gained per half second, corrected (slewed) each time.
      events.push(
        at(1, t + 1, [
          { kind: 'clock.sample', data: { offset: 0.05, error: 0.2, source: 0 } },
          { kind: 'clock.slew', data: { deltaMs: -0.05 } },
        ]),
      )
      // Node 2 runs true, with 1 ms of scatter in what it measures.
      events.push(
        at(2, t + 2, [
          { kind: 'clock.sample', data: { offset: k % 2 ? 1 : -1, error: 1, source: 0 } },
        ]),
      )
    }
    const view = syncView(events, ['ref', 'bea', 'cal'], T0)
    expect(view.hasReference).toBe(true)
    const [ref, bea, cal] = view.nodes
    expect(ref).toMatchObject({ stratum: 9, reference: 'ntp 127.0.0.1:123', samples: 0 })
    expect(bea).toMatchObject({ stratum: 10, parent: 0, samples: 20, offsetMs: 0.05 })
    expect(cal).toMatchObject({ stratum: 10, parent: 0, samples: 20 })
    expect(bea.driftPpm).toBeCloseTo(100, 6)
    // Scatter does not read as drift: the fit through 20 points stays near 0.
    expect(Math.abs(cal.driftPpm!)).toBeLessThan(300)
    expect(bea.offsets[0]).toEqual([0.001, 0.05])
  })

  it('weighs each sample by its error bound: one slow round trip does not read as drift', () => {
    const points: [number, number, number][] = Array.from({ length: 20 }, (_, k) => [
      k * 0.25,
      0,
      0.5,
    ])
    points[0] = [0, -11, 11]
    expect(Math.abs(slopePpm(points)!)).toBeLessThan(50)
  })

  it('undoes slews as the clock makes them: a clock slewing off 10 ms shows no drift', () => {
    // A true clock 10 ms ahead, slewed at 500 ppm: each second it is 0.5 ms closer, and the
    // algorithm slews again by what it measures (replacing the slew under way).
    const events = Array.from({ length: 10 }, (_, k) => {
      const offset = 10 - 0.5 * k
      return at(1, T0 + 1000 * k, [
        { kind: 'clock.sample', data: { offset, error: 0.1, source: 0 } },
        { kind: 'clock.slew', data: { deltaMs: -offset } },
      ])
    })
    const [, n1] = syncView(events, ['a', 'b'], T0).nodes
    expect(Math.abs(n1.driftPpm!)).toBeLessThan(1e-6)
    expect(n1.drift.length).toBe(8)
  })

  it("takes NTP's system peer as the parent and its frequency correction as the drift", () => {
    const events = [
      at(0, T0, [{ kind: 'clock.reference', data: { stratum: 2, source: 'gps /dev/ttyS0' } }]),
      at(1, T0 + 10, [
        { kind: 'clock.sample', data: { offset: 0.4, error: 1, source: 2 } },
        { kind: 'ntp.update', data: { systemPeer: 0, stratum: 2 } },
        { kind: 'clock.frequency', data: { ppm: -12.5 } },
      ]),
    ]
    const [, n1] = syncView(events, ['a', 'b', 'c'], T0).nodes
    expect(n1).toMatchObject({ parent: 0, stratum: 3, driftPpm: 12.5 })
  })

  it('gives no stratum without a reference: internal sync has none', () => {
    const events = [
      at(1, T0, [{ kind: 'clock.sample', data: { offset: 2, error: 1, source: 'average' } }]),
      at(0, T0, [{ kind: 'clock.sample', data: { offset: -1, error: 1, source: 1 } }]),
    ]
    const view = syncView(events, ['a', 'b'], T0)
    expect(view.hasReference).toBe(false)
    expect(view.nodes.every((n) => n.stratum === undefined)).toBe(true)
    expect(view.nodes[0].parent).toBe(1)
  })
})

describe('slopePpm', () => {
  it('needs three points over a second, and reads ms per s as thousands of ppm', () => {
    expect(
      slopePpm([
        [0, 0],
        [0.5, 1],
      ]),
    ).toBeUndefined()
    expect(
      slopePpm([
        [0, 0],
        [0.2, 0],
        [0.4, 0],
      ]),
    ).toBeUndefined()
    expect(
      slopePpm([
        [0, 0],
        [1, 0.001],
        [2, 0.002],
      ]),
    ).toBeCloseTo(1, 9)
  })
})
