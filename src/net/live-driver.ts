// The live driver: runs any algorithm of the registry on one real node, unchanged.
// The context's effects become real ones: send and broadcast go to a transport
// (reliable FIFO streams over UDP, lan-peer.ts; broadcast is a fan-out of sends, which
// the lan peer sends as unicasts or as one reliable multicast, broadcast-path.ts),
// timers are setTimeout on the node's clock, now() reads the lab clock (a software
// clock over the monotonic oscillator, never the system clock), random() is a seeded
// stream, stable storage is a JSON file written atomically after every handler that
// changed it. Lamport and vector time are kept here and
// travel with each message, so every node records the simulator's trace format, with
// local clock readings instead of true time. Link faults (loss, delay, duplication,
// cuts) and crash/restart of this node are applied here, and recorded like the
// simulator's.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { deepFreeze, type JsonValue } from '../core/json'
import type { AnyAlgorithm, ClockDiscipline, Context, NodeId } from '../core/process'
import { Rng } from '../core/random'
import type { ProcessEvent, TraceEvent } from '../core/trace'
import { LabClock } from '../time/lab-clock'
import type { FaultPlan, LinkFaults, LiveWire, LocalRecord } from './live-trace'

export interface LiveTransport {
  send(to: NodeId, wire: LiveWire): void
}

export interface LiveNodeOptions {
  algorithm: AnyAlgorithm
  /** Already validated by the algorithm's schema. */
  params: unknown
  self: NodeId
  nodeCount: number
  seed: number
  transport: LiveTransport
  /** Where stable storage lives (absent: in memory only). */
  stateFile?: string
  /** The clock's oscillator, ms (default: wall time from the monotonic clock). */
  oscillator?: () => number
  vectorTime?: boolean
  /** Random commands per second from the algorithm's workload (0: none), for `workloadMs`. */
  workloadRate?: number
  workloadMs?: number
  faults?: FaultPlan
  /** Each record as it is made (before any message it describes leaves). */
  onRecord?: (r: LocalRecord) => void
  /** Keep only about this many recent records in `records` (default: all); see `recorded`. */
  retain?: number
  /**
   * This node's external time reference (a reference peer's NTP server or GPS, reference.ts):
   * ctx.clock.reference() reads it, and notes `clock.reference` {stratum, source, error}.
   */
  reference?: () => { time: number; error: number; stratum: number; source: string } | undefined
}

type Body = DistributiveOmit<ProcessEvent, 'i' | 'node' | 'seq' | 'lamport' | 'vc' | 'local'>
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

interface DelayedLink {
  queue: { at: number; go: () => void }[]
  timer: NodeJS.Timeout | undefined
}

const wallOscillator = () => performance.timeOrigin + performance.now()

/** Handler errors kept in `errors` (the rest are only counted in `errorCount`). */
const MAX_ERRORS = 100

export class LiveNode {
  /** This node's records: all of them, or with `retain`, the most recent (at most 2 × retain). */
  readonly records: LocalRecord[] = []
  /** Records made since the start, kept or not. */
  recorded = 0
  readonly errors: string[] = []
  errorCount = 0
  readonly clock: LabClock
  private readonly algorithm: AnyAlgorithm
  private readonly rng: Rng
  private readonly faultRng: Rng
  private readonly workloadRng: Rng
  private readonly timers = new Map<string, NodeJS.Timeout>()
  /** Messages held by a delay or jitter fault, per destination, in sending order. */
  private readonly links: DelayedLink[] = []
  private readonly vc: number[] | null
  private readonly ctx: Context<unknown, unknown>
  private faults: FaultPlan
  private state: unknown
  private stable: unknown
  private incarnation = 0
  private alive = false
  private stopped = false
  private seq = 0
  private lamport = 0
  private sent = 0
  private current: ProcessEvent | null = null
  /** Inside a handler, records and sends wait for its end: notes complete, records first. */
  private inHandler = false
  private readonly pendingRecords: LocalRecord[] = []
  private readonly pendingSends: (() => void)[] = []
  private savedStable = ''
  private workloadTimer: NodeJS.Timeout | undefined
  private startedAt = 0

