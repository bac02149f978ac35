// The NTP server on the wire: answers client-mode requests (RFC 5905 mode 3) with receive and
// transmit timestamps on nanosecond REALTIME (clock_gettime; the kernel's own receive
// timestamp where it gives one) — a server anchored to millisecond Date.now() is about a
// millisecond off, which chrony sees — and with leap,
// stratum, reference id and root distance from whatever reference() says (its best source).
// Malformed datagrams and other modes are counted and dropped; nothing crashes the server.
// With rateLimit set, each client address gets a token bucket (rate-limit.ts): a client over
// its limit gets a RATE kiss-o'-death (stratum 0, no time in it) or, past that, nothing.
import { createSocket, type Socket } from 'node:dgram'
import { isIPv6 } from 'node:net'
import { localClocks, type Clocks } from '../clocks'
import { ErrorCounts } from '../errors'
import { preciseUdp, type PreciseUdp } from '../precise-udp'
import type { Timespec } from '../native/index'
import type { LeapIndicator } from '../source'
import { decodeNtp, NTP_MODES, NtpDecodeError, refidFromAscii } from './codec'
import { RateLimiter, type RateLimitOptions } from './rate-limit'
import { writeNtpTimestamp } from './timestamp'

/** What the server says about its own synchronization. */
export interface ServerReference {
  leap: LeapIndicator
  stratum: number
  referenceId: number
  /** When the reference last updated us, as a 64-bit NTP timestamp. */
  referenceTimestamp: bigint
  /** Seconds. */
  rootDelay: number
  rootDispersion: number
}

/** No usable source: leap indicator 3 and stratum 16, which clients refuse to follow. */
export const UNSYNCHRONIZED: ServerReference = {
  leap: 3,
  stratum: 16,
  referenceId: 0,
  referenceTimestamp: 0n,
  rootDelay: 0,
  rootDispersion: 0,
}

/** How long one answer from reference() is used, s. */
const REFERENCE_TTL_S = 0.05

export interface ServerOptions {
  /** UDP port (default 123, which needs privileges; 0 picks a free one). */
  port?: number
  /** Address to bind (default 127.0.0.1; 0.0.0.0 or :: to serve a LAN). */
  bind?: string
  reference?: () => ServerReference
  clocks?: Clocks
  /** Limit each client's request rate (off by default). */
  rateLimit?: RateLimitOptions
}

export interface ServerStats {
  received: number
  answered: number
  /**
   * Datagrams not answered with the time, by reason; 'rate-kiss' ones got a RATE
   * kiss-o'-death, 'rate-limited' ones nothing.
   */
  dropped: Record<string, number>
}

const RATE = refidFromAscii('RATE')

export class NtpServer {
  private received = 0
  private answered = 0
  private readonly dropped = new ErrorCounts()
  private readonly rx: Timespec = { sec: 0, nsec: 0 }
  private readonly tx: Timespec = { sec: 0, nsec: 0 }
  private readonly precision: number
  private readonly io: PreciseUdp | undefined
  private ref: ServerReference | undefined
  private refAt = 0
  /** The per-client rate limit, when there is one. */
  readonly limiter: RateLimiter | undefined

