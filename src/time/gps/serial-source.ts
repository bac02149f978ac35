// A GPS receiver on a serial port as a TimeSource: serialport + @serialport/parser-readline
// carry NMEA lines to the parser and the epoch tracker, with a configurable transmit-latency
// offset and, where the kernel has a PPS device, the pulse edge as the sample's local time.
// Garbage, bad checksums and overlong lines are counted by code and skipped; when the device
// goes away (unplugged, the other end of a pty closed) the source says "lost" and reopens the
// same path until it comes back. A hung-up tty can also just read as empty forever without an
// error, so the source also watches that the device path still exists.
import { existsSync } from 'node:fs'
import { Transform, type TransformCallback } from 'node:stream'
import { ReadlineParser } from '@serialport/parser-readline'
import { SerialPort } from 'serialport'
import { localClocks, type Clocks } from '../clocks'
import type { SourceStatus, TimeSample, TimeSource } from '../source'
import { EpochTracker, type FixState } from './epochs'
import { NMEA_MAX_LENGTH, NmeaError, parseNmea } from './nmea'
import { listPpsDevices, readPpsAssert } from './pps'
import { SourceState } from './source-state'

export interface SerialGpsOptions {
  path: string
  /** Default 9600 (many receivers; older ones use 4800). */
  baudRate?: number
  /** Transmit latency of the first sentence after the second, ms (default 0). */
  latencyMs?: number
  /** A PPS device name (pps0), 'auto' for the first one present, or false (default 'auto'). */
  pps?: string | false
  /** Filesystem root for PPS sysfs (tests). */
  root?: string
  /** How long to wait before reopening a lost port, ms (default 1000). */
  reopenMs?: number
  /** How often to check that the device path still exists, ms (default 500). */
  checkMs?: number
  /** Called with every line from the port as it came, before it is parsed (a recording). */
  onLine?: (line: string) => void
  clocks?: Clocks
}

export interface SerialGpsStatus extends SourceStatus {
  lines: number
  noFix: number
  fix: FixState
  pps: string | null
}

/** Longest run of bytes without a newline we keep; longer runs are cut and counted. */
const MAX_LINE_BYTES = 4 * NMEA_MAX_LENGTH

/** Cuts any run of more than `max` bytes without a newline, so the line buffer stays bounded. */
class LineGuard extends Transform {
  private run = 0

  constructor(private readonly max: number) {
    super()
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let start = 0
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] === 10) this.run = 0
      else if (++this.run > this.max) {
        this.push(chunk.subarray(start, i))
        this.push('\n')
        start = i
        this.run = 1
      }
    }
    this.push(chunk.subarray(start))
    done()
  }
}

export class SerialGpsSource implements TimeSource {
  readonly id: string
  private readonly s: SourceState
  private readonly tracker: EpochTracker
  private readonly clocks: Clocks
  private readonly pps: string | null
  private port: SerialPort | undefined
  /** Why the device went away, while it is away (a failed reopen does not replace it). */
  private gone: string | undefined
  private lines = 0
  private reopenTimer: NodeJS.Timeout | undefined
  private readonly watchTimer: NodeJS.Timeout

  constructor(private readonly options: SerialGpsOptions) {
    this.id = `gps ${options.path}`
    this.s = new SourceState(this.id)
    this.clocks = options.clocks ?? localClocks()
    this.tracker = new EpochTracker({
      source: this.id,
      latencyNs: BigInt(Math.round((options.latencyMs ?? 0) * 1e6)),
    })
    const pps = options.pps ?? 'auto'
    this.pps = pps === 'auto' ? (listPpsDevices(options.root)[0] ?? null) : pps || null
    this.open()
    this.watchTimer = setInterval(() => {
      if (this.s.state === 'running' && this.port && !existsSync(options.path))
        this.lost(this.port, 'the device is gone', 'device-lost')
    }, options.checkMs ?? 500)
  }

  samples(): AsyncIterableIterator<TimeSample> {
    return this.s.feed.iterate()
  }

  status(): SerialGpsStatus {
    return {
      ...this.s.status(),
      lines: this.lines,
      noFix: this.tracker.noFix,
      fix: { ...this.tracker.fix },
      pps: this.pps,
    }
  }

  /** Handles one line as if it came from the port (the port's data path uses this too). */
  handleLine(line: string): void {
    const arrival = this.clocks.stamp()
    this.lines++
    this.options.onLine?.(line)
    try {
      const sentence = parseNmea(line)
      const pps = this.pps === null ? undefined : readPpsAssert(this.pps, this.options.root)
      const sample = this.tracker.accept(
        sentence,
        { realtimeNs: arrival.realtimeNs, rawNs: arrival.rawNs },
        pps,
      )
      if (sample) this.s.push(sample)
    } catch (err) {
      if (!(err instanceof NmeaError)) throw err
      this.s.fail(err.code, err.message)
    }
  }

  async close(): Promise<void> {
    this.s.state = 'closed'
    clearTimeout(this.reopenTimer)
    clearInterval(this.watchTimer)
    const port = this.port
    this.port = undefined
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()))
    this.s.feed.close()
  }

  private open(): void {
    if (this.s.state === 'closed') return
    const port = new SerialPort({
      path: this.options.path,
      baudRate: this.options.baudRate ?? 9600,
      autoOpen: false,
    })
    this.port = port
    const parser = port
      .pipe(new LineGuard(MAX_LINE_BYTES))
      .pipe(new ReadlineParser({ delimiter: '\n', encoding: 'latin1' }))
    parser.on('data', (line: string) => this.handleLine(line))
    port.on('error', (err) => this.lost(port, err.message, 'device-lost'))
    port.on('close', () => this.lost(port, 'port closed', 'device-lost'))
    port.open((err) => {
      if (err) this.lost(port, err.message, 'open-failed')
      else if (this.port === port) {
        this.s.state = 'running'
        this.gone = undefined
      }
    })
  }

  private lost(port: SerialPort, why: string, code: 'device-lost' | 'open-failed'): void {
    if (this.port !== port || this.s.state === 'closed') return
    this.port = undefined
    this.s.state = 'lost'
    const path = this.options.path
    if (code === 'device-lost') this.gone ??= why
    this.s.fail(
      code,
      this.gone === undefined
        ? `GPS on ${path} cannot be opened: ${why}`
        : code === 'device-lost'
          ? `GPS on ${path} disappeared: ${this.gone}; reopening it when it is back`
          : `GPS on ${path} disappeared: ${this.gone}; still trying to reopen it (${why})`,
    )
    if (port.isOpen) port.close(() => {})
    this.reopenTimer = setTimeout(() => this.open(), this.options.reopenMs ?? 1000)
  }
}
