// The NTP client on the wire: one association per server, a one-shot query that returns
// offset, delay, stratum and refid, and a continuous TimeSource that polls several servers and
// runs each one's samples through the clock filter and all of them through selection
// (sync.ts). Each request goes out on a fresh connected UDP socket, so from a new random
// source port (RFC 9109, as chrony's client does), and carries our send second and a random
// fraction: a spoofer can guess neither where the reply goes nor its origin timestamp. Stale,
// spoofed or malformed replies are counted and ignored while the real one is awaited.
import { randomBytes } from 'node:crypto'
import { createSocket, type Socket } from 'node:dgram'
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { localClocks, type Clocks } from '../clocks'
import { ErrorCounts, TimeInputError } from '../errors'
import type { Timespec } from '../native/index'
import { preciseUdp, type PreciseUdp } from '../precise-udp'
import { SampleFeed, type SourceStatus, type TimeSample, type TimeSource } from '../source'
import { decodeNtp, encodeNtp, NTP_MODES, NtpDecodeError } from './codec'
import { checkReply, KissOfDeathError, measure, NtpReplyError, type NtpMeasurement } from './reply'
import {
  rfc5905,
  type Candidate,
  type FilterOutput,
  type FilterState,
  type SyncFunctions,
} from './sync'
import { NTP_UNIX_OFFSET } from './timestamp'

export interface ServerAddress {
  host: string
  port: number
}

export const NTP_PORT = 123

/** "host", "host:port", "[v6]:port" or a bare IPv6 address. */
export function parseServerAddress(text: string, defaultPort = NTP_PORT): ServerAddress {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text)
  const plain = /^([^:]+)(?::(\d+))?$/.exec(text)
  const [host, port] = bracketed
    ? [bracketed[1], bracketed[2]]
    : plain
      ? [plain[1], plain[2]]
      : isIP(text) === 6
        ? [text, undefined]
        : [undefined, undefined]
  const portNumber = port === undefined ? defaultPort : Number(port)
  if (host === undefined || host === '' || !(portNumber >= 1 && portNumber <= 65535))
    throw new TimeInputError('bad-address', `'${text}' is not HOST, HOST:PORT or [IPv6]:PORT`)
  return { host, port: portNumber }
}

export interface QueryOptions {
  /** How long to wait for the reply, ms (default 2000). */
  timeoutMs?: number
  /** NTP version of the request: 3 or 4 (default 4). */
  version?: number
  /** The poll exponent to announce (default 6). */
  poll?: number
  /**
   * Take T1 from the kernel's transmit timestamp where the OS has them (default true; false
   * forces the clock read just before the send).
   */
  kernelTxTimestamps?: boolean
  clocks?: Clocks
}

/** Event-loop turns to wait for a transmit stamp that was not there right after the send. */
const TX_LATE_TRIES = 64

/** The request in flight. */
interface PendingQuery {
  sent: bigint
  /** T1 as read in user space just before the send, and the kernel's, once it came. */
  t1: bigint
  t1Kernel?: bigint
  raw1?: bigint
  resolve: (m: NtpMeasurement) => void
  reject: (e: Error) => void
  timer: NodeJS.Timeout
}

/** A UDP socket on a fresh random port, connected to the server. */
async function connectUdp(address: string, port: number): Promise<Socket> {
  const socket = createSocket(isIP(address) === 6 ? 'udp6' : 'udp4')
  await new Promise<void>((res, rej) => {
    socket.once('error', rej)
    socket.connect(port, address, () => {
      socket.off('error', rej)
      res()
    })
  })
  return socket
}

/** One server: its socket (a fresh one for each request) and the request in flight. */
export class NtpAssociation {
  readonly errors = new ErrorCounts()
  private pending: PendingQuery | undefined
  private readonly request = Buffer.alloc(48)
  private readonly t1: Timespec = { sec: 0, nsec: 0 }
  private socket: Socket
  private io: PreciseUdp | undefined
  /** Whether the socket has carried a request (the next one then gets a fresh socket). */
  private used = false
  private renewing = false
  private closed = false

