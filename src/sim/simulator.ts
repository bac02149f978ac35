// The discrete-event simulator: drives any algorithm over virtual time with a
// seeded network, per-node clocks, crashes and recoveries, partitions, commands
// and a random workload, and records every event into the trace. The same seed
// gives the same trace, byte for byte.
import type { AnyAlgorithm, ClockDiscipline, Context, NodeId } from '../core/process'
import { deepFreeze, type JsonValue } from '../core/json'
import { Rng } from '../core/random'
import type { Note, ProcessEvent, TraceEvent, TraceMeta, TraceSink } from '../core/trace'
import { SimClock } from './clock'
import { Network } from './network'
import { EventQueue } from './queue'
import type { Scenario } from './scenario'

/** Nodes up to which vector time is kept by default: beyond, each event would carry a huge vector. */
export const VECTOR_TIME_DEFAULT_LIMIT = 64

const enum Kind {
  Start,
  Deliver,
  Timer,
  Command,
  Workload,
  Crash,
  Recover,
  Partition,
  Heal,
}

/** One queue entry; a single shape for all kinds keeps the hot loop monomorphic. */
class Item {
  order = 0
  constructor(
    public time: number,
    public kind: Kind,
    public node: NodeId,
    /** Deliver: payload; Timer: name; Command: command; Partition: groups. */
    public data: unknown = null,
    public from: NodeId = -1,
    /** Deliver: message id; Timer: arming token. */
    public id = -1,
    /** Deliver: `i` of the send event. */
    public cause = -1,
    public lamport = 0,
    /** Deliver: the send event's vector time (shared, never changed). */
    public vc: readonly number[] | undefined = undefined,
  ) {}
}

interface NodeRt {
  readonly id: NodeId
  alive: boolean
  started: boolean
  incarnation: number
  state: unknown
  stable: unknown
  readonly clock: SimClock
  readonly rng: Rng
  readonly workloadRng: Rng
  seq: number
  lamport: number
  readonly vc: Int32Array | null
  readonly timers: Map<string, number>
  readonly ctx: NodeContext
}

export interface SimStats {
  /** True time reached, ms. */
  time: number
  events: number
  /** Messages put on the wire: one per destination. */
  messages: number
  delivered: number
  dropped: number
  duplicated: number
  /** Whether the run ended because the queue emptied (nothing left to happen). */
  quiescent: boolean
}

export interface SimOptions {
  sinks?: TraceSink[]
  /** Parameters already validated by the algorithm's schema. */
  params?: unknown
}

export class Simulator {
  readonly meta: TraceMeta
  private readonly queue = new EventQueue<Item>()
  private readonly nodes: NodeRt[]
  private readonly network: Network
  private readonly sinks: TraceSink[]
  private readonly params: unknown
  /** Events of the step in progress, sent to the sinks when it ends (`pendingCount` of them). */
  private readonly pending: TraceEvent[] = []
  private pendingCount = 0
  private readonly arrivals = new Float64Array(2)
  private now = 0
  private nextEvent = 0
  private nextMsg = 0
  private nextToken = 0
  private current: ProcessEvent | null = null
  private readonly stats: SimStats = {
    time: 0,
    events: 0,
    messages: 0,
    delivered: 0,
    dropped: 0,
    duplicated: 0,
    quiescent: false,
  }

  constructor(
    readonly scenario: Scenario,
    readonly algorithm: AnyAlgorithm,
    options: SimOptions = {},
  ) {
    const n = scenario.nodes
    this.sinks = [...(options.sinks ?? [])]
    this.params = options.params ?? {}
    const vectorTime = scenario.vectorTime ?? n <= VECTOR_TIME_DEFAULT_LIMIT
    this.meta = {
      source: 'sim',
      algorithm: algorithm.name,
      params: this.params as JsonValue,
      nodes: scenario.names ?? Array.from({ length: n }, (_, k) => `n${k}`),
      seed: scenario.seed,
      ...(scenario.name !== undefined ? { scenario: scenario.name } : {}),
      vectorTime,
    }
    // The references' streams come after the others, so the others draw as they always did.
    const [netRng, ...streams] = Rng.fromSeed(scenario.seed).split(1 + 4 * n)
    this.network = new Network(scenario.network, n, netRng)
    const all = Array.from({ length: n }, (_, k) => k)
    this.nodes = all.map((id) => {
      const clockSpec = { ...scenario.clocks.default, ...scenario.clocks.nodes[String(id)] }
      const rt: NodeRt = {
        id,
        alive: false,
        started: false,
        incarnation: 0,
        state: undefined,
        stable: undefined,
        clock: new SimClock(clockSpec, streams[3 * id], streams[3 * n + id]),
        rng: streams[3 * id + 1],
        workloadRng: streams[3 * id + 2],
        seq: 0,
        lamport: 0,
        vc: vectorTime ? new Int32Array(n) : null,
        timers: new Map(),
        ctx: undefined as unknown as NodeContext,
      }
      ;(rt as { ctx: NodeContext }).ctx = new NodeContext(
        this,
        rt,
        Object.freeze(all.filter((p) => p !== id)),
      )
      return rt
    })
    this.schedulePlan()
  }

