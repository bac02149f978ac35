// The engine's handle on the live lab for the UI (the LAN view): one LanPeer and LabNode per
// engine, joined and left on request. It keeps what the view polls for: the peers with
// their health (including those that crashed or left), the experiments started here or
// joined here, and for those started here the merged trace as its chunks stream in, the
// checkers' verdicts at the end, the clock-sync view (lan-sync.ts) and the faults set at
// run time. A reference peer (src/net/reference.ts) serves its external time to its nodes.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { algorithmRegistry } from '../algorithms/registry'
import { InputError } from '../core/errors'
import { isProcessEvent, type Trace, type TraceEvent, type TraceMeta } from '../core/trace'
import { chooseInterface, type ChosenInterface } from '../net/interfaces'
import { deriveLabKeys } from '../net/keys'
import { LanPeer } from '../net/lan-peer'
import type { FaultPlan, LocalRecord } from '../net/live-trace'
import type { Member } from '../net/membership'
import { mergeTraces } from '../net/merge'
import { ReferenceClock } from '../net/reference'
import type {
  LanExperimentInfo,
  LanExperimentRequest,
  LanExperimentView,
  LanFaultRequest,
  LanJoinRequest,
  LanLinkFaults,
  LanPeerInfo,
  LanStatus,
  LanSyncView,
} from './api-types'
import {
  LabNode,
  planExperiment,
  runExperiment,
  sendFault,
  type ExperimentResult,
} from './experiment'
import type { ExperimentMessage, ExperimentSpec } from './experiment-protocol'
import { syncView } from './lan-sync'

/** Events of a run the view gets live at most (the whole run goes to the recording). */
export const MAX_VIEW_EVENTS = 20_000
/** Lab events kept for the view's log. */
const LOG_LINES = 50
/** Peers that crashed or left, kept in the list this long, ms. */
const GONE_FOR_MS = 5 * 60_000
/** The merged view is rebuilt at most this often while chunks come, ms. */
const MERGE_EVERY_MS = 250

type Chunk = Extract<ExperimentMessage, { t: 'trace' }>

interface Held {
  spec: ExperimentSpec
  startedHere: boolean
  selfNode?: number
  startedAt: number
  state: LanExperimentInfo['state']
  error?: string
  /** Starter: each node's records from its chunks, and the next chunk number expected. */
  recs: LocalRecord[][]
  next: number[]
  records: number
  /** Bumped when records arrive or the run ends; the merged view is of `mergedVersion`. */
  version: number
  merged?: { version: number; events: TraceEvent[]; at: number }
  /** The previous merged version and how much of it the latest keeps unchanged. */
  previous?: { version: number; same: number }
  faults: Record<string, Record<string, LanLinkFaults>>
  crashed: Set<number>
  result?: ExperimentResult
}

interface Joined {
  lab: string
  node: LabNode
  iface: ChosenInterface
  loopback: boolean
  heartbeatMs: number
  stateDir: string
  reference?: ReferenceClock
}

export class LanSession {
  private joined: Joined | undefined
  private readonly held = new Map<string, Held>()
  private readonly gone = new Map<
    string,
    { member: Member; kind: 'crashed' | 'left'; at: number }
  >()
  private readonly strata = new Map<string, number>()
  private readonly log: string[] = []