  private constructor(
    readonly server: string,
    readonly address: string,
    private readonly port: number,
    socket: Socket,
    private readonly options: Required<Omit<QueryOptions, 'clocks'>> & { clocks: Clocks },
  ) {
    this.socket = socket
    this.io = this.attach(socket)
  }

  private attach(socket: Socket): PreciseUdp | undefined {
    socket.on('message', (msg) => this.onMessage(msg))
    // Port unreachable and the like surface on the next read; the timeout reports them.
    socket.on('error', (err) => this.errors.add(`socket-${(err as NodeJS.ErrnoException).code}`))
    return preciseUdp(socket, this.options.clocks, {
      txTimestamps: this.options.kernelTxTimestamps,
    })
  }

  static async open(target: ServerAddress, options: QueryOptions = {}): Promise<NtpAssociation> {
    const { address, family } = await resolve(target.host)
    const socket = await connectUdp(address, target.port)
    const name = family === 6 ? `[${address}]:${target.port}` : `${address}:${target.port}`
    const clocks = options.clocks ?? localClocks()
    clocks.precisionExponent()
    return new NtpAssociation(name, address, target.port, socket, {
      timeoutMs: options.timeoutMs ?? 2000,
      version: options.version ?? 4,
      poll: options.poll ?? 6,
      kernelTxTimestamps: options.kernelTxTimestamps ?? true,
      clocks,
    })
  }

  /**
   * Sends one request and resolves with the measurement of the matching reply; from the
   * second request on, from a fresh socket (the old one is closed: a late reply to it is
   * refused by the kernel, not taken for the next).
   */
  async query(): Promise<NtpMeasurement> {
    if (this.pending || this.renewing) throw new Error('a query is already in flight')
    if (this.used) await this.renew()
    if (this.closed) throw new NtpReplyError('no-reply', 'association closed')
    this.used = true
    return this.exchange()
  }

  /** Moves to a fresh socket; if none can be had, the old one carries the next request. */
  private async renew(): Promise<void> {
    this.renewing = true
    try {
      const next = await connectUdp(this.address, this.port)
      if (this.closed) {
        next.close()
        return
      }
      this.socket.close()
      this.socket = next
      this.io = this.attach(next)
    } catch (err) {
      this.errors.add(`socket-${(err as NodeJS.ErrnoException).code ?? 'error'}`)
    } finally {
      this.renewing = false
    }
  }

  /** One request on the current socket. */
  private exchange(): Promise<NtpMeasurement> {
    const clocks = this.options.clocks
    return new Promise<NtpMeasurement>((resolvePromise, reject) => {
      const seconds =
        BigInt(Number(clocks.readNs('realtime') / 1_000_000_000n) + NTP_UNIX_OFFSET) & 0xffffffffn
      const sent = (seconds << 32n) | BigInt(randomBytes(4).readUInt32BE(0))
      encodeNtp(
        {
          leap: 0,
          version: this.options.version,
          mode: NTP_MODES.client,
          stratum: 0,
          poll: this.options.poll,
          precision: clocks.precisionExponent(),
          rootDelay: 0,
          rootDispersion: 0,
          referenceId: 0,
          referenceTimestamp: 0n,
          originTimestamp: 0n,
          receiveTimestamp: 0n,
          transmitTimestamp: sent,
        },
        this.request,
      )
      const timer = setTimeout(() => {
        this.pending = undefined
        this.errors.add('no-reply')
        reject(
          new NtpReplyError(
            'no-reply',
            `no reply from ${this.server} in ${this.options.timeoutMs} ms`,
          ),
        )
      }, this.options.timeoutMs)
      // T1: the kernel's transmit timestamp where it gives one (read back right after the
      // send, or when the reply comes if it was late), else the clock read last before the
      // datagram leaves, straight through sendto where we can.
      const raw1 = clocks.has('monotonic-raw') ? clocks.readNs('monotonic-raw') : undefined
      clocks.read('realtime', this.t1)
      const t1 = BigInt(this.t1.sec) * 1_000_000_000n + BigInt(this.t1.nsec)
      const direct = this.io?.send(this.request) === true
      if (!direct) this.socket.send(this.request)
      const pending: PendingQuery = {
        sent,
        t1,
        raw1,
        resolve: resolvePromise,
        reject,
        timer,
      }
      this.pending = pending
      if (this.io?.txStamping) {
        if (direct) pending.t1Kernel = this.io.txTime(t1)
        if (pending.t1Kernel === undefined) this.awaitTxStamp(pending, TX_LATE_TRIES)
      }
    })
  }