  /** Runs until the scenario's end time, its event budget, or quiescence. */
  run(onProgress?: (stats: Readonly<SimStats>) => void, progressEvery = 50_000): SimStats {
    let nextReport = progressEvery
    while (this.stepOnce()) {
      if (onProgress && this.nextEvent >= nextReport) {
        nextReport += progressEvery
        onProgress(this.stats)
      }
    }
    return this.getStats()
  }

  /** Processes the next queued happening; false when the run is over. */
  stepOnce(): boolean {
    const { until, maxEvents } = this.scenario
    if (maxEvents !== undefined && this.nextEvent >= maxEvents) return false
    const item = this.queue.pop()
    if (item === undefined) {
      this.stats.quiescent = true
      this.stats.time = until
      return false
    }
    if (item.time > until) {
      this.stats.time = until
      return false
    }
    this.now = item.time
    this.stats.time = item.time
    this.handle(item)
    this.flush()
    return true
  }

  addSink(sink: TraceSink): void {
    this.sinks.push(sink)
  }

  getStats(): SimStats {
    return { ...this.stats, events: this.nextEvent }
  }

  // ---- the effects a node's context asks for -------------------------------------------------

  /** @internal */
  readClock(rt: NodeRt): number {
    return rt.clock.read(this.now)
  }

  /** @internal */
  send(rt: NodeRt, to: readonly NodeId[], payload: unknown): void {
    if (!rt.alive) return
    for (const d of to)
      if (!Number.isInteger(d) || d < 0 || d >= this.nodes.length)
        throw new RangeError(`${this.algorithm.name}: node ${rt.id} sent to unknown node ${d}`)
    if (payload === undefined)
      throw new TypeError(`${this.algorithm.name}: node ${rt.id} sent no message (undefined)`)
    deepFreeze(payload)
    const msg = this.nextMsg++
    const e = this.processEvent(rt, {
      kind: 'send',
      msg,
      to: to as NodeId[],
      payload: payload as JsonValue,
    })
    const arrivals = this.arrivals
    for (const d of to) {
      this.stats.messages++
      const fate = this.network.transmit(rt.id, d, this.now, arrivals)
      if (typeof fate === 'string') {
        this.netEvent({ kind: 'drop', msg, from: rt.id, to: d, reason: fate })
        this.stats.dropped++
        continue
      }
      for (let copy = 0; copy < fate; copy++) {
        if (copy > 0) {
          this.netEvent({ kind: 'duplicate', msg, from: rt.id, to: d })
          this.stats.duplicated++
        }
        this.queue.push(
          new Item(arrivals[copy], Kind.Deliver, d, payload, rt.id, msg, e.i, e.lamport, e.vc),
        )
      }
    }
  }

  /** @internal */
  setTimer(rt: NodeRt, name: string, afterMs: number): void {
    if (!rt.alive) return
    if (!(afterMs >= 0)) throw new RangeError(`timer ${name}: delay must be >= 0, got ${afterMs}`)
    const token = this.nextToken++
    rt.timers.set(name, token)
    const at = this.now + afterMs / rt.clock.rate()
    this.queue.push(new Item(at, Kind.Timer, rt.id, name, -1, token))
  }

  /** @internal */
  annotate(rt: NodeRt, note: Note): void {
    const e = this.current
    if (e === null || e.node !== rt.id) return
    ;(e.notes ??= []).push(note)
  }

