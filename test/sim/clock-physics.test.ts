// The clock model's additions for clock synchronization: offset and skew drawn
// within bounds, a temperature-like frequency cycle, the frequency correction a
// PLL/FLL sets, leap seconds inserted by a step or smeared, and a reference that
// reads true time within its jitter. Each is checked against its formula.
import { describe, expect, it } from 'vitest'
import { Rng } from '../../src/core/random'
import { ClockSpecSchema, leapShift, SimClock, type ClockSpec } from '../../src/sim/clock'

type SpecInput = Parameters<typeof ClockSpecSchema.parse>[0]
/** A clock with streams split from the seed, as the simulator makes them. */
function clock(spec: SpecInput, seed = 1): SimClock {
  const [own, reference] = Rng.fromSeed(seed).split(2)
  return new SimClock(ClockSpecSchema.parse(spec), own, reference)
}

describe('offset and skew bounds', () => {
  it('each clock draws its offset and skew uniformly within the bounds, the same for one seed', () => {
    const offsets: number[] = []
    const skews: number[] = []
    for (let seed = 1; seed <= 400; seed++) {
      const c = clock({ offset: 10, skewPpm: 5, offsetBoundMs: 50, skewBoundPpm: 20 }, seed)
      const o = c.read(0)
      offsets.push(o)
      skews.push(c.frequencyPpm())
      expect(
        clock({ offset: 10, skewPpm: 5, offsetBoundMs: 50, skewBoundPpm: 20 }, seed).read(0),
      ).toBe(o)
    }
    expect(Math.min(...offsets)).toBeGreaterThanOrEqual(-40)
    expect(Math.max(...offsets)).toBeLessThanOrEqual(60)
    expect(Math.min(...skews)).toBeGreaterThanOrEqual(-15)
    expect(Math.max(...skews)).toBeLessThanOrEqual(25)
    // Spread over the range, not stuck at the centre: a uniform draw's quartiles.
    const sorted = [...offsets].sort((a, b) => a - b)
    expect(sorted[100]).toBeLessThan(0)
    expect(sorted[300]).toBeGreaterThan(20)
  })

  it('a skew drawn once keeps the clock linear', () => {
    const c = clock({ skewBoundPpm: 100 }, 9)
    const ppm = c.frequencyPpm()
    expect(c.read(1_000_000)).toBeCloseTo(1_000_000 * (1 + ppm * 1e-6), 6)
  })
})

describe('temperature-like drift', () => {
  it('the frequency follows amplitude·sin(2πt/period + phase), held for each second', () => {
    const c = clock({ thermal: { amplitudePpm: 4, periodS: 100, phaseDeg: 0 } })
    for (const s of [0, 25, 50, 75, 110]) {
      c.read(s * 1000)
      expect(c.frequencyPpm()).toBeCloseTo(4 * Math.sin((2 * Math.PI * s) / 100), 9)
    }
  })

  it('over a whole period the cycle cancels out: the clock ends where a perfect one would', () => {
    const c = clock({ thermal: { amplitudePpm: 10, periodS: 600, phaseDeg: 90 } })
    // The discrete sum over one period of a sine sampled each second is zero.
    expect(c.read(600_000)).toBeCloseTo(600_000, 6)
    expect(c.read(300_000 + 600_000)).toBeLessThan(900_000 + 1)
  })
})

describe('frequency correction', () => {
  it('shifts the rate from the moment it is set, and is clamped to ±maxFreqPpm', () => {
    const c = clock({ skewPpm: 40 })
    expect(c.adjustFrequency(10_000, -40)).toBe(-40)
    expect(c.read(1_010_000)).toBeCloseTo(10_000 * (1 + 40e-6) + 1_000_000, 6)
    const d = clock({ maxFreqPpm: 100 })
    expect(d.adjustFrequency(0, -250)).toBe(-100)
    expect(d.rate()).toBeCloseTo(1 - 100e-6, 12)
  })
})

describe('leap seconds', () => {
  const leap = (l: ClockSpec['leap']) => ({ leap: l })

  it('an inserted leap second steps the clock back 1 s at the leap, as 23:59:59 repeats', () => {
    const c = clock(leap({ at: 30_000, kind: 'insert', smearMs: 0 }))
    expect(c.read(29_999)).toBe(29_999)
    expect(c.read(30_000)).toBe(29_000)
    expect(c.read(30_500)).toBe(29_500)
  })

  it('a deleted one jumps it forward', () => {
    const c = clock(leap({ at: 5000, kind: 'delete', smearMs: 0 }))
    expect(c.read(5000)).toBe(6000)
  })

  it('a smeared one slows the clock by 1 s over the window centred on the leap, never jumping', () => {
    const c = clock(leap({ at: 60_000, kind: 'insert', smearMs: 40_000 }))
    let prev = c.read(0)
    for (let t = 100; t <= 100_000; t += 100) {
      const now = c.read(t)
      expect(now).toBeGreaterThan(prev)
      expect(now).toBeCloseTo(t + leapShift({ at: 60_000, kind: 'insert', smearMs: 40_000 }, t), 6)
      prev = now
    }
    expect(leapShift({ at: 60_000, kind: 'insert', smearMs: 40_000 }, 60_000)).toBe(-500)
    expect(c.read(110_000)).toBeCloseTo(109_000, 6)
    // 1000 ms over 40 s: 25,000 ppm slow inside the window.
    const d = clock(leap({ at: 60_000, kind: 'insert', smearMs: 40_000 }))
    d.read(50_000)
    expect(d.frequencyPpm()).toBe(-25_000)
  })
})

describe('reference', () => {
  it('a node without one has none', () => {
    expect(clock({}).reference(123)).toBeUndefined()
  })

  it('reads true time within ±jitterMs, spread over the band, and says so', () => {
    const c = clock({ reference: { jitterMs: 0.5 } })
    const misses: number[] = []
    for (let t = 0; t < 1000; t++) {
      const r = c.reference(t)!
      expect(r.error).toBe(0.5)
      misses.push(r.time - t)
    }
    expect(Math.max(...misses.map(Math.abs))).toBeLessThanOrEqual(0.5)
    expect(Math.max(...misses)).toBeGreaterThan(0.4)
    expect(Math.min(...misses)).toBeLessThan(-0.4)
  })

  it('follows the same leap as its node, so a leaping node and its reference agree', () => {
    const c = clock({ reference: {}, leap: { at: 1000, kind: 'insert', smearMs: 0 } })
    expect(c.reference(2000)!.time).toBe(1000)
    expect(c.read(2000)).toBe(1000)
  })

  it('reading it never changes the clock (its noise has a stream of its own)', () => {
    const a = clock({ wanderPpm: 2, reference: { jitterMs: 1 } }, 5)
    const b = clock({ wanderPpm: 2, reference: { jitterMs: 1 } }, 5)
    for (let t = 0; t < 20_000; t += 10) a.reference(t)
    expect(a.read(20_000)).toBe(b.read(20_000))
  })
})