  /**
   * A stamp that was not queued right after the send (or a send Node made later): take it on
   * the next turns of the event loop, a bounded number of times, so that it does not sit on
   * the error queue (where it wakes the loop) until the reply comes.
   */
  private awaitTxStamp(pending: PendingQuery, tries: number): void {
    if (tries <= 0 || this.pending !== pending || pending.t1Kernel !== undefined) return
    setImmediate(() => {
      if (this.pending !== pending || pending.t1Kernel !== undefined) return
      pending.t1Kernel = this.io?.txTime(pending.t1, 1)
      this.awaitTxStamp(pending, tries - 1)
    })
  }

  private onMessage(msg: Buffer): void {
    const kernel = this.io?.rxTime()
    const stamp = this.options.clocks.stamp()
    // T4: the kernel's arrival time where there is one, and MONOTONIC_RAW moved back to it.
    const t4 = kernel ?? stamp.realtimeNs
    const raw4 = stamp.rawNs === undefined ? undefined : stamp.rawNs - (stamp.realtimeNs - t4)
    const pending = this.pending
    if (pending === undefined) {
      this.errors.add('unexpected')
      return
    }
    try {
      const reply = decodeNtp(msg)
      checkReply(reply, pending.sent)
      this.pending = undefined
      clearTimeout(pending.timer)
      if (this.io?.txStamping && pending.t1Kernel === undefined)
        pending.t1Kernel = this.io.txTime(pending.t1, 1)
      // The kernel's T1 is used when it is sane: after the user-space reading, before T4.
      const kernel1 =
        pending.t1Kernel !== undefined && pending.t1Kernel <= t4 ? pending.t1Kernel : undefined
      const t1 = kernel1 ?? pending.t1
      const raw1 = pending.raw1 === undefined ? undefined : pending.raw1 + (t1 - pending.t1)
      pending.resolve(
        measure(
          { name: this.server, address: this.address },
          reply,
          {
            t1,
            t4,
            raw1,
            raw4,
            sources: {
              t1: kernel1 !== undefined ? 'kernel' : 'user',
              t4: kernel !== undefined ? 'kernel' : 'user',
            },
          },
          this.options.clocks.precisionExponent(),
        ),
      )
    } catch (err) {
      if (!(err instanceof NtpDecodeError || err instanceof NtpReplyError)) throw err
      this.errors.add(err.code)
      // A bad, stale or stray datagram is not the answer: keep waiting. Only a reply to our
      // own request (its origin matched) can end the query with a refusal.
      if (
        err instanceof NtpDecodeError ||
        err.code === 'origin-mismatch' ||
        err.code === 'not-a-reply'
      )
        return
      this.pending = undefined
      clearTimeout(pending.timer)
      pending.reject(err)
    }
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    if (this.pending) {
      clearTimeout(this.pending.timer)
      this.pending.reject(new NtpReplyError('no-reply', 'association closed'))
      this.pending = undefined
    }
    this.socket.close()
  }
}

async function resolve(host: string): Promise<{ address: string; family: number }> {
  const family = isIP(host)
  if (family !== 0) return { address: host, family }
  try {
    return await lookup(host)
  } catch (err) {
    throw new TimeInputError(
      'unresolvable',
      `cannot resolve ${host} (${(err as NodeJS.ErrnoException).code})`,
    )
  }
}