  async join(req: LanJoinRequest): Promise<LanStatus> {
    if (this.joined !== undefined)
      throw new InputError(`already in lab ${this.joined.lab}: leave it first`)
    if (req.seeds !== undefined && !(req.port !== undefined && req.seeds.includes(req.port)))
      throw new InputError('loopback mode: give this peer a port that is one of the seed ports')
    const keys = deriveLabKeys(req.lab, req.passphrase)
    const iface: ChosenInterface =
      req.seeds !== undefined ? { name: 'lo', ipv4: '127.0.0.1' } : chooseInterface(req.iface)
    const reference =
      req.reference === undefined ? undefined : await ReferenceClock.open(req.reference)
    const stateDir = mkdtempSync(join(tmpdir(), 'clocklab-lan-'))
    let peer: LanPeer
    try {
      peer = await LanPeer.start({
        keys,
        iface,
        name: req.name,
        unicastPort: req.port ?? 0,
        seeds: req.seeds,
        heartbeatMs: req.heartbeatMs,
        timeoutMs: req.timeoutMs,
      })
    } catch (err) {
      await reference?.close()
      rmSync(stateDir, { recursive: true, force: true })
      throw new InputError(
        `cannot open the lab's sockets on ${iface.ipv4 ?? iface.ipv6 ?? iface.name}: ${(err as Error).message}`,
      )
    }
    const node = new LabNode(peer, {
      stateDir,
      ...(reference !== undefined ? { reference: () => reference.read() } : {}),
    })
    this.joined = {
      lab: req.lab,
      node,
      iface,
      loopback: req.seeds !== undefined,
      heartbeatMs: peer.discovery.heartbeatMs,
      stateDir,
      reference,
    }
    this.say(`joined lab ${req.lab} as ${peer.name}`)
    peer.on('membership', (e) => {
      if (e.kind === 'crash' || e.kind === 'leave')
        this.gone.set(e.member.id, {
          member: e.member,
          kind: e.kind === 'crash' ? 'crashed' : 'left',
          at: Date.now(),
        })
      else this.gone.delete(e.member.id)
      const what = { join: 'joined', restart: 'restarted', leave: 'left', crash: 'crashed' }[e.kind]
      this.say(`${e.member.name} ${what}`)
    })
    node.on('joined', (spec, self) => this.onJoined(spec, self))
    node.on('finished', (spec) => this.onFinished(spec))
    node.on('refused', (spec, why) => this.say(`could not take part in ${spec.id}: ${why}`))
    node.on('chunk', (m, from) => this.onChunk(m, from))
    return this.status()
  }

  async leave(): Promise<void> {
    const j = this.joined
    if (j === undefined) return
    this.joined = undefined
    await j.node.peer.close()
    await j.reference?.close()
    rmSync(j.stateDir, { recursive: true, force: true })
    this.gone.clear()
    this.strata.clear()
    for (const h of this.held.values()) if (h.state === 'running') h.state = 'failed'
    this.say(`left lab ${j.lab}`)
  }

  status(): LanStatus {
    const j = this.joined
    const experiments = [...this.held.values()].map((h) => this.info(h)).reverse()
    if (j === undefined) return { joined: false, peers: [], experiments, log: [...this.log] }
    const peer = j.node.peer
    const now = performance.now()
    const wall = Date.now()
    const reference = j.reference?.status()
    if (reference?.stratum !== undefined) this.strata.set(peer.id, reference.stratum)
    const peers: LanPeerInfo[] = [
      {
        id: peer.id,
        name: peer.name,
        address: j.iface.ipv4 ?? j.iface.ipv6 ?? '',
        port: peer.endpoint.port,
        epoch: peer.epoch,
        self: true,
        health: 'alive',
        lastHeardMs: 0,
        ...this.stratumOf(peer.id),
      },
      ...peer.members().map((m): LanPeerInfo => ({
        id: m.id,
        name: m.name,
        address: m.address,
        port: m.port,
        epoch: m.epoch,
        self: false,
        health: now - m.lastHeard > 2 * j.heartbeatMs ? 'suspected' : 'alive',
        lastHeardMs: Math.max(0, Math.round(now - m.lastHeard)),
        ...this.stratumOf(m.id),
      })),
    ]
    for (const [id, g] of this.gone) {
      if (wall - g.at > GONE_FOR_MS) this.gone.delete(id)
      else if (!peers.some((p) => p.id === id))
        peers.push({
          id,
          name: g.member.name,
          address: g.member.address,
          port: g.member.port,
          epoch: g.member.epoch,
          self: false,
          health: g.kind,
          lastHeardMs: Math.round(now - g.member.lastHeard),
        })
    }
    return {
      joined: true,
      lab: j.lab,
      self: {
        id: peer.id,
        name: peer.name,
        address: j.iface.ipv4 ?? j.iface.ipv6 ?? '',
        port: peer.endpoint.port,
        epoch: peer.epoch,
      },
      mode: j.loopback ? 'loopback' : 'multicast',
      peers,
      experiments,
      ...(reference !== undefined
        ? {
            reference: {
              spec: reference.spec,
              source: reference.source,
              state: reference.state,
              samples: reference.samples,
              ...(reference.sourceStratum !== undefined
                ? { sourceStratum: reference.sourceStratum }
                : {}),
              ...(reference.stratum !== undefined ? { stratum: reference.stratum } : {}),
              ...(reference.refid !== undefined ? { refid: reference.refid } : {}),
              ...(reference.offsetMs !== undefined ? { offsetMs: reference.offsetMs } : {}),
              ...(reference.lastError !== undefined ? { lastError: reference.lastError } : {}),
            },
          }
        : {}),
      log: [...this.log],
    }
  }

