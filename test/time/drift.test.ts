// Drift: the oscillator's frequency error from a least-squares line through
// (local, reference − local), with a Student-t confidence interval that covers the truth as
// often as it claims, over a sliding window.
import { describe, expect, it } from 'vitest'
import { Rng } from '../../src/core/random'
import { DriftEstimator, driftPoint, studentT } from '../../src/time/drift'
import type { TimeSample } from '../../src/time/source'

/** Points of a local clock running `ppm` fast, read against a reference with Gaussian noise. */
function feed(
  d: DriftEstimator,
  rng: Rng,
  ppm: number,
  n: number,
  noiseS: number,
  stepS = 1,
): void {
  const start = 1_700_000_000_000_000_000n
  for (let i = 0; i < n; i++) {
    const t = i * stepS
    const local = start + BigInt(Math.round(t * (1 + ppm * 1e-6) * 1e9))
    const reference = start + BigInt(Math.round((t + rng.normal() * noiseS) * 1e9))
    d.add({ localNs: local, referenceNs: reference })
  }
}

describe('studentT', () => {
  it('matches the table', () => {
    const table: [number, number, number][] = [
      [0.95, 1, 12.706],
      [0.95, 2, 4.303],
      [0.95, 5, 2.571],
      [0.95, 30, 2.042],
      [0.99, 10, 3.169],
      [0.9, 20, 1.725],
    ]
    for (const [c, df, t] of table) expect(studentT(c, df)).toBeCloseTo(t, 3)
    expect(studentT(0.95, 1e6)).toBeCloseTo(1.96, 2)
  })
})

describe('DriftEstimator', () => {
  it('recovers a clean frequency error exactly', () => {
    const d = new DriftEstimator()
    feed(d, Rng.fromSeed(1), 37.5, 20, 0)
    const e = d.estimate()!
    expect(e.ppm).toBeCloseTo(37.5, 3)
    expect(e.halfWidthPpm).toBeLessThan(0.01)
    expect(e.points).toBe(20)
  })

  it('needs three points', () => {
    const d = new DriftEstimator()
    feed(d, Rng.fromSeed(1), 5, 2, 0)
    expect(d.estimate()).toBeUndefined()
  })

  it('gives 95% intervals that cover the true drift in about 95% of 400 noisy runs', () => {
    const rng = Rng.fromSeed(42)
    let covered = 0
    for (let run = 0; run < 400; run++) {
      const d = new DriftEstimator({ confidence: 0.95 })
      feed(d, rng, -12, 8, 1e-4)
      const e = d.estimate()!
      if (Math.abs(e.ppm - -12) <= e.halfWidthPpm) covered++
    }
    // Binomial(400, 0.95): mean 380, sd 4.4.
    expect(covered).toBeGreaterThan(365)
    expect(covered).toBeLessThan(395)
  })

  it('slides: only the last windowSeconds count, and a step back starts over', () => {
    const d = new DriftEstimator({ windowSeconds: 10 })
    feed(d, Rng.fromSeed(3), 0, 30, 0)
    expect(d.size).toBe(11)
    expect(d.estimate()!.spanSeconds).toBeCloseTo(10, 3)
    d.add({ localNs: 0n, referenceNs: 0n })
    expect(d.size).toBe(1)
  })

  it('caps the number of points', () => {
    const d = new DriftEstimator({ maxPoints: 5 })
    feed(d, Rng.fromSeed(3), 1, 50, 0)
    expect(d.size).toBe(5)
  })
})

describe('driftPoint', () => {
  const sample = { localNs: 1_000_000n, referenceNs: 1_000_250n } as TimeSample

  it('measures the bare oscillator (MONOTONIC_RAW) where the sample has it', () => {
    expect(driftPoint({ ...sample, localRawNs: 50n })).toEqual({ localNs: 50n, referenceNs: 300n })
  })

  it('falls back to the wall clock', () => {
    expect(driftPoint(sample)).toEqual({ localNs: 1_000_000n, referenceNs: 1_000_250n })
  })
})
