// The simulated clock model: skew scales elapsed time, a step jumps (backwards
// too), a slew bends the rate by exactly the maximum slew rate until the amount
// is absorbed and never jumps, a new slew replaces the old one, and wander is a
// seeded random walk of the frequency.
import { describe, expect, it } from 'vitest'
import { Rng } from '../../src/core/random'
import { ClockSpecSchema, SimClock, type ClockSpec } from '../../src/sim/clock'

const clock = (spec: Partial<ClockSpec>, seed = 1) =>
  new SimClock(ClockSpecSchema.parse(spec), Rng.fromSeed(seed))

describe('SimClock: offset and skew', () => {
  for (const [offset, ppm] of [
    [0, 0],
    [25, 100],
    [-300, -250],
    [1e6, 37.5],
  ]) {
    it(`offset ${offset} ms, skew ${ppm} ppm: reads offset + T(1 + ppm·1e-6)`, () => {
      const c = clock({ offset, skewPpm: ppm })
      for (const T of [0, 1, 999.5, 60_000, 3_600_000, 86_400_000]) {
        const want = offset + T * (1 + ppm * 1e-6)
        expect(c.read(T)).toBeCloseTo(want, 6)
      }
      expect(c.rate()).toBe(1 + ppm * 1e-6)
      expect(c.frequencyPpm()).toBe(ppm)
    })
  }

  it('the default clock is perfect', () => {
    const c = clock({})
    expect(c.read(123_456.789)).toBe(123_456.789)
  })
})

describe('SimClock: step', () => {
  it('jumps by the delta at once, forwards or backwards, and keeps its rate', () => {
    const c = clock({ skewPpm: 200 })
    const r = 1 + 200e-6
    expect(c.read(1000)).toBeCloseTo(1000 * r, 9)
    c.step(1000, 50)
    expect(c.read(1000)).toBeCloseTo(1000 * r + 50, 9)
    c.step(2000, -500)
    // Backwards: the reading after the step is below the one just before it.
    const before = 1000 * r + 50 + 1000 * r
    expect(c.read(2000)).toBeCloseTo(before - 500, 9)
    expect(c.read(2000)).toBeLessThan(before)
    expect(c.read(5000)).toBeCloseTo(5000 * r + 50 - 500, 9)
    expect(c.rate()).toBe(r)
  })
})

describe('SimClock: slew', () => {
  it('300 ms at the default 500 ppm completes after exactly 600 s, at exactly rate 1.0005, without a jump', () => {
    const c = clock({})
    const t0 = 10_000
    expect(c.read(t0)).toBe(t0)
    c.slew(t0, 300)
    expect(c.slewEndsAt()).toBe(t0 + 600_000)
    expect(c.rate()).toBe(1.0005)
    expect(c.frequencyPpm()).toBe(500)
    // Meanwhile: local time advances at exactly 1.0005 per true ms.
    let prevT = t0
    let prev = c.read(t0)
    for (let t = t0 + 1000; t <= t0 + 600_000; t += 1000) {
      const now = c.read(t)
      expect(now - prev).toBeCloseTo((t - prevT) * 1.0005, 6)
      prevT = t
      prev = now
    }
    // At the end exactly 300 ms have been absorbed, and the rate is back to 1.
    expect(c.read(t0 + 600_000)).toBeCloseTo(t0 + 600_000 + 300, 6)
    expect(c.read(t0 + 700_000)).toBeCloseTo(t0 + 700_000 + 300, 6)
    expect(c.rate()).toBe(1)
    expect(c.slewEndsAt()).toBe(Infinity)
  })

  it('never jumps: readings around the end of the slew are continuous, and monotone for a positive rate', () => {
    const c = clock({ skewPpm: -20 })
    c.slew(0, -300) // runs slow by 500 ppm for 600 s
    const end = c.slewEndsAt()
    expect(end).toBe(600_000)
    expect(c.read(0)).toBe(0)
    let prev = c.read(end - 5.25)
    for (let t = end - 5; t <= end + 5; t += 0.25) {
      const now = c.read(t)
      expect(now).toBeGreaterThan(prev)
      // No step larger than the fastest rate allows.
      expect(now - prev).toBeLessThanOrEqual(0.25 * (1 + 520e-6) + 1e-9)
      prev = now
    }
    expect(c.read(end)).toBeCloseTo(end * (1 - 20e-6) - 300, 6)
  })

  it('a smaller maxSlewPpm takes proportionally longer', () => {
    const c = clock({ maxSlewPpm: 100 })
    c.slew(0, 50)
    expect(c.slewEndsAt()).toBeCloseTo(500_000, 6)
    expect(c.rate()).toBeCloseTo(1.0001, 12)
  })

  it('a new slew replaces the one in progress (as adjtime does)', () => {
    const c = clock({})
    c.slew(0, 300)
    // After 100 s, 50 ms have been absorbed; the remaining 250 ms are abandoned.
    expect(c.read(100_000)).toBeCloseTo(100_050, 6)
    c.slew(100_000, -100)
    expect(c.slewEndsAt()).toBeCloseTo(300_000, 6)
    expect(c.rate()).toBe(1 - 500e-6)
    expect(c.read(300_000)).toBeCloseTo(300_000 + 50 - 100, 6)
    expect(c.read(400_000)).toBeCloseTo(400_000 - 50, 6)
    // A slew of 0 cancels.
    c.slew(400_000, 300)
    c.slew(410_000, 0)
    expect(c.slewEndsAt()).toBe(Infinity)
    expect(c.read(500_000)).toBeCloseTo(500_000 - 50 + 5, 6)
  })
})

describe('SimClock: wander', () => {
  it('wander 0 is deterministic: the seed does not matter', () => {
    const a = clock({ skewPpm: 30 }, 1)
    const b = clock({ skewPpm: 30 }, 2)
    for (let t = 0; t <= 100_000; t += 777) expect(a.read(t)).toBe(b.read(t))
  })

  it('wander > 0 is reproducible for one seed, differs across seeds, and moves the frequency', () => {
    const readings = (seed: number, step: number) => {
      const c = clock({ wanderPpm: 5 }, seed)
      const out: number[] = []
      for (let t = 0; t <= 200_000; t += step) out.push(c.read(t))
      return { out, freq: c.frequencyPpm() }
    }
    const a = readings(7, 500)
    const b = readings(7, 500)
    expect(b).toEqual(a)
    expect(readings(8, 500).out).not.toEqual(a.out)
    expect(a.freq).not.toBe(0)
  })

  it('the reading at a time does not depend on how often the clock was read before', () => {
    const dense = clock({ wanderPpm: 3, skewPpm: 10 }, 42)
    for (let t = 0; t < 50_000; t += 13) dense.read(t)
    const sparse = clock({ wanderPpm: 3, skewPpm: 10 }, 42)
    expect(sparse.read(50_000)).toBe(dense.read(50_000))
  })

  it('the frequency random walk has the configured spread per second (sd·sqrt(steps))', () => {
    // After k one-second steps the frequency offset is N(0, (w·sqrt k)^2); over many seeds
    // the sample variance must be near w^2·k (chi-square, 5 sd band for 400 samples).
    const w = 2
    const k = 25
    const seeds = 400
    let sumSq = 0
    for (let s = 1; s <= seeds; s++) {
      const c = clock({ wanderPpm: w }, s)
      c.read(k * 1000)
      sumSq += c.frequencyPpm() ** 2
    }
    const variance = sumSq / seeds
    const want = w * w * k
    expect(Math.abs(variance - want)).toBeLessThanOrEqual(5 * want * Math.sqrt(2 / seeds))
  })
})