  /** Starts an experiment across every peer in view (this one included). */
  start(req: LanExperimentRequest): LanExperimentInfo {
    const j = this.need()
    const spec = planExperiment(j.node, {
      algorithm: req.algorithm,
      params: req.params,
      durationMs: req.durationMs,
      seed: req.seed,
      workloadRate: req.workloadRate,
      faults: req.faults,
    })
    const h = this.hold(spec, true)
    this.say(`started ${spec.algorithm} on ${spec.names.join(', ')}`)
    runExperiment(j.node, spec, { check: true, collectMs: 10_000 }).then(
      (result) => {
        h.result = result
        h.state = 'done'
        h.version++
        this.learnStrata(h)
        this.say(`${spec.algorithm} (${spec.id}) finished: ${result.trace.events.length} events`)
      },
      (err: Error) => {
        h.state = 'failed'
        h.error = err.message
        h.version++
        this.say(`${spec.algorithm} (${spec.id}) failed: ${err.message}`)
      },
    )
    return this.info(h)
  }

  /** The experiment as the view shows it; its trace only if `version` is not the latest. */
  view(id: string, version: number): LanExperimentView {
    const h = this.get(id)
    const meta = this.meta(h.spec)
    const base = {
      info: this.info(h),
      meta,
      received: h.recs.map((r) => r.length),
      faults: h.faults,
      crashed: [...h.crashed].sort((a, b) => a - b),
    }
    if (!h.startedHere) return { ...base, version: h.version }
    const merged = this.merged(h)
    const out: LanExperimentView = { ...base, version: merged.version }
    if (version !== merged.version) {
      const from = h.previous?.version === version ? h.previous.same : 0
      out.events = merged.events.slice(from, MAX_VIEW_EVENTS)
      if (from > 0) out.from = from
    }
    if (algorithmRegistry.get(h.spec.algorithm)?.family === 'sync')
      out.sync = this.sync(h, merged.events)
    if (h.result !== undefined) {
      if (h.result.verdicts !== undefined) out.verdicts = h.result.verdicts
      const problems = [
        ...h.result.lost.map((k) => `node ${k} (${h.spec.names[k]}): its process died in the run`),
        ...h.result.missing.map(
          (k) => `node ${k} (${h.spec.names[k]}): its record did not arrive whole`,
        ),
        ...(h.result.cut.some((c) => c > 0)
          ? [`events left out of the merge (causes missing): ${h.result.cut.join(' / ')}`]
          : []),
      ]
      if (problems.length > 0) out.problems = problems
    }
    if (merged.events.length > MAX_VIEW_EVENTS) out.truncated = true
    return out
  }

  /** Sets a fault at run time: the starter on any node, another peer on its own node only. */
  fault(id: string, req: LanFaultRequest): void {
    const j = this.need()
    const h = this.get(id)
    if (h.state !== 'running') throw new InputError(`experiment ${id} is not running`)
    const n = h.spec.peers.length
    if (req.node >= n) throw new InputError(`node ${req.node}: the experiment has ${n} nodes`)
    if (req.link !== undefined && (req.link.to >= n || req.link.to === req.node))
      throw new InputError(`link ${req.node} → ${req.link.to}: no such link`)
    if (!h.startedHere && req.node !== h.selfNode)
      throw new InputError(
        `only the workstation that started the experiment sets faults on other nodes; yours is node ${h.selfNode}`,
      )
    let links: FaultPlan | undefined
    if (req.link !== undefined) {
      const plan = { ...(h.faults[req.node] ?? {}) }
      const f = clean(req.link.faults)
      if (Object.keys(f).length === 0) delete plan[req.link.to]
      else plan[req.link.to] = f
      h.faults[req.node] = plan
      if (Object.keys(plan).length === 0) delete h.faults[req.node]
      links = plan as FaultPlan
    }
    if (req.crash) h.crashed.add(req.node)
    if (req.restart) h.crashed.delete(req.node)
    const fault = {
      ...(req.crash ? { crash: true } : {}),
      ...(req.restart ? { restart: true } : {}),
      ...(links !== undefined ? { links } : {}),
    }
    if (h.startedHere) sendFault(j.node, h.spec, req.node, fault)
    else {
      const live = j.node.node(id)
      if (fault.crash) live?.crash()
      if (fault.restart) live?.restart()
      if (fault.links) live?.setFaults(fault.links)
    }
    h.version++
    this.say(`${h.spec.id}: ${describeFault(req, h.spec.names)}`)
  }