  constructor(private readonly o: LiveNodeOptions) {
    this.algorithm = o.algorithm
    const [rng, faultRng, workloadRng] = Rng.fromSeed(o.seed)
      .split(3 * (o.self + 1))
      .slice(-3)
    this.rng = rng
    this.faultRng = faultRng
    this.workloadRng = workloadRng
    this.faults = o.faults ?? {}
    this.vc = (o.vectorTime ?? true) ? new Array<number>(o.nodeCount).fill(0) : null
    this.clock = new LabClock({
      oscillator: o.oscillator ?? wallOscillator,
      reference: o.reference,
    })
    this.ctx = this.context()
  }

  get self(): NodeId {
    return this.o.self
  }
  get isAlive(): boolean {
    return this.alive
  }

  /** Starts the node (or recovers it, if its stable storage says it ran before). */
  start(): void {
    const saved = this.load()
    if (saved !== undefined) {
      this.incarnation = saved.incarnation + 1
      this.stable = saved.stable
    } else this.stable = this.algorithm.stable?.()
    this.startedAt = this.clock.now()
    this.boot(saved === undefined ? 'start' : 'recover')
    this.scheduleWorkload()
  }

  /** Crash this node: volatile state and timers are lost, messages to it are dropped. */
  crash(): void {
    if (!this.alive || this.stopped) return
    this.record({ kind: 'crash' })
    this.alive = false
    this.state = undefined
    for (const t of this.timers.values()) clearTimeout(t)
    this.timers.clear()
  }

  /** Restart after crash(): init runs again with a new incarnation, stable storage kept. */
  restart(): void {
    if (this.alive || this.stopped) return
    this.incarnation++
    this.boot('recover')
  }

  setFaults(faults: FaultPlan): void {
    this.faults = faults
  }

  command(cmd: unknown): void {
    if (!this.alive || this.stopped) return
    this.handle({ kind: 'command', command: cmd as JsonValue }, () =>
      this.algorithm.onCommand?.(this.state, cmd, this.ctx),
    )
  }

  /** A message from node `from` arrived over the transport. */
  receive(from: NodeId, w: LiveWire): void {
    if (this.stopped) return
    if (!Number.isInteger(from) || from < 0 || from >= this.o.nodeCount || from === this.self)
      return
    const f = this.faults[from]
    const reason = !this.alive
      ? 'crashed'
      : f?.cut === 'in' || f?.cut === 'both'
        ? 'partition'
        : null
    if (reason !== null)
      return this.netRecord({ kind: 'drop', msg: w.m, from, to: this.self, reason })
    if (w.l > this.lamport) this.lamport = w.l
    if (this.vc !== null && w.v !== undefined)
      for (let k = 0; k < this.vc.length; k++) this.vc[k] = Math.max(this.vc[k], w.v[k] ?? 0)
    const payload = deepFreeze(w.p)
    this.handle({ kind: 'receive', msg: w.m, from, cause: w.q, payload }, () =>
      this.algorithm.onMessage?.(this.state, from, payload, this.ctx),
    )
  }

  /** Ends the run on this node: no more events, every timer cancelled. */
  stop(): void {
    this.stopped = true
    for (const t of this.timers.values()) clearTimeout(t)
    this.timers.clear()
    clearTimeout(this.workloadTimer)
  }

  // ---- internals ---------------------------------------------------------------------------

  private boot(kind: 'start' | 'recover'): void {
    this.alive = true
    this.handle({ kind, incarnation: this.incarnation }, () => {
      this.state = this.algorithm.init(this.ctx, this.o.params)
      this.algorithm.onStart?.(this.state, this.ctx)
    })
  }

