// What a platform binding offers: the clocks it can read (or why not) and the kernel's
// discipline state, read-only. One binding per operating system, plus a pure-Node fallback.
export type ClockId = 'realtime' | 'monotonic' | 'monotonic-raw' | 'boottime' | 'tai'

export const CLOCK_IDS: readonly ClockId[] = [
  'realtime',
  'monotonic',
  'monotonic-raw',
  'boottime',
  'tai',
]

/** A reading split into whole seconds and nanoseconds, reused between reads on hot paths. */
export interface Timespec {
  sec: number
  nsec: number
}

export interface ClockBackend {
  /** The call that reads it, e.g. "clock_gettime(CLOCK_MONOTONIC_RAW)". */
  readonly api: string
  /** The resolution the OS reports, in ns, when it reports one. */
  readonly resolutionNs: number | undefined
  /** Writes the current reading into `out` (no allocation). */
  read(out: Timespec): void
}

export type Availability<T> = { ok: true; value: T } | { ok: false; reason: string }

/** The raw fields of Linux's struct timex, as adjtimex(modes = 0) returned them. */
export interface RawTimex {
  /** adjtimex's return value: TIME_OK (0) ... TIME_ERROR (5). */
  state: number
  offset: number
  freq: number
  maxerror: number
  esterror: number
  status: number
  constant: number
  precision: number
  tolerance: number
  tick: number
  tai: number
}

/** A hardware clock's broken-down time, as RTC_RD_TIME returns it (month 1-12, full year). */
export interface RtcTime {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
}

export interface PlatformTime {
  /** How the clocks are reached, e.g. "koffi → libc.so.6 (linux)". */
  readonly backend: string
  readonly clocks: Readonly<Record<ClockId, Availability<ClockBackend>>>
  /** Reads the kernel's discipline state. Read-only by construction: it takes no arguments. */
  readonly readTimex: Availability<() => RawTimex>
  /** RTC_RD_TIME on an open /dev/rtcN file descriptor (throws with errno on failure). */
  readonly readRtcTime: Availability<(fd: number) => RtcTime>
  /**
   * The kernel's receive timestamp (REALTIME) of the last datagram read from a socket's file
   * descriptor (SIOCGSTAMPNS); false when it has none. The first call turns timestamping on.
   */
  readonly socketRxTimestamp: Availability<(fd: number, out: Timespec) => boolean>
  /**
   * sendto(2) on a socket's file descriptor without blocking: `address` is a struct sockaddr,
   * or null on a connected socket. False when the kernel did not take the datagram.
   */
  readonly socketSend: Availability<(fd: number, data: Buffer, address: Buffer | null) => boolean>
  /** The kernel's software transmit timestamps of a socket's datagrams (SO_TIMESTAMPING). */
  readonly socketTxTimestamps: Availability<TxTimestamps>
}

/**
 * Transmit timestamps as chrony takes them: the kernel stamps each datagram on REALTIME as
 * it goes to the device and queues the stamp on the socket's error queue.
 */
export interface TxTimestamps {
  /** Asks the kernel to stamp every datagram the socket sends from now on; false if refused. */
  enable(fd: number): boolean
  /**
   * Takes every stamp queued on the socket's error queue without blocking, writes the newest
   * into `out` and returns how many there were (0: none yet).
   */
  take(fd: number, out: Timespec): number
}

export const unavailable = (reason: string): { ok: false; reason: string } => ({
  ok: false,
  reason,
})
