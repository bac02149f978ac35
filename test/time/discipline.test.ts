// The step-vs-slew policy and the disciplined clock it drives: offsets beyond the
// threshold (128 ms by default) are stepped, smaller ones slewed at the maximum
// slew rate (500 ppm), per-node overrides apply, a slew's duration and remainder
// follow |delta| / rate, and a frequency correction is absolute and clamped.
import { describe, expect, it } from 'vitest'
import { DisciplinedClock } from '../../src/time/discipline/disciplined-clock'
import {
  correct,
  decide,
  DisciplineParamsSchema,
  policyFor,
  slewDurationMs,
  slewLeft,
} from '../../src/time/discipline/policy'

const auto = policyFor(DisciplineParamsSchema.parse({}), 0)

describe('the step-vs-slew policy', () => {
  it('defaults to ntpd and Linux: step beyond 128 ms, slew at 500 ppm below', () => {
    expect(auto).toEqual({ mode: 'auto', stepThresholdMs: 128, maxSlewPpm: 500 })
    expect(decide(auto, 128)).toBe('slew')
    expect(decide(auto, -128)).toBe('slew')
    expect(decide(auto, 128.001)).toBe('step')
    expect(decide(auto, -300)).toBe('step')
  })

  it('forced modes and per-node overrides', () => {
    const params = DisciplineParamsSchema.parse({
      mode: 'slew',
      nodes: { '1': { mode: 'step' }, '2': { stepThresholdMs: 10, mode: 'auto' } },
    })
    expect(decide(policyFor(params, 0), 5000)).toBe('slew')
    expect(decide(policyFor(params, 1), 0.1)).toBe('step')
    expect(decide(policyFor(params, 2), 11)).toBe('step')
    expect(decide(policyFor(params, 2), 9)).toBe('slew')
  })

  it('rejects a zero slew rate or threshold, and unknown fields', () => {
    expect(DisciplineParamsSchema.safeParse({ maxSlewPpm: 0 }).success).toBe(false)
    expect(DisciplineParamsSchema.safeParse({ stepThresholdMs: 0 }).success).toBe(false)
    expect(DisciplineParamsSchema.safeParse({ nodes: { x: {} } }).success).toBe(false)
    expect(DisciplineParamsSchema.safeParse({ treshold: 1 }).success).toBe(false)
  })

  it('correct() steps the whole offset, or slews the share it is given', () => {
    const calls: string[] = []
    const clock = {
      step: (d: number) => calls.push(`step ${d}`),
      slew: (d: number) => calls.push(`slew ${d}`),
    }
    expect(correct(clock, auto, -300)).toBe('step')
    expect(correct(clock, auto, 40, 0.25)).toBe('slew')
    expect(calls).toEqual(['step -300', 'slew 10'])
  })

  it('300 ms at 500 ppm takes 600 s; what is left shrinks at the slew rate', () => {
    expect(slewDurationMs(300)).toBeCloseTo(600_000, 6)
    expect(slewDurationMs(-300, 100)).toBeCloseTo(3_000_000, 6)
    expect(slewLeft(300, 0)).toBe(300)
    expect(slewLeft(300, 200_000)).toBeCloseTo(200, 9)
    expect(slewLeft(-300, 200_000)).toBeCloseTo(-200, 9)
    expect(slewLeft(300, 600_000)).toBe(0)
    expect(slewLeft(300, 1e9)).toBe(0)
  })
})

describe('DisciplinedClock', () => {
  const limits = { maxSlewPpm: 500, maxFreqPpm: 500 }

  it('follows its source one to one until disciplined', () => {
    const c = new DisciplinedClock(1000, 5000, limits)
    expect(c.read(1000)).toBe(5000)
    expect(c.read(61_000)).toBe(65_000)
  })

  it('a frequency correction is absolute, clamped to ±maxFreqPpm, and bends the rate from then on', () => {
    const c = new DisciplinedClock(0, 0, limits)
    expect(c.adjustFrequency(1000, 100)).toBe(100)
    expect(c.adjustFrequency(1000, -50)).toBe(-50)
    expect(c.read(11_000)).toBeCloseTo(1000 + 10_000 * (1 - 50e-6), 9)
    expect(c.adjustFrequency(11_000, 9999)).toBe(500)
    expect(c.correctionPpm()).toBe(500)
    expect(c.rate()).toBe(1.0005)
  })

  it('reports what is left of a slew, and a slew and a correction add up', () => {
    const c = new DisciplinedClock(0, 0, limits)
    c.adjustFrequency(0, 20)
    c.slew(0, -10)
    expect(c.frequencyPpm()).toBe(20 - 500)
    expect(c.slewRemaining(10_000)).toBeCloseTo(-5, 9)
    expect(c.read(20_000)).toBeCloseTo(20_000 * (1 + 20e-6) - 10, 9)
    expect(c.slewRemaining(30_000)).toBe(0)
    expect(c.slewRatePpm()).toBe(0)
  })

  it('refuses a slew rate of zero', () => {
    expect(() => new DisciplinedClock(0, 0, { maxSlewPpm: 0, maxFreqPpm: 500 })).toThrow(
      /maxSlewPpm/,
    )
  })
})
