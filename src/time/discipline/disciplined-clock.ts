// A software clock disciplined the way a kernel disciplines the system clock: it
// follows a source timescale (the simulator's true time, or a real oscillator
// such as monotonic raw) and reads local = anchor + elapsed source time × rate,
// where the rate carries the source's own frequency error, a frequency
// correction (the PLL/FLL's knob, bounded like adjtimex's ±500 ppm) and a slew
// in progress. A step jumps the reading (backwards too); a slew bends the rate
// by exactly the maximum slew rate until the amount is absorbed, never jumping.
// Evaluated lazily, piece by linear piece: subclasses add their own rate
// changes (wander, temperature, leap smears) through nextChange/applyChange.

export interface ClockLimits {
  /** Largest rate change a slew applies, ppm (Linux adjtime: 500). */
  maxSlewPpm: number
  /** Largest frequency correction, ppm either way (Linux: 500). */
  maxFreqPpm: number
}

export class DisciplinedClock {
  /** Source reading at the anchor. */
  private x0: number
  /** Local reading at the anchor. */
  private l0: number
  /** The source's own frequency error, ppm (set by subclasses: the oscillator's physics). */
  protected basePpm = 0
  private corrPpm = 0
  private slewPpm = 0
  private slewEnd = Infinity

  constructor(
    x0: number,
    l0: number,
    private readonly limits: ClockLimits,
  ) {
    if (!(limits.maxSlewPpm > 0)) throw new RangeError('maxSlewPpm must be above zero')
    if (!(limits.maxFreqPpm >= 0)) throw new RangeError('maxFreqPpm must be at least zero')
    this.x0 = x0
    this.l0 = l0
  }

  /** Local reading at source reading `x` (x never decreases between calls). */
  read(x: number): number {
    this.advance(x)
    return this.l0 + (x - this.x0) * this.rate()
  }

  /** Local seconds per source second right now. */
  rate(): number {
    return 1 + (this.basePpm + this.corrPpm + this.slewPpm) * 1e-6
  }

  /** Current frequency error against the source timescale, slew included, ppm. */
  frequencyPpm(): number {
    return this.basePpm + this.corrPpm + this.slewPpm
  }

  /** The frequency correction in force, ppm. */
  correctionPpm(): number {
    return this.corrPpm
  }

  /** The rate change of the slew in progress, ppm (0 when none runs). */
  slewRatePpm(): number {
    return this.slewPpm
  }

  /** Jumps the reading by `deltaMs` at source reading `x`, keeping the rate. */
  step(x: number, deltaMs: number): void {
    this.advance(x)
    this.rebase(x)
    this.l0 += deltaMs
  }

  /** Starts absorbing `deltaMs`, replacing any slew still in progress (as adjtime does). */
  slew(x: number, deltaMs: number): void {
    this.advance(x)
    this.rebase(x)
    if (deltaMs === 0) {
      this.slewPpm = 0
      this.slewEnd = Infinity
      return
    }
    const max = this.limits.maxSlewPpm
    this.slewPpm = Math.sign(deltaMs) * max
    this.slewEnd = x + Math.abs(deltaMs) / (max * 1e-6)
  }

  /** Source reading at which the current slew completes (Infinity when none runs). */
  slewEndsAt(): number {
    return this.slewEnd
  }

  /** What is left of the slew in progress at source reading `x`, ms (signed). */
  slewRemaining(x: number): number {
    this.advance(x)
    return this.slewEnd === Infinity ? 0 : (this.slewEnd - x) * this.slewPpm * 1e-6
  }

  /**
   * Sets the frequency correction to `ppm` (absolute, as adjtimex's frequency), clamped to
   * ±maxFreqPpm; returns the correction applied.
   */
  adjustFrequency(x: number, ppm: number): number {
    this.advance(x)
    this.rebase(x)
    const max = this.limits.maxFreqPpm
    this.corrPpm = Math.max(-max, Math.min(max, ppm))
    return this.corrPpm
  }

  /** Source reading of the subclass's next rate change (Infinity: none). */
  protected nextChange(): number {
    return Infinity
  }

  /** Applies the subclass's rate change due at `x` (the clock is anchored at x). */
  protected applyChange(_x: number): void {}

  /** Jumps the anchored reading (a subclass's own step, such as a leap second). */
  protected jump(deltaMs: number): void {
    this.l0 += deltaMs
  }

  /** Moves the anchor to `x` through every rate change (slew end, subclass change) before it. */
  private advance(x: number): void {
    for (;;) {
      const change = this.nextChange()
      const next = Math.min(this.slewEnd, change)
      if (next > x) return
      this.rebase(next)
      if (next === this.slewEnd) {
        this.slewPpm = 0
        this.slewEnd = Infinity
      } else this.applyChange(next)
    }
  }

  private rebase(x: number): void {
    this.l0 += (x - this.x0) * this.rate()
    this.x0 = x
  }
}