  private handle(body: Body, run: () => void): void {
    this.inHandler = true
    this.current = this.record(body)
    try {
      run()
    } catch (err) {
      if (this.errorCount++ < MAX_ERRORS)
        this.errors.push(`${body.kind}: ${(err as Error).message}`)
    }
    this.current = null
    this.inHandler = false
    this.persist()
    for (const r of this.pendingRecords.splice(0)) this.emit(r)
    for (const s of this.pendingSends.splice(0)) s()
  }

  private record(body: Body): ProcessEvent {
    this.lamport++
    const e = body as ProcessEvent
    e.i = -1
    e.node = this.self
    e.seq = this.seq++
    e.lamport = this.lamport
    if (this.vc !== null) {
      this.vc[this.self]++
      e.vc = [...this.vc]
    }
    e.local = this.clock.now()
    this.emit({ at: e.local, e })
    return e
  }

  private netRecord(e: DistributiveOmit<Exclude<TraceEvent, ProcessEvent>, 'i'>): void {
    this.emit({ at: this.clock.now(), e: { ...e, i: -1 } as TraceEvent })
  }

  private emit(r: LocalRecord): void {
    if (this.inHandler) {
      this.pendingRecords.push(r)
      return
    }
    // Record keeping: a long run keeps a bounded window here; onRecord has every record.
    this.recorded++
    this.records.push(r)
    const retain = this.o.retain
    if (retain !== undefined && this.records.length > 2 * retain)
      this.records.splice(0, this.records.length - retain)
    this.o.onRecord?.(r)
  }

  private send(to: readonly NodeId[], payload: unknown): void {
    if (!this.alive || this.stopped) return
    for (const d of to)
      if (!Number.isInteger(d) || d < 0 || d >= this.o.nodeCount || d === this.self)
        throw new RangeError(`${this.algorithm.name}: node ${this.self} sent to node ${d}`)
    if (payload === undefined) throw new TypeError(`${this.algorithm.name}: sent no message`)
    deepFreeze(payload)
    const msg = this.sent++ * this.o.nodeCount + this.self
    const e = this.record({ kind: 'send', msg, to: [...to], payload: payload as JsonValue })
    const wire: LiveWire = { m: msg, q: e.seq, l: e.lamport, p: payload as JsonValue }
    if (e.vc !== undefined) wire.v = e.vc
    for (const d of to) this.transmit(d, wire, this.faults[d])
  }

  private transmit(to: NodeId, wire: LiveWire, f: LinkFaults | undefined): void {
    if (f?.cut === 'out' || f?.cut === 'both')
      return this.netRecord({ kind: 'drop', msg: wire.m, from: this.self, to, reason: 'partition' })
    if (f?.drop !== undefined && this.faultRng.float() < f.drop)
      return this.netRecord({ kind: 'drop', msg: wire.m, from: this.self, to, reason: 'loss' })
    const copies = f?.duplicate !== undefined && this.faultRng.float() < f.duplicate ? 2 : 1
    if (copies === 2) this.netRecord({ kind: 'duplicate', msg: wire.m, from: this.self, to })
    const go = () => this.o.transport.send(to, wire)
    for (let c = 0; c < copies; c++) {
      if (f?.delayMs || f?.jitterMs) this.delayed(to, go, f)
      else if (this.inHandler) this.pendingSends.push(go)
      else go()
    }
  }

  /** Sends after the link's delay plus seeded jitter; a link's messages still leave in order. */
  private delayed(to: NodeId, go: () => void, f: LinkFaults): void {
    const jitter = f.jitterMs ? this.faultRng.float() * f.jitterMs : 0
    const link = (this.links[to] ??= { queue: [], timer: undefined })
    const last = link.queue.at(-1)?.at ?? 0
    link.queue.push({ at: Math.max(performance.now() + (f.delayMs ?? 0) + jitter, last), go })
    if (link.timer === undefined) this.scheduleLink(link)
  }