/** One exchange with one server. */
export async function queryNtp(
  target: ServerAddress,
  options: QueryOptions = {},
): Promise<NtpMeasurement> {
  const association = await NtpAssociation.open(target, options)
  try {
    return await association.query()
  } finally {
    association.close()
  }
}

/** What one server looked like after a round of the continuous client. */
export interface PeerReport {
  server: string
  /** This round's measurement, or why there was none. */
  sample?: NtpMeasurement
  error?: string
  /** The clock filter's current best sample (ms), if any. */
  filtered?: FilterOutput
  /** Root distance λ used in selection, ms. */
  distanceMs?: number
  truechimer: boolean
  survivor: boolean
  systemPeer: boolean
  /** Stopped by a DENY or RSTR kiss-o'-death. */
  stopped: boolean
}

export interface RoundReport {
  round: number
  peers: PeerReport[]
  /** The combined result, when selection found a majority. */
  combined?: TimeSample
}

export interface ContinuousOptions extends QueryOptions {
  /** Time between polls of each server, ms (default 2000). */
  intervalMs?: number
  /** Stop after this many rounds (default: run until closed). */
  rounds?: number
  sync?: SyncFunctions
  onRound?: (report: RoundReport) => void
}

interface Peer {
  association: NtpAssociation
  filter: FilterState
  output?: FilterOutput
  last?: NtpMeasurement
  stopped: boolean
  /** Rounds left to skip after a RATE kiss, and the current skip length. */
  skip: number
  backoff: number
}

/** The skew bound the filter grows dispersion with (RFC 5905 PHI), ppm. */
const SKEW_PPM = 15

/**
 * Polls several servers every interval; each reply goes through that server's clock filter,
 * then selection picks the truechimers, clusters them and combines their offsets into one
 * sample per round.
 */
export class NtpClientSource implements TimeSource {
  readonly id: string
  private readonly feed = new SampleFeed()
  private readonly sync: SyncFunctions
  private readonly clocks: Clocks
  private timer: NodeJS.Timeout | undefined
  private round = 0
  private produced = 0
  private state: SourceStatus['state'] = 'running'
  private lastError: string | undefined
  private readonly done: Promise<void>
  private finish!: () => void

  private constructor(
    private readonly peers: Peer[],
    private readonly options: ContinuousOptions,
  ) {
    this.id = `ntp ${peers.map((p) => p.association.server).join(', ')}`
    this.sync = options.sync ?? rfc5905
    this.clocks = options.clocks ?? localClocks()
    this.done = new Promise((resolve) => (this.finish = resolve))
    void this.poll()
  }

  static async start(
    servers: ServerAddress[],
    options: ContinuousOptions = {},
  ): Promise<NtpClientSource> {
    const sync = options.sync ?? rfc5905
    const associations: NtpAssociation[] = []
    try {
      for (const s of servers) associations.push(await NtpAssociation.open(s, options))
    } catch (err) {
      for (const a of associations) a.close()
      throw err
    }
    return new NtpClientSource(
      associations.map((association) => ({
        association,
        filter: sync.newFilter(),
        stopped: false,
        skip: 0,
        backoff: 1,
      })),
      options,
    )
  }

  samples(): AsyncIterableIterator<TimeSample> {
    return this.feed.iterate()
  }

  /** Resolves when the configured rounds are done or the source is closed. */
  finished(): Promise<void> {
    return this.done
  }

  status(): SourceStatus {
    const errors = new ErrorCounts()
    for (const p of this.peers)
      for (const [code, n] of Object.entries(p.association.errors.toJSON())) errors.add(code, n)
    return {
      id: this.id,
      state: this.state,
      samples: this.produced,
      errors: errors.toJSON(),
      ...(this.lastError ? { lastError: this.lastError } : {}),
    }
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return
    this.state = 'closed'
    clearTimeout(this.timer)
    for (const p of this.peers) p.association.close()
    this.feed.close()
    this.finish()
  }

