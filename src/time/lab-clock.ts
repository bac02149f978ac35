// The lab clock: ClockLab never changes the system clock, so step vs slew is shown
// on a software clock instead. It follows a real oscillator reading (the live
// runtime passes CLOCK_MONOTONIC_RAW, which the kernel never slews; tests pass a
// fake) and is disciplined exactly as a simulated clock is (DisciplinedClock):
// a step jumps it, a slew bends its rate by the policy's maximum slew rate until
// the amount is absorbed, a frequency correction shifts its rate. It implements
// ClockDiscipline, so a sync algorithm drives it through ctx.clock unchanged,
// and `correct` applies the step-vs-slew policy to a measured offset.
import type { ClockDiscipline } from '../core/process'
import { DisciplinedClock } from './discipline/disciplined-clock'
import {
  correct,
  DisciplinePolicySchema,
  type Correction,
  type DisciplinePolicy,
} from './discipline/policy'

/** One thing done to the lab clock, for a live trace or a chart. */
export type LabClockAdjustment =
  | { kind: 'step' | 'slew'; deltaMs: number; at: number }
  | { kind: 'frequency'; ppm: number; at: number }

export interface LabClockOptions {
  /** Reads the oscillator, ms; readings never decrease. */
  oscillator: () => number
  /** The clock's reading at creation, ms (default: the oscillator's). */
  start?: number
  /** Step threshold, slew rate and mode (defaults: 128 ms, 500 ppm, auto). */
  policy?: Partial<DisciplinePolicy>
  /** Largest frequency correction, ppm either way (default 500). */
  maxFreqPpm?: number
  /** The node's time reference, if it has one (a GPS receiver, an NTP server read live). */
  reference?: () => { time: number; error: number } | undefined
  /** Told of every step, slew and frequency change, with the clock's reading before it. */
  onAdjust?: (adjustment: LabClockAdjustment) => void
}

export interface LabClockState {
  /** The oscillator's reading and the clock's, ms. */
  oscillator: number
  now: number
  /** The frequency correction in force, and the slew in progress, ppm. */
  correctionPpm: number
  slewPpm: number
  /** What is left of the slew in progress, ms (signed). */
  slewRemainingMs: number
}

export class LabClock implements ClockDiscipline {
  readonly policy: DisciplinePolicy
  private readonly clock: DisciplinedClock
  private last: number

  constructor(private readonly options: LabClockOptions) {
    this.policy = DisciplinePolicySchema.parse(options.policy ?? {})
    const x = options.oscillator()
    this.last = x
    this.clock = new DisciplinedClock(x, options.start ?? x, {
      maxSlewPpm: this.policy.maxSlewPpm,
      maxFreqPpm: options.maxFreqPpm ?? 500,
    })
  }

  /** The clock's reading now, ms. */
  now(): number {
    return this.clock.read(this.read())
  }

  step(deltaMs: number): void {
    const x = this.adjusting('step', deltaMs)
    this.clock.step(x, deltaMs)
  }

  slew(deltaMs: number): void {
    const x = this.adjusting('slew', deltaMs)
    this.clock.slew(x, deltaMs)
  }

  adjustFrequency(ppm: number): void {
    const x = this.read()
    const applied = this.clock.adjustFrequency(x, ppm)
    this.options.onAdjust?.({ kind: 'frequency', ppm: applied, at: this.clock.read(x) })
  }

  reference(): { time: number; error: number } | undefined {
    return this.options.reference?.()
  }

  /** Corrects a measured offset (reference − clock, ms) as the policy says. */
  correct(deltaMs: number): Correction {
    return correct(this, this.policy, deltaMs)
  }

  state(): LabClockState {
    const x = this.read()
    return {
      oscillator: x,
      now: this.clock.read(x),
      correctionPpm: this.clock.correctionPpm(),
      slewPpm: this.clock.slewRatePpm(),
      slewRemainingMs: this.clock.slewRemaining(x),
    }
  }

  private adjusting(kind: 'step' | 'slew', deltaMs: number): number {
    if (!Number.isFinite(deltaMs)) throw new RangeError(`lab clock ${kind}: delta must be finite`)
    const x = this.read()
    this.options.onAdjust?.({ kind, deltaMs, at: this.clock.read(x) })
    return x
  }

  private read(): number {
    const x = this.options.oscillator()
    if (!(x >= this.last))
      throw new RangeError(`lab clock: the oscillator went back (${x} after ${this.last})`)
    this.last = x
    return x
  }
}
