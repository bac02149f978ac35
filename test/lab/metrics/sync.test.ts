// The sync metrics: true offsets interpolated between a node's events, a relative
// sample's miss against the difference of two true offsets, ensemble errors,
// convergence time and percentiles.
import { describe, expect, it } from 'vitest'
import type { ProcessEvent } from '../../../src/core/trace'
import {
  convergenceTime,
  ensembleErrors,
  OffsetTracks,
  sampleError,
  spread,
} from '../../../src/lab/metrics/sync'

let i = 0
const at = (node: number, time: number, local: number): ProcessEvent => ({
  i: i++,
  kind: 'timer',
  timer: 't',
  node,
  seq: i,
  lamport: i,
  local,
  time,
})

describe('sync metrics', () => {
  const tracks = new OffsetTracks(2, [
    at(0, 0, 10),
    at(0, 1000, 1012),
    at(1, 500, 495),
    at(1, 1500, 1495),
  ])

  it('interpolates a true offset between events and holds it beyond them', () => {
    expect(tracks.offsetAt(0, 500)).toBe(11)
    expect(tracks.offsetAt(0, 5000)).toBe(12)
    expect(tracks.offsetAt(1, 0)).toBe(-5)
  })

  it("a relative sample's miss: estimate − (my true offset − the peer's)", () => {
    const row = { node: 0, time: 500, local: 511, trueOffset: 11, estimate: 17, error: 1, peer: 1 }
    expect(sampleError(row, tracks)).toBe(17 - (11 - -5))
    expect(sampleError({ ...row, peer: undefined }, tracks)).toBe(6)
  })

  it('ensemble errors: each node against the members’ mean at its own instants', () => {
    const [zero] = ensembleErrors(tracks, [0], [0, 1])
    expect(zero).toEqual([
      [0, 10 - (10 - 5) / 2],
      [1000, 12 - (12 - 5) / 2],
    ])
  })

  it('convergence: when the error enters the band for good', () => {
    const series: [number, number][] = [
      [0, 50],
      [10, 0.5],
      [20, 3],
      [30, 0.2],
      [40, -0.9],
    ]
    expect(convergenceTime(series, 1)).toBe(30)
    expect(convergenceTime(series, 100)).toBe(0)
    expect(convergenceTime([...series, [50, 7]], 1)).toBeUndefined()
  })

  it('percentiles of |x| by nearest rank', () => {
    const s = spread([-4, 1, 2, 3, -5, 6, 7, 8, 9, 10])
    expect(s).toEqual({ p50: 5, p95: 10, max: 10, count: 10 })
  })
})