  /** @internal */
  discipline(rt: NodeRt, op: 'step' | 'slew', deltaMs: number): void {
    if (!Number.isFinite(deltaMs)) throw new RangeError(`clock ${op}: delta must be finite`)
    if (op === 'step') rt.clock.step(this.now, deltaMs)
    else rt.clock.slew(this.now, deltaMs)
    this.annotate(rt, { kind: `clock.${op}`, data: { deltaMs } })
  }

  /** @internal */
  adjustFrequency(rt: NodeRt, ppm: number): void {
    if (!Number.isFinite(ppm)) throw new RangeError('clock frequency: ppm must be finite')
    const applied = rt.clock.adjustFrequency(this.now, ppm)
    this.annotate(rt, { kind: 'clock.frequency', data: { ppm: applied } })
  }

  /** @internal */
  reference(rt: NodeRt): { time: number; error: number } | undefined {
    return rt.clock.reference(this.now)
  }

  // ---- the loop ------------------------------------------------------------------------------

  private schedulePlan(): void {
    const s = this.scenario
    for (const rt of this.nodes) this.queue.push(new Item(0, Kind.Start, rt.id))
    for (const f of s.faults) {
      if (f.crash !== undefined) this.queue.push(new Item(f.at, Kind.Crash, f.crash))
      else if (f.recover !== undefined) this.queue.push(new Item(f.at, Kind.Recover, f.recover))
      else if (f.partition !== undefined)
        this.queue.push(new Item(f.at, Kind.Partition, -1, f.partition))
      else this.queue.push(new Item(f.at, Kind.Heal, -1))
    }
    for (const c of s.commands) this.queue.push(new Item(c.at, Kind.Command, c.node, c.command))
    if (s.workload !== false && this.algorithm.randomCommand)
      for (const rt of this.nodes) this.scheduleWorkload(rt)
  }

  private scheduleWorkload(rt: NodeRt): void {
    const w = this.scenario.workload
    if (w === false) return
    const at = this.now + rt.workloadRng.exponential(1000 / w.rate)
    if (w.until === undefined || at <= w.until) this.queue.push(new Item(at, Kind.Workload, rt.id))
  }

  private handle(item: Item): void {
    const rt = item.node >= 0 ? this.nodes[item.node] : null
    switch (item.kind) {
      case Kind.Deliver:
        return this.deliver(rt as NodeRt, item)
      case Kind.Timer: {
        const node = rt as NodeRt
        const name = item.data as string
        if (!node.alive || node.timers.get(name) !== item.id) return
        node.timers.delete(name)
        this.processEvent(node, { kind: 'timer', timer: name })
        return this.algorithm.onTimer?.(node.state, name, node.ctx)
      }
      case Kind.Command:
        return this.command(rt as NodeRt, item.data)
      case Kind.Workload: {
        const node = rt as NodeRt
        const cmd = node.alive ? this.algorithm.randomCommand?.(node.ctx.workload) : undefined
        if (cmd !== undefined) this.command(node, cmd)
        return this.scheduleWorkload(node)
      }
      case Kind.Start:
        return this.start(rt as NodeRt, 'start')
      case Kind.Crash:
        return this.crash(rt as NodeRt)
      case Kind.Recover:
        return this.start(rt as NodeRt, 'recover')
      case Kind.Partition: {
        const groups = item.data as NodeId[][]
        this.network.partition(groups)
        return this.netEvent({ kind: 'partition', groups })
      }
      case Kind.Heal:
        this.network.heal()
        return this.netEvent({ kind: 'heal' })
    }
  }

  private deliver(rt: NodeRt, item: Item): void {
    const reason = !rt.alive ? 'crashed' : this.network.isCut(item.from, rt.id) ? 'partition' : null
    if (reason !== null) {
      this.stats.dropped++
      return this.netEvent({ kind: 'drop', msg: item.id, from: item.from, to: rt.id, reason })
    }
    this.stats.delivered++
    if (item.lamport > rt.lamport) rt.lamport = item.lamport
    if (rt.vc !== null && item.vc !== undefined) {
      const vc = rt.vc
      const other = item.vc
      for (let k = 0; k < vc.length; k++) if (other[k] > vc[k]) vc[k] = other[k]
    }
    this.processEvent(rt, {
      kind: 'receive',
      msg: item.id,
      from: item.from,
      cause: item.cause,
      payload: item.data as JsonValue,
    })
    this.algorithm.onMessage?.(rt.state, item.from, item.data, rt.ctx)
  }