  private scheduleLink(link: DelayedLink): void {
    const wait = Math.max(0, link.queue[0].at - performance.now())
    link.timer = setTimeout(() => {
      link.timer = undefined
      while (link.queue.length > 0 && link.queue[0].at <= performance.now() + 0.5)
        (link.queue.shift() as DelayedLink['queue'][number]).go()
      if (link.queue.length > 0) this.scheduleLink(link)
    }, wait)
  }

  private setTimer(name: string, afterMs: number): void {
    if (!this.alive || this.stopped) return
    if (!(afterMs >= 0)) throw new RangeError(`timer ${name}: delay must be >= 0, got ${afterMs}`)
    clearTimeout(this.timers.get(name))
    const handle = setTimeout(() => {
      if (this.timers.get(name) !== handle || !this.alive || this.stopped) return
      this.timers.delete(name)
      this.handle({ kind: 'timer', timer: name }, () =>
        this.algorithm.onTimer?.(this.state, name, this.ctx),
      )
    }, afterMs)
    this.timers.set(name, handle)
  }

  private scheduleWorkload(): void {
    const rate = this.o.workloadRate ?? 0
    if (rate <= 0 || !this.algorithm.randomCommand) return
    const wait = this.workloadRng.exponential(1000 / rate)
    this.workloadTimer = setTimeout(() => {
      if (this.stopped) return
      if (this.o.workloadMs !== undefined && this.clock.now() - this.startedAt > this.o.workloadMs)
        return
      if (this.alive) {
        const cmd = this.algorithm.randomCommand?.({
          self: this.self,
          peers: this.ctx.peers,
          random: () => this.workloadRng.float(),
        })
        if (cmd !== undefined) this.command(cmd)
      }
      this.scheduleWorkload()
    }, wait)
  }

  private load(): { incarnation: number; stable: unknown } | undefined {
    const file = this.o.stateFile
    if (file === undefined || !existsSync(file)) return undefined
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { incarnation: number; stable: unknown }
    this.savedStable = JSON.stringify(saved)
    return saved
  }

  /** Stable storage is durable at once: written (tmp + rename) after each handler that changed it. */
  private persist(): void {
    const file = this.o.stateFile
    if (file === undefined) return
    const text = JSON.stringify({ incarnation: this.incarnation, stable: this.stable ?? null })
    if (text === this.savedStable) return
    writeFileSync(`${file}.tmp`, text)
    renameSync(`${file}.tmp`, file)
    this.savedStable = text
  }

  private context(): Context<unknown, unknown> {
    const peers = Object.freeze(
      Array.from({ length: this.o.nodeCount }, (_, k) => k).filter((k) => k !== this.o.self),
    )
    const note = (kind: string, data: JsonValue) => this.ctx.annotate(kind, data)
    const clock: ClockDiscipline = {
      step: (d) => (this.clock.step(d), note('clock.step', { deltaMs: d })),
      slew: (d) => (this.clock.slew(d), note('clock.slew', { deltaMs: d })),
      adjustFrequency: (ppm) => (this.clock.adjustFrequency(ppm), note('clock.frequency', { ppm })),
      reference: () => {
        const r = this.o.reference?.()
        if (r === undefined) return undefined
        note('clock.reference', { stratum: r.stratum, source: r.source, error: r.error })
        return { time: r.time, error: r.error }
      },
    }
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const node = this
    return {
      self: this.o.self,
      peers,
      nodeCount: this.o.nodeCount,
      get incarnation() {
        return node.incarnation
      },
      get stable() {
        return node.stable
      },
      clock,
      now: () => this.clock.now(),
      random: () => this.rng.float(),
      send: (to, msg) => this.send([to], msg),
      broadcast: (msg) => this.send(peers, msg),
      setTimer: (name, afterMs) => this.setTimer(name, afterMs),
      cancelTimer: (name) => {
        clearTimeout(this.timers.get(name))
        this.timers.delete(name)
      },
      annotate: (kind, data) => {
        const e = this.current
        if (e !== null) (e.notes ??= []).push(data === undefined ? { kind } : { kind, data })
      },
    }
  }
}
