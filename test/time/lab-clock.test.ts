// The lab clock: a software clock over an injected oscillator (a fake here; the
// live runtime passes monotonic raw), disciplined as a simulated clock is. It
// never touches the system clock; a step jumps it, a slew bends its rate by the
// policy's slew rate, corrections go through the step-vs-slew policy, and every
// adjustment is reported.
import { describe, expect, it } from 'vitest'
import { LabClock, type LabClockAdjustment } from '../../src/time/lab-clock'

function fakeOscillator(start = 1_000_000) {
  let t = start
  return { read: () => t, advance: (ms: number) => (t += ms) }
}

describe('LabClock', () => {
  it('follows the oscillator from its start reading', () => {
    const osc = fakeOscillator()
    const clock = new LabClock({ oscillator: osc.read, start: 1.7e12 })
    expect(clock.now()).toBe(1.7e12)
    osc.advance(2500)
    expect(clock.now()).toBe(1.7e12 + 2500)
  })

  it('a correction of 300 ms back is a step (backwards, at once) under the default policy', () => {
    const osc = fakeOscillator()
    const seen: LabClockAdjustment[] = []
    const clock = new LabClock({ oscillator: osc.read, start: 0, onAdjust: (a) => seen.push(a) })
    osc.advance(1000)
    expect(clock.correct(-300)).toBe('step')
    expect(clock.now()).toBe(700)
    expect(seen).toEqual([{ kind: 'step', deltaMs: -300, at: 1000 }])
  })

  it('slewing 300 ms at 500 ppm takes 600 s of oscillator time, at a bounded rate, never backwards', () => {
    const osc = fakeOscillator()
    const clock = new LabClock({ oscillator: osc.read, start: 0, policy: { mode: 'slew' } })
    expect(clock.correct(-300)).toBe('slew')
    let prev = clock.now()
    for (let k = 0; k < 600; k++) {
      osc.advance(1000)
      const now = clock.now()
      expect(now - prev).toBeCloseTo(1000 * (1 - 500e-6), 9)
      prev = now
    }
    expect(clock.now()).toBeCloseTo(600_000 - 300, 6)
    expect(clock.state().slewRemainingMs).toBe(0)
    osc.advance(1000)
    expect(clock.now()).toBeCloseTo(601_000 - 300, 6)
  })

  it('its own slew rate and step threshold come from the policy', () => {
    const osc = fakeOscillator()
    const clock = new LabClock({
      oscillator: osc.read,
      start: 0,
      policy: { maxSlewPpm: 100, stepThresholdMs: 1000 },
    })
    expect(clock.correct(-300)).toBe('slew')
    osc.advance(1_000_000)
    expect(clock.state()).toMatchObject({ slewPpm: -100, slewRemainingMs: expect.closeTo(-200, 6) })
  })

  it('a frequency correction changes its rate, and is reported as applied (clamped)', () => {
    const osc = fakeOscillator()
    const seen: LabClockAdjustment[] = []
    const clock = new LabClock({ oscillator: osc.read, start: 0, onAdjust: (a) => seen.push(a) })
    clock.adjustFrequency(-25)
    osc.advance(1_000_000)
    expect(clock.now()).toBeCloseTo(1_000_000 - 25, 6)
    clock.adjustFrequency(800)
    expect(seen.map((a) => (a.kind === 'frequency' ? a.ppm : NaN))).toEqual([-25, 500])
  })

  it('reads its reference through the injected function, or has none', () => {
    const osc = fakeOscillator()
    expect(new LabClock({ oscillator: osc.read }).reference()).toBeUndefined()
    const ref = { time: 42, error: 0.001 }
    expect(new LabClock({ oscillator: osc.read, reference: () => ref }).reference()).toBe(ref)
  })

  it('refuses an oscillator that goes back, and a correction that is not a number', () => {
    let t = 100
    const clock = new LabClock({ oscillator: () => t })
    t = 99
    expect(() => clock.now()).toThrow(/oscillator went back/)
    t = 200
    expect(() => clock.step(NaN)).toThrow(/finite/)
  })
})