  /** A finished experiment's merged trace (local times as recorded). */
  trace(id: string): Trace {
    const h = this.get(id)
    if (!h.startedHere)
      throw new InputError('the merged trace is on the workstation that started the experiment')
    if (h.result === undefined) throw new InputError(`experiment ${id} has not finished yet`)
    return h.result.trace
  }

  /** The same trace with local times counted from the run's start, for the app's views. */
  viewTrace(id: string): Trace {
    const t = this.trace(id)
    const h = this.get(id)
    return { ...t, events: t.events.map((e) => rebase(e, h.startedAt)) }
  }

  async close(): Promise<void> {
    await this.leave()
  }

  // ---- internals ---------------------------------------------------------------------------

  private need(): Joined {
    if (this.joined === undefined) throw new InputError('join a lab first')
    return this.joined
  }

  private get(id: string): Held {
    const h = this.held.get(id)
    if (h === undefined) throw new InputError(`no experiment ${id} here`)
    return h
  }

  private hold(spec: ExperimentSpec, startedHere: boolean, selfNode?: number): Held {
    const h: Held = {
      spec,
      startedHere,
      startedAt: Date.now(),
      state: 'running',
      recs: spec.peers.map(() => []),
      next: spec.peers.map(() => 0),
      records: 0,
      version: 1,
      faults: JSON.parse(JSON.stringify(spec.faults)) as Held['faults'],
      crashed: new Set(),
      ...(selfNode !== undefined ? { selfNode } : {}),
    }
    this.held.set(spec.id, h)
    // Keep the newest few experiments.
    for (const key of [...this.held.keys()].slice(0, Math.max(0, this.held.size - 10)))
      this.held.delete(key)
    return h
  }

  private onJoined(spec: ExperimentSpec, self: number): void {
    const h = this.held.get(spec.id) ?? this.hold(spec, false, self)
    h.selfNode = self
    if (!h.startedHere) this.say(`took part in ${spec.algorithm} (${spec.id}) as node ${self}`)
  }

  private onFinished(spec: ExperimentSpec): void {
    const h = this.held.get(spec.id)
    if (h === undefined || h.startedHere) {
      if (h !== undefined) h.state = h.state === 'running' ? 'collecting' : h.state
      return
    }
    h.state = 'done'
    h.version++
  }

  /** The starter's copy of each node's chunks, as the run goes (runExperiment keeps its own). */
  private onChunk(m: Chunk, from: string): void {
    const h = this.held.get(m.id)
    if (h === undefined || !h.startedHere || h.spec.peers[m.node] !== from) return
    const k = m.node
    if (m.chunk === 0 && h.next[k] > 0) {
      h.records -= h.recs[k].length
      h.recs[k] = []
      h.next[k] = 0
    }
    if (m.chunk !== h.next[k]) return
    h.next[k]++
    if (h.records >= 4 * MAX_VIEW_EVENTS) return
    for (const r of m.recs) {
      const rec = r as LocalRecord
      if (typeof rec?.at === 'number' && typeof rec.e?.kind === 'string') h.recs[k].push(rec)
    }
    h.records += m.recs.length
    if (m.recs.length > 0) h.version++
  }

  private merged(h: Held): { version: number; events: TraceEvent[] } {
    const m = h.merged
    if (m !== undefined && (m.version === h.version || performance.now() - m.at < MERGE_EVERY_MS))
      return m
    let events: TraceEvent[]
    if (h.result !== undefined) events = h.result.trace.events
    else
      try {
        events = mergeTraces(this.meta(h.spec), h.recs).trace.events
      } catch {
        events = m?.events ?? []
      }
    events = events.map((e) => rebase(e, h.startedAt))
    if (m !== undefined) {
      let same = 0
      const limit = Math.min(m.events.length, events.length)
      while (same < limit && identity(m.events[same]) === identity(events[same])) same++
      h.previous = { version: m.version, same }
    }
    h.merged = { version: h.version, events, at: performance.now() }
    return h.merged
  }

