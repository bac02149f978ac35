// gpsd as a TimeSource: a TCP client that asks for JSON reports (?WATCH with pps) and turns
// them into samples. PPS reports (a pulse edge: GPS time and the system clock at the edge)
// make the best samples, TOFF reports (a sentence's GPS time and the system clock when its
// first byte arrived) the next best; TPV fixes are used, with a latency offset, only when
// neither comes. Bad lines are counted by code and skipped; a lost connection is retried
// with a growing delay until gpsd answers again.
import { connect, type Socket } from 'node:net'
import { localClocks, type Clocks } from '../clocks'
import type { SourceStatus, TimeSample, TimeSource } from '../source'
import { GPSD_MAX_LINE, GpsdError, parseGpsdMessage, type GpsdMessage } from './gpsd-protocol'
import { SourceState } from './source-state'

export const GPSD_PORT = 2947

export interface GpsdOptions {
  host?: string
  port?: number
  /** TPV latency: how long after the second a TPV report arrives, ms (default 0). */
  tpvLatencyMs?: number
  /** First reconnect delay, ms (default 500; doubles up to 8 s). */
  reconnectMs?: number
  clocks?: Clocks
}

export interface GpsdStatus extends SourceStatus {
  release?: string
  devices: string[]
  /** The last TPV mode (0..3) and the last SKY's satellites seen and used. */
  mode?: number
  satellites?: { seen: number; used: number }
  /** Which reports the samples come from. */
  timing: 'PPS' | 'TOFF' | 'TPV' | 'none'
}

/** How long a PPS or TOFF stream counts as present after its last report, ns. */
const PREFERRED_FOR_NS = 3_000_000_000n
const MAX_RECONNECT_MS = 8000

export class GpsdSource implements TimeSource {
  readonly id: string
  private readonly s: SourceState
  private readonly clocks: Clocks
  private socket: Socket | undefined
  private release: string | undefined
  private devices: string[] = []
  private mode: number | undefined
  private satellites: { seen: number; used: number } | undefined
  private timing: GpsdStatus['timing'] = 'none'
  private lastPreferred = -PREFERRED_FOR_NS
  private delayMs: number
  private timer: NodeJS.Timeout | undefined
  private pending = ''
  private skipping = false

  constructor(private readonly options: GpsdOptions = {}) {
    this.id = `gpsd ${options.host ?? '127.0.0.1'}:${options.port ?? GPSD_PORT}`
    this.s = new SourceState(this.id)
    this.clocks = options.clocks ?? localClocks()
    this.delayMs = options.reconnectMs ?? 500
    this.connect()
  }

  samples(): AsyncIterableIterator<TimeSample> {
    return this.s.feed.iterate()
  }

  status(): GpsdStatus {
    return {
      ...this.s.status(),
      ...(this.release ? { release: this.release } : {}),
      devices: this.devices,
      ...(this.mode !== undefined ? { mode: this.mode } : {}),
      ...(this.satellites ? { satellites: this.satellites } : {}),
      timing: this.timing,
    }
  }

  async close(): Promise<void> {
    this.s.state = 'closed'
    clearTimeout(this.timer)
    this.socket?.destroy()
    this.socket = undefined
    this.s.feed.close()
  }

  /** Handles one line of gpsd output (the socket's data path uses this too). */
  handleLine(line: string): void {
    if (line.trim() === '') return
    const arrival = this.clocks.stamp()
    let message: GpsdMessage
    try {
      message = parseGpsdMessage(line)
    } catch (err) {
      if (!(err instanceof GpsdError)) throw err
      this.s.fail(err.code, err.message)
      return
    }
    switch (message.class) {
      case 'VERSION':
        this.release = message.release
        break
      case 'DEVICES':
        this.devices = message.devices
        break
      case 'DEVICE':
        this.devices = this.devices.filter((d) => d !== message.path)
        if (message.active) this.devices.push(message.path)
        break
      case 'SKY':
        this.satellites = { seen: message.seen, used: message.used }
        break
      case 'ERROR':
        this.s.fail('gpsd-error', `gpsd: ${message.message}`)
        break
      case 'PPS':
      case 'TOFF':
        this.lastPreferred = this.clocks.readNs('monotonic')
        if (message.class === 'PPS' || this.timing !== 'PPS') this.timing = message.class
        this.emit(message.realNs, message.clockNs, arrival, message.class, message.precision)
        break
      case 'TPV':
        this.mode = message.mode
        if (
          message.mode >= 2 &&
          message.timeNs !== undefined &&
          this.clocks.readNs('monotonic') - this.lastPreferred > PREFERRED_FOR_NS
        ) {
          this.timing = 'TPV'
          const latency = BigInt(Math.round((this.options.tpvLatencyMs ?? 0) * 1e6))
          this.emit(
            message.timeNs,
            arrival.realtimeNs - latency,
            arrival,
            'TPV',
            undefined,
            message.ept,
          )
        }
        break
    }
  }

  private emit(
    referenceNs: bigint,
    localNs: bigint,
    arrival: { realtimeNs: bigint; rawNs?: bigint },
    kind: 'PPS' | 'TOFF' | 'TPV',
    precision?: number,
    ept?: number,
  ): void {
    const dispersion =
      kind === 'PPS' ? 2 ** (precision ?? -20) : kind === 'TOFF' ? 0.01 : Math.max(ept ?? 0, 0.05)
    this.s.push({
      source: `${this.id} (${kind})`,
      referenceNs,
      localNs,
      ...(arrival.rawNs !== undefined
        ? { localRawNs: arrival.rawNs - (arrival.realtimeNs - localNs) }
        : {}),
      offset: Number(referenceNs - localNs) / 1e9,
      delay: 0,
      dispersion,
      rootDelay: 0,
      rootDispersion: 0,
      stratum: 0,
      refid: kind === 'PPS' ? 'PPS' : 'GPS',
      leap: 0,
    })
  }

  private connect(): void {
    if (this.s.state === 'closed') return
    const socket = connect(this.options.port ?? GPSD_PORT, this.options.host ?? '127.0.0.1')
    this.socket = socket
    this.pending = ''
    this.skipping = false
    socket.setEncoding('latin1')
    socket.on('connect', () => {
      this.s.state = 'running'
      this.delayMs = this.options.reconnectMs ?? 500
      socket.write('?WATCH={"enable":true,"json":true,"pps":true};\n')
    })
    socket.on('data', (chunk: string) => this.onData(chunk))
    socket.on('error', (err) => {
      this.s.lastError = `${this.id}: ${err.message}`
    })
    socket.on('close', () => {
      if (this.socket !== socket || this.s.state === 'closed') return
      this.s.errors.add(this.s.state === 'running' ? 'connection-lost' : 'connect-failed')
      this.s.state = 'lost'
      this.socket = undefined
      this.timer = setTimeout(() => this.connect(), this.delayMs)
      this.delayMs = Math.min(this.delayMs * 2, MAX_RECONNECT_MS)
    })
  }

  private onData(chunk: string): void {
    let text = this.pending + chunk
    let newline: number
    while ((newline = text.indexOf('\n')) >= 0) {
      // The rest of a line already dropped as too long is not a line of its own.
      if (this.skipping) this.skipping = false
      else this.handleLine(text.slice(0, newline))
      text = text.slice(newline + 1)
    }
    if (text.length > GPSD_MAX_LINE) {
      if (!this.skipping) this.s.errors.add('too-long')
      this.skipping = true
      text = ''
    }
    this.pending = text
  }
}