  private async poll(): Promise<void> {
    if (this.state === 'closed') return
    this.round++
    const reports = await Promise.all(this.peers.map((p) => this.pollPeer(p)))
    if (this.isClosed()) return
    const report = this.select(reports)
    this.options.onRound?.(report)
    if (report.combined) {
      this.produced++
      this.feed.push(report.combined)
    }
    if (this.options.rounds !== undefined && this.round >= this.options.rounds) void this.close()
    else this.timer = setTimeout(() => void this.poll(), this.options.intervalMs ?? 2000)
  }

  private async pollPeer(p: Peer): Promise<PeerReport> {
    const base = {
      server: p.association.server,
      truechimer: false,
      survivor: false,
      systemPeer: false,
    }
    if (p.stopped) return { ...base, stopped: true, error: "stopped by kiss-o'-death" }
    if (p.skip > 0) {
      p.skip--
      return { ...base, stopped: false, error: 'backing off after RATE' }
    }
    try {
      const m = await p.association.query()
      p.last = m
      const now = this.nowMs()
      const out = this.sync.filterAdd(
        p.filter,
        { offset: m.offset * 1e3, delay: m.delay * 1e3, disp: m.dispersion * 1e3, t: now },
        now,
        SKEW_PPM,
      )
      if (out) p.output = out
      return { ...base, stopped: false, sample: m }
    } catch (err) {
      const message = (err as Error).message
      this.lastError = `${p.association.server}: ${message}`
      if (err instanceof KissOfDeathError) {
        if (err.stop) p.stopped = true
        else {
          p.backoff = Math.min(p.backoff * 2, 64)
          p.skip = p.backoff
        }
      } else if (!(err instanceof TimeInputError)) throw err
      return { ...base, stopped: p.stopped, error: message }
    }
  }

  private select(reports: PeerReport[]): RoundReport {
    const now = this.nowMs()
    const candidates: Candidate[] = []
    this.peers.forEach((p, i) => {
      if (p.output === undefined || p.last === undefined || p.stopped) return
      const o = p.output
      // λ = (root delay + δ)/2 + root dispersion + ε + φ·age + ψ (RFC 5905 root distance), ms.
      const distance =
        (p.last.rootDelay * 1e3 + o.delay) / 2 +
        p.last.rootDispersion * 1e3 +
        o.disp +
        SKEW_PPM * 1e-6 * (now - o.t) +
        o.jitter
      reports[i].filtered = o
      reports[i].distanceMs = distance
      candidates.push({ id: i, offset: o.offset, distance, jitter: o.jitter })
    })
    const selection = candidates.length > 0 ? this.sync.select(candidates) : undefined
    const report: RoundReport = { round: this.round, peers: reports }
    if (selection === undefined || selection.survivors.length === 0) return report
    for (const c of selection.truechimers) reports[c.id].truechimer = true
    for (const c of selection.survivors) reports[c.id].survivor = true
    const system = this.peers[selection.survivors[0].id]
    reports[selection.survivors[0].id].systemPeer = true
    const last = system.last as NtpMeasurement
    const output = system.output as FilterOutput
    const stamp = this.clocks.stamp()
    report.combined = {
      source: `ntp (system peer ${system.association.server})`,
      referenceNs: stamp.realtimeNs + BigInt(Math.round(selection.offset * 1e6)),
      localNs: stamp.realtimeNs,
      ...(stamp.rawNs !== undefined ? { localRawNs: stamp.rawNs } : {}),
      offset: selection.offset / 1e3,
      delay: output.delay / 1e3,
      dispersion: output.disp / 1e3 + selection.jitter / 1e3,
      rootDelay: last.rootDelay,
      rootDispersion: last.rootDispersion,
      stratum: last.stratum,
      refid: last.refid,
      leap: last.leap,
      address: last.address,
    }
    return report
  }

  private isClosed(): boolean {
    return this.state === 'closed'
  }

  private nowMs(): number {
    return Number(this.clocks.readNs('monotonic')) / 1e6
  }
}