  private sync(h: Held, events: TraceEvent[]): LanSyncView {
    const view = syncView(events, h.spec.names, 0)
    for (const n of view.nodes)
      if (n.stratum !== undefined) this.strata.set(h.spec.peers[n.node], n.stratum)
    return view
  }

  private learnStrata(h: Held): void {
    if (algorithmRegistry.get(h.spec.algorithm)?.family === 'sync')
      this.sync(h, this.merged(h).events)
  }

  private stratumOf(id: string): { stratum?: number } {
    const s = this.strata.get(id)
    return s === undefined ? {} : { stratum: s }
  }

  private meta(spec: ExperimentSpec): TraceMeta {
    const algorithm = algorithmRegistry.get(spec.algorithm)
    let params: unknown = spec.params
    try {
      params = algorithm?.params?.parse(spec.params) ?? spec.params
    } catch {
      // shown as given
    }
    return {
      source: 'live',
      algorithm: spec.algorithm,
      params: params as TraceMeta['params'],
      nodes: spec.names,
      seed: spec.seed,
      vectorTime: true,
    }
  }

  private info(h: Held): LanExperimentInfo {
    return {
      id: h.spec.id,
      algorithm: h.spec.algorithm,
      family: algorithmRegistry.get(h.spec.algorithm)?.family ?? '',
      params: h.spec.params,
      nodes: h.spec.names,
      starter:
        h.spec.names[h.spec.peers.indexOf(h.spec.starter)] ??
        this.joined?.node.peer.members().find((m) => m.id === h.spec.starter)?.name ??
        h.spec.starter.slice(0, 6),
      startedHere: h.startedHere,
      ...(h.selfNode !== undefined ? { selfNode: h.selfNode } : {}),
      durationMs: h.spec.durationMs,
      startedAt: h.startedAt,
      state: h.state,
      ...(h.error !== undefined ? { error: h.error } : {}),
    }
  }

  private say(line: string): void {
    const t = new Date().toISOString().slice(11, 19)
    this.log.push(`${t} ${line}`)
    this.log.splice(0, Math.max(0, this.log.length - LOG_LINES))
  }
}

/** Local readings counted from `t0` (ms), so a live run starts near 0 like a simulated one. */
function rebase(e: TraceEvent, t0: number): TraceEvent {
  return isProcessEvent(e) ? { ...e, local: e.local - t0 } : e
}

/** What makes an event the same event across two merges. */
function identity(e: TraceEvent): string {
  return isProcessEvent(e)
    ? `${e.kind}:${e.node}:${e.seq}`
    : `${e.kind}:${'msg' in e ? e.msg : ''}:${'from' in e ? e.from : ''}:${'to' in e ? e.to : ''}`
}

/** Link faults with their no-op fields left out. */
function clean(f: LanLinkFaults): LanLinkFaults {
  return {
    ...(f.drop ? { drop: f.drop } : {}),
    ...(f.delayMs ? { delayMs: f.delayMs } : {}),
    ...(f.jitterMs ? { jitterMs: f.jitterMs } : {}),
    ...(f.duplicate ? { duplicate: f.duplicate } : {}),
    ...(f.cut !== undefined ? { cut: f.cut } : {}),
  }
}

function describeFault(req: LanFaultRequest, names: readonly string[]): string {
  const who = `node ${req.node} (${names[req.node]})`
  if (req.crash) return `${who} crashed`
  if (req.restart) return `${who} restarted`
  if (req.link === undefined) return `${who}: no change`
  const f = clean(req.link.faults)
  const parts = [
    f.drop ? `drop ${Math.round(f.drop * 100)}%` : '',
    f.delayMs ? `+${f.delayMs} ms` : '',
    f.jitterMs ? `jitter ${f.jitterMs} ms` : '',
    f.duplicate ? `duplicate ${Math.round(f.duplicate * 100)}%` : '',
    f.cut ? `cut ${f.cut}` : '',
  ].filter((x) => x !== '')
  return `${who} → node ${req.link.to}: ${parts.length ? parts.join(', ') : 'faults cleared'}`
}