  private command(rt: NodeRt, cmd: unknown): void {
    if (!rt.alive) return
    this.processEvent(rt, { kind: 'command', command: cmd as JsonValue })
    this.algorithm.onCommand?.(rt.state, cmd, rt.ctx)
  }

  private start(rt: NodeRt, kind: 'start' | 'recover'): void {
    if (rt.alive || (kind === 'recover' && !rt.started)) return
    if (kind === 'recover') rt.incarnation++
    rt.alive = true
    rt.started = true
    if (rt.stable === undefined && this.algorithm.stable) rt.stable = this.algorithm.stable()
    this.processEvent(rt, { kind, incarnation: rt.incarnation })
    rt.state = this.algorithm.init(rt.ctx, this.params)
    this.algorithm.onStart?.(rt.state, rt.ctx)
  }

  private crash(rt: NodeRt): void {
    if (!rt.alive) return
    this.processEvent(rt, { kind: 'crash' })
    rt.alive = false
    rt.state = undefined
    rt.timers.clear()
  }

  /**
   * Records an event on a node's line, ticking its Lamport and vector time. The body
   * literal itself becomes the event: one allocation per event on the hot path.
   */
  private processEvent(
    rt: NodeRt,
    body: DistributiveOmit<
      ProcessEvent,
      'i' | 'node' | 'seq' | 'lamport' | 'vc' | 'local' | 'time'
    >,
  ): ProcessEvent {
    rt.lamport++
    const e = body as ProcessEvent
    e.i = this.nextEvent++
    e.node = rt.id
    e.seq = rt.seq++
    e.lamport = rt.lamport
    e.local = rt.clock.read(this.now)
    e.time = this.now
    const vc = rt.vc
    if (vc !== null) {
      vc[rt.id]++
      // A plain loop: Array.from on a typed array goes through the iterator, ~10x slower.
      const copy: number[] = []
      for (let k = 0; k < vc.length; k++) copy.push(vc[k])
      e.vc = copy
    }
    if (e.kind !== 'send') this.current = e
    this.pending[this.pendingCount++] = e
    return e
  }

  /** Records a network event (no node line, no logical time); the body becomes the event. */
  private netEvent(body: DistributiveOmit<Exclude<TraceEvent, ProcessEvent>, 'i' | 'time'>): void {
    const e = body as TraceEvent
    e.i = this.nextEvent++
    e.time = this.now
    this.pending[this.pendingCount++] = e
  }

  private flush(): void {
    this.current = null
    const p = this.pending
    const sinks = this.sinks
    for (let k = 0; k < this.pendingCount; k++)
      for (let j = 0; j < sinks.length; j++) sinks[j](p[k])
    this.pendingCount = 0
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

/** The context one node's algorithm sees; every effect goes through the simulator. */
class NodeContext implements Context<unknown, unknown> {
  readonly nodeCount: number
  readonly clock: ClockDiscipline
  readonly workload: { self: NodeId; peers: readonly NodeId[]; random: () => number }

  constructor(
    private readonly sim: Simulator,
    private readonly rt: NodeRt,
    readonly peers: readonly NodeId[],
  ) {
    this.nodeCount = peers.length + 1
    this.clock = {
      step: (d) => sim.discipline(rt, 'step', d),
      slew: (d) => sim.discipline(rt, 'slew', d),
      adjustFrequency: (ppm) => sim.adjustFrequency(rt, ppm),
      reference: () => sim.reference(rt),
    }
    this.workload = { self: rt.id, peers, random: () => rt.workloadRng.float() }
  }

  get self(): NodeId {
    return this.rt.id
  }
  get incarnation(): number {
    return this.rt.incarnation
  }
  get stable(): unknown {
    return this.rt.stable
  }
  now(): number {
    return this.sim.readClock(this.rt)
  }
  random(): number {
    return this.rt.rng.float()
  }
  send(to: NodeId, msg: unknown): void {
    this.sim.send(this.rt, [to], msg)
  }
  broadcast(msg: unknown): void {
    this.sim.send(this.rt, this.peers, msg)
  }
  setTimer(name: string, afterMs: number): void {
    this.sim.setTimer(this.rt, name, afterMs)
  }
  cancelTimer(name: string): void {
    this.rt.timers.delete(name)
  }
  annotate(kind: string, data?: JsonValue): void {
    this.sim.annotate(this.rt, data === undefined ? { kind } : { kind, data })
  }
}
