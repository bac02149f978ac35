// Typed errors for everything that comes from outside ClockLab's process in src/time: NTP
// packets, NMEA sentences, gpsd messages, devices. Each carries a short machine-readable
// code, so a source counts bad input by kind and keeps running instead of crashing.
export class TimeInputError<Code extends string = string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
  ) {
    super(message)
  }
}

/** Counts typed errors by code: what a source shows as "dropped: 3 bad-checksum, 1 truncated". */
export class ErrorCounts {
  private readonly counts = new Map<string, number>()

  add(code: string, n = 1): void {
    this.counts.set(code, (this.counts.get(code) ?? 0) + n)
  }

  get total(): number {
    let n = 0
    for (const c of this.counts.values()) n += c
    return n
  }

  get(code: string): number {
    return this.counts.get(code) ?? 0
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)))
  }
}