  private constructor(
    private readonly socket: Socket,
    private readonly reference: () => ServerReference,
    private readonly clocks: Clocks,
    rateLimit: RateLimitOptions | undefined,
  ) {
    this.limiter = rateLimit === undefined ? undefined : new RateLimiter(rateLimit)
    this.precision = clocks.precisionExponent()
    this.io = preciseUdp(socket, clocks)
    socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo.port, rinfo.address))
    socket.on('error', (err) => this.dropped.add(`socket-${(err as NodeJS.ErrnoException).code}`))
  }

  static async start(options: ServerOptions = {}): Promise<NtpServer> {
    // Checked before binding: a bad limit must not leave a socket open.
    if (options.rateLimit !== undefined) new RateLimiter(options.rateLimit)
    const bind = options.bind ?? '127.0.0.1'
    const socket = createSocket({ type: isIPv6(bind) ? 'udp6' : 'udp4' })
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.bind(options.port ?? 123, bind, () => {
        socket.off('error', reject)
        resolve()
      })
    })
    return new NtpServer(
      socket,
      options.reference ?? (() => UNSYNCHRONIZED),
      options.clocks ?? localClocks(),
      options.rateLimit,
    )
  }

  address(): { address: string; port: number } {
    const a = this.socket.address()
    return { address: a.address, port: a.port }
  }

  stats(): ServerStats {
    return { received: this.received, answered: this.answered, dropped: this.dropped.toJSON() }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()))
  }

  private onMessage(msg: Buffer, port: number, address: string): void {
    const realtime = this.clocks.backendOf('realtime')
    // T2: when the kernel took the request in, where it says; else now.
    if (!this.io?.rxInto(this.rx)) realtime.read(this.rx)
    this.received++
    let version: number
    let poll: number
    try {
      const request = decodeNtp(msg)
      if (request.mode !== NTP_MODES.client) {
        this.dropped.add('not-a-request')
        return
      }
      version = request.version
      poll = request.poll
    } catch (err) {
      if (!(err instanceof NtpDecodeError)) throw err
      this.dropped.add(err.code)
      return
    }
    if (this.limiter !== undefined) {
      const decision = this.limiter.check(address, performance.now())
      if (decision === 'drop') {
        this.dropped.add('rate-limited')
        return
      }
      if (decision === 'kiss') {
        this.kiss(msg, version, Math.max(poll, this.limiter.pollExponent()), port, address)
        this.dropped.add('rate-kiss')
        return
      }
    }
    // The reference changes slowly: ask for it at most every REFERENCE_TTL_S of arrivals.
    if (
      this.ref === undefined ||
      Math.abs(this.rx.sec + this.rx.nsec / 1e9 - this.refAt) > REFERENCE_TTL_S
    ) {
      this.ref = this.reference()
      this.refAt = this.rx.sec + this.rx.nsec / 1e9
    }
    const ref = this.ref
    const reply = Buffer.allocUnsafe(48)
    reply[0] = (ref.leap << 6) | (version << 3) | NTP_MODES.server
    reply[1] = ref.stratum
    reply.writeInt8(poll, 2)
    reply.writeInt8(this.precision, 3)
    reply.writeUInt32BE(Math.min(0xffffffff, Math.round(ref.rootDelay * 65536)), 4)
    reply.writeUInt32BE(Math.min(0xffffffff, Math.round(ref.rootDispersion * 65536)), 8)
    reply.writeUInt32BE(ref.referenceId >>> 0, 12)
    reply.writeBigUInt64BE(ref.referenceTimestamp, 16)
    // Origin: the request's transmit timestamp, byte for byte.
    msg.copy(reply, 24, 40, 48)
    writeNtpTimestamp(reply, 32, this.rx.sec, this.rx.nsec)
    // T3, read just before the reply leaves: straight through sendto where we can.
    realtime.read(this.tx)
    writeNtpTimestamp(reply, 40, this.tx.sec, this.tx.nsec)
    if (!this.io?.send(reply, port, address)) this.socket.send(reply, port, address)
    this.answered++
  }

  /**
   * A RATE kiss-o'-death (RFC 5905 §7.4): leap 3, stratum 0, reference id "RATE", the poll
   * the client should slow down to, and the origin echoing the request's transmit timestamp
   * (so the client knows it is meant); its receive and transmit fields carry that same
   * timestamp, not our time: a client that ignores the kiss learns nothing from it.
   */
  private kiss(request: Buffer, version: number, poll: number, port: number, address: string) {
    const reply = Buffer.alloc(48)
    reply[0] = (3 << 6) | (version << 3) | NTP_MODES.server
    reply[1] = 0
    reply.writeInt8(Math.min(poll, 17), 2)
    reply.writeInt8(this.precision, 3)
    reply.writeUInt32BE(RATE, 12)
    for (const at of [24, 32, 40]) request.copy(reply, at, 40, 48)
    if (!this.io?.send(reply, port, address)) this.socket.send(reply, port, address)
  }
}
