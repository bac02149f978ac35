// The TimeSource contract: anything that tells ClockLab what time it is (an NTP server, a GPS
// receiver on a serial port, gpsd) yields samples pairing a reference time with the local
// clock at the same instant. The discipline and NTP algorithms consume these unchanged, and
// the stratum of this machine follows from its source's.

export type LeapIndicator = 0 | 1 | 2 | 3

export interface TimeSample {
  /** Which source produced it, e.g. "ntp 127.0.0.1:123", "gps /dev/ttyUSB0", "gpsd :2947". */
  source: string
  /** The reference's time (UTC, ns since the Unix epoch) at the sample's instant. */
  referenceNs: bigint
  /** The local wall clock (REALTIME, ns since the Unix epoch) at the same instant. */
  localNs: bigint
  /** MONOTONIC_RAW at the same instant, where this machine has it (the bare oscillator). */
  localRawNs?: bigint
  /** reference − local, seconds. */
  offset: number
  /** Round-trip delay to the reference, seconds (0 for a receiver on a wire). */
  delay: number
  /** Maximum error of this one sample, seconds. */
  dispersion: number
  /** The reference's own distance to its primary source: root delay and root dispersion, s. */
  rootDelay: number
  rootDispersion: number
  /** The reference's stratum: 0 for a GPS receiver, the server's stratum for NTP. */
  stratum: number
  /** The reference identifier: "GPS", "PPS", an IPv4 address, a kiss code... */
  refid: string
  leap: LeapIndicator
  /** The reference's network address (NTP servers): a follower's reference id. */
  address?: string
}

export interface SourceStatus {
  id: string
  /** 'running', 'connecting', 'lost' (the device or connection went away; retrying), 'closed'. */
  state: 'connecting' | 'running' | 'lost' | 'closed'
  samples: number
  /** Bad inputs by typed-error code ("bad-checksum": 3, ...); each was dropped, none crashed. */
  errors: Record<string, number>
  /** The last problem, in words. */
  lastError?: string
}

export interface TimeSource {
  readonly id: string
  /** Samples as they arrive, until close(). */
  samples(): AsyncIterableIterator<TimeSample>
  status(): SourceStatus
  close(): Promise<void>
}

/**
 * A push-to-pull bridge: the source pushes samples as its device or socket delivers them,
 * each consumer pulls them with for-await. A slow consumer's queue keeps the newest
 * `limit` samples; the oldest go first.
 */
export class SampleFeed {
  private readonly consumers = new Set<{
    queue: TimeSample[]
    wake?: () => void
  }>()
  private closed = false

  constructor(private readonly limit = 1024) {}

  push(sample: TimeSample): void {
    for (const c of this.consumers) {
      c.queue.push(sample)
      if (c.queue.length > this.limit) c.queue.shift()
      c.wake?.()
    }
  }

  close(): void {
    this.closed = true
    for (const c of this.consumers) c.wake?.()
  }

  iterate(): AsyncIterableIterator<TimeSample> {
    const consumer: { queue: TimeSample[]; wake?: () => void } = { queue: [] }
    this.consumers.add(consumer)
    const done = (): IteratorResult<TimeSample> => {
      this.consumers.delete(consumer)
      return { done: true, value: undefined }
    }
    const iterator: AsyncIterableIterator<TimeSample> = {
      next: async () => {
        while (consumer.queue.length === 0 && !this.closed)
          await new Promise<void>((resolve) => (consumer.wake = resolve))
        consumer.wake = undefined
        const sample = consumer.queue.shift()
        return sample === undefined ? done() : { done: false, value: sample }
      },
      return: async () => done(),
      [Symbol.asyncIterator]: () => iterator,
    }
    return iterator
  }
}
