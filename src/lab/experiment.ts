// Live experiments. Every lab node (LabNode) takes part in the experiments its
// peers start: it runs its node of the algorithm (live-driver.ts) for the run's
// duration and streams its trace to the starter while the run goes, in numbered
// chunks (every RECORDS_PER_CHUNK records or FLUSH_MS), holding in memory only what
// it has not sent yet; the final chunk says `last`. Its records also go, line by
// line, to a log in its state directory before any message leaves, so a node whose
// process was killed uploads its record (streamed from the log, paced by the acks)
// when its process is started again. The starter (runExperiment) numbers the nodes
// by sorted peer id, checks each node's chunks are contiguous, spools them to a temp
// directory as they come, and at the end loads and merges them (merge.ts) and runs
// the checkers.
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { StringDecoder } from 'node:string_decoder'
import { randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { algorithmRegistry } from '../algorithms/registry'
import type { Verdict } from '../check/checker'
import { checkTrace } from '../check/index'
import { InputError } from '../core/errors'
import { formatIssue } from '../core/issues'
import { TraceSchema } from '../core/trace-schema'
import { z } from 'zod'
import type { JsonValue } from '../core/json'
import type { NodeId } from '../core/process'
import type { Trace, TraceMeta } from '../core/trace'
import type { LanPeer } from '../net/lan-peer'
import { LiveNode, type LiveNodeOptions } from '../net/live-driver'
import type { FaultPlan, LocalRecord } from '../net/live-trace'
import { mergeTraces } from '../net/merge'
import {
  ExperimentMessageSchema,
  ExperimentSpecSchema,
  RECORDS_PER_CHUNK,
  type ExperimentMessage,
  type ExperimentSpec,
} from './experiment-protocol'

export interface LabNodeOptions {
  /** Stable storage and trace logs of this node's runs (default: none kept). */
  stateDir?: string
  /** This workstation's external time reference, for its nodes (a reference peer). */
  reference?: LiveNodeOptions['reference']
}

/** A running node sends what it holds at least this often (ms), even under a full chunk. */
export const FLUSH_MS = 300
/** Reliable frames not yet acknowledged (all peers) above which trace streaming waits. */
const MAX_UNACKED = 512
/**
 * Records held unsent at most. Beyond it, with the starter in view they go despite the
 * backpressure; with the starter out of view streaming stops for the run (the log stays).
 */
const MAX_OUTBOX = 20_000
/** Recent records a running LiveNode keeps in `records` (for views and tests). */
const RETAIN = 500

interface Running {
  spec: ExperimentSpec
  node: LiveNode
  log?: number
  timer: NodeJS.Timeout
  flusher: NodeJS.Timeout
  /** Records made but not sent yet: the only ones this node holds for the starter. */
  outbox: LocalRecord[]
  /** Next chunk number. */
  chunk: number
  /** Records sent so far. */
  sent: number
  /** The starter left the view: streaming stopped; the log (if any) is uploaded later. */
  detached: boolean
}

interface PendingUpload {
  spec: ExperimentSpec
  node: NodeId
  file: string
  /** The process died during the run (false: it lived, but could not stream). */
  late: boolean
  uploading?: boolean
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** One workstation's part in the lab's experiments. */
export class LabNode extends EventEmitter<{
  joined: [ExperimentSpec, NodeId]
  refused: [ExperimentSpec, string]
  /** The run ended here; its records went (or, the starter gone, will go) to the starter. */
  finished: [ExperimentSpec, { records: number; sent: number }]
  chunk: [Extract<ExperimentMessage, { t: 'trace' }>, string]
}> {
  private readonly running = new Map<string, Running>()
  private readonly pendingUploads: PendingUpload[] = []
  /** Algorithm messages that beat their experiment's announcement here (other streams). */
  private readonly early = new Map<string, [string, Extract<ExperimentMessage, { t: 'alg' }>][]>()

  constructor(
    readonly peer: LanPeer,
    private readonly options: LabNodeOptions = {},
  ) {
    super()
    peer.on('message', (from, body) => this.onMessage(from, body))
    peer.on('membership', (e) => {
      if (e.kind === 'join' || e.kind === 'restart') this.uploadPending()
    })
    this.findPendingUploads()
  }

  /** Runs this node's part of `spec` (the starter calls it for itself too). */
  join(spec: ExperimentSpec): NodeId | undefined {
    const self = spec.peers.indexOf(this.peer.id)
    if (self < 0 || this.running.has(spec.id)) return undefined
    const algorithm = algorithmRegistry.get(spec.algorithm)
    if (algorithm === undefined) return undefined
    const parsed = algorithm.params?.safeParse(spec.params)
    if (parsed !== undefined && !parsed.success) return undefined
    const params = parsed?.data ?? {}
    const dir = this.options.stateDir
    let log: number | undefined
    if (dir !== undefined) {
      mkdirSync(dir, { recursive: true })
      writeFileSync(join(dir, `${spec.id}.spec.json`), JSON.stringify(spec))
      log = openSync(join(dir, `${spec.id}-node${self}.jsonl`), 'a')
    }
    const faults = (spec.faults[String(self)] ?? {}) as FaultPlan
    const node = new LiveNode({
      algorithm,
      params,
      self,
      nodeCount: spec.peers.length,
      seed: spec.seed,
      faults,
      workloadRate: spec.workloadRate,
      workloadMs: spec.workloadMs,
      stateFile: dir === undefined ? undefined : join(dir, `${spec.id}-node${self}.stable.json`),
      transport: {
        send: (to, w) =>
          this.peer.send(spec.peers[to], { t: 'alg', id: spec.id, from: self, w } as never),
      },
      retain: RETAIN,
      reference: this.options.reference,
      onRecord: (r) => {
        if (log !== undefined) writeSync(log, `${JSON.stringify(r)}\n`)
        run.outbox.push(r)
        if (run.outbox.length >= RECORDS_PER_CHUNK) this.flush(run, false)
      },
    })
    const run: Running = {
      spec,
      node,
      log,
      timer: setTimeout(() => this.finish(spec.id), spec.durationMs),
      flusher: setInterval(() => this.flush(run, true), FLUSH_MS),
      outbox: [],
      chunk: 0,
      sent: 0,
      detached: false,
    }
    this.running.set(spec.id, run)
    this.emit('joined', spec, self)
    node.start()
    for (const [from, m] of this.early.get(spec.id) ?? []) this.onAlg(from, m)
    this.early.delete(spec.id)
    return self
  }

  /** Dies as a killed process would: no goodbye, no record sent; the logs stay for a restart. */
  kill(): void {
    for (const r of this.running.values()) {
      clearTimeout(r.timer)
      clearInterval(r.flusher)
      r.node.stop()
      if (r.log !== undefined) closeSync(r.log)
    }
    this.running.clear()
    this.peer.kill()
  }

  /** The live nodes of the experiments running here. */
  runningNodes(): LiveNode[] {
    return [...this.running.values()].map((r) => r.node)
  }

  /** The live node of a running experiment (to crash or restart it, or command it). */
  node(id: string): LiveNode | undefined {
    return this.running.get(id)?.node
  }

  private finish(id: string): void {
    const r = this.running.get(id)
    if (r === undefined) return
    this.running.delete(id)
    clearTimeout(r.timer)
    clearInterval(r.flusher)
    r.node.stop()
    if (r.log !== undefined) closeSync(r.log)
    this.flush(r, true, true)
    const dir = this.options.stateDir
    const file = dir === undefined ? undefined : join(dir, `${id}-node${r.node.self}.jsonl`)
    if (r.detached && file !== undefined) {
      this.pendingUploads.push({ spec: r.spec, node: r.node.self, file, late: false })
    } else if (dir !== undefined) writeFileSync(join(dir, `${id}-node${r.node.self}.uploaded`), '')
    this.emit('finished', r.spec, { records: r.node.recorded, sent: r.sent })
  }

  /**
   * Sends the records held as chunks: full ones, or (`partial`) whatever is held. Waits
   * while the reliable streams have too much unacknowledged; `end` sends all and `last`.
   */
  private flush(r: Running, partial: boolean, end = false): void {
    const toSelf = r.spec.starter === this.peer.id
    const inView = toSelf || this.peer.discovery.membership.get(r.spec.starter) !== undefined
    if (!inView || r.detached) {
      if (!r.detached && (end || r.outbox.length > MAX_OUTBOX)) r.detached = true
      if (r.detached) r.outbox = []
      return
    }
    while (r.outbox.length >= RECORDS_PER_CHUNK || ((partial || end) && r.outbox.length > 0)) {
      // Backpressure, unless the held records pass the cap: then the streams queue them.
      const full = r.outbox.length > MAX_OUTBOX
      if (!end && !full && !toSelf && this.peer.streams.unacked() > MAX_UNACKED) return
      const recs = r.outbox.splice(0, RECORDS_PER_CHUNK)
      const last = end && r.outbox.length === 0
      if (!this.sendChunk(r.spec, r.node.self, r.chunk++, recs, last, false)) {
        r.detached = true
        r.outbox = []
        return
      }
      r.sent += recs.length
      if (last) return
    }
    if (end && !this.sendChunk(r.spec, r.node.self, r.chunk++, [], true, false)) r.detached = true
  }

  /** One chunk to the starter (or to this node's own runExperiment); false if it cannot go. */
  private sendChunk(
    spec: ExperimentSpec,
    node: NodeId,
    chunk: number,
    recs: LocalRecord[],
    last: boolean,
    late: boolean,
  ): boolean {
    const msg: Extract<ExperimentMessage, { t: 'trace' }> = {
      t: 'trace',
      id: spec.id,
      node,
      chunk,
      recs,
      last,
      late,
    }
    if (spec.starter !== this.peer.id)
      return this.peer.send(spec.starter, msg as unknown as JsonValue)
    this.emit('chunk', msg, this.peer.id)
    return true
  }

  private onMessage(from: string, body: JsonValue): void {
    const parsed = ExperimentMessageSchema.safeParse(body)
    if (!parsed.success) return
    const m = parsed.data
    switch (m.t) {
      case 'exp':
        if (m.spec.starter !== from) return
        try {
          this.join(m.spec)
        } catch (err) {
          // Its state dir is unusable (a full disk, a corrupt file): this node sits the run out.
          this.emit('refused', m.spec, (err as Error).message)
        }
        return
      case 'alg':
        return this.onAlg(from, m)
      case 'fault': {
        const r = this.running.get(m.id)
        if (r === undefined || r.spec.starter !== from) return
        if (m.crash) r.node.crash()
        if (m.restart) r.node.restart()
        if (m.links) r.node.setFaults(m.links as FaultPlan)
        return
      }
      case 'trace':
        this.emit('chunk', m, from)
    }
  }

  private onAlg(from: string, m: Extract<ExperimentMessage, { t: 'alg' }>): void {
    const r = this.running.get(m.id)
    if (r !== undefined) {
      if (r.spec.peers[m.from] === from) r.node.receive(m.from, m.w)
      return
    }
    if (this.early.size > 16 && !this.early.has(m.id)) return
    const held = this.early.get(m.id) ?? []
    if (held.length < 10_000) held.push([from, m])
    this.early.set(m.id, held)
  }

  /** Records of runs this node's process did not live to finish, left in the state dir. */
  private findPendingUploads(): void {
    const dir = this.options.stateDir
    if (dir === undefined || !existsSync(dir)) return
    for (const f of readdirSync(dir)) {
      const m = /^(.+)-node(\d+)\.jsonl$/.exec(f)
      if (m === null || existsSync(join(dir, `${m[1]}-node${m[2]}.uploaded`))) continue
      const specFile = join(dir, `${m[1]}.spec.json`)
      if (!existsSync(specFile)) continue
      const spec = ExperimentSpecSchema.safeParse(JSON.parse(readFileSync(specFile, 'utf8')))
      if (spec.success)
        this.pendingUploads.push({
          spec: spec.data,
          node: Number(m[2]),
          file: join(dir, f),
          late: true,
        })
    }
  }

  private uploadPending(): void {
    for (const u of this.pendingUploads) {
      if (u.uploading || this.peer.discovery.membership.get(u.spec.starter) === undefined) continue
      u.uploading = true
      this.uploadLog(u).then(
        (ok) => {
          u.uploading = false
          if (!ok) return
          const dir = this.options.stateDir as string
          renameSync(u.file, `${u.file}.sent`)
          writeFileSync(join(dir, `${u.spec.id}-node${u.node}.uploaded`), '')
          this.pendingUploads.splice(this.pendingUploads.indexOf(u), 1)
        },
        () => (u.uploading = false),
      )
    }
  }

  /**
   * Streams a run's log to its starter from chunk 0 (the starter starts the node's record
   * afresh), reading it a block at a time and waiting for acks: memory stays bounded.
   */
  private async uploadLog(u: PendingUpload): Promise<boolean> {
    const fd = openSync(u.file, 'r')
    try {
      const buf = Buffer.alloc(64 * 1024)
      const decoder = new StringDecoder('utf8')
      let rest = ''
      let batch: LocalRecord[] = []
      let chunk = 0
      const send = async (last: boolean): Promise<boolean> => {
        for (let waited = 0; this.peer.streams.unacked() > MAX_UNACKED; waited++) {
          if (waited > 3000) return false // 60 s without room: try again at the next join
          await sleep(20)
        }
        const ok = this.sendChunk(u.spec, u.node, chunk++, batch, last, u.late)
        batch = []
        return ok
      }
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, null)
        const lines = (rest + (n > 0 ? decoder.write(buf.subarray(0, n)) : decoder.end())).split(
          '\n',
        )
        rest = n > 0 ? (lines.pop() as string) : ''
        for (const line of lines) {
          if (line === '') continue
          try {
            batch.push(JSON.parse(line) as LocalRecord)
          } catch {
            continue // the last line of a killed process may be cut short
          }
          if (batch.length === RECORDS_PER_CHUNK && !(await send(false))) return false
        }
        if (n === 0) break
      }
      return await send(true)
    } finally {
      closeSync(fd)
    }
  }
}

/** The shape a record must have to enter the merge (the trace schema checks the rest). */
const RecordSchema = z.object({
  at: z.number(),
  e: z.looseObject({ kind: z.string(), i: z.number(), node: z.int().nonnegative().optional() }),
})

export interface ExperimentRequest {
  algorithm: string
  params?: Record<string, unknown>
  durationMs: number
  /** How many of the lab's peers take part (default: all in view, with the starter). */
  nodes?: number
  /** Whether the starter runs a node itself (default true); false: it only coordinates. */
  participate?: boolean
  seed?: number
  workloadRate?: number
  workloadMs?: number
  faults?: ExperimentSpec['faults']
  /** How long after the run to wait for every node's record (default 10 s). */
  collectMs?: number
  check?: boolean
}

export interface ExperimentResult {
  spec: ExperimentSpec
  trace: Trace
  verdicts?: Verdict[]
  /** Nodes whose process died during the run (their record came from a restart, or never). */
  lost: NodeId[]
  /** Nodes whose record never arrived whole (no last chunk, or a gap in the chunks). */
  missing: NodeId[]
  /** Nodes whose chunks had a gap (a chunk number skipped): their record stops there. */
  gaps: NodeId[]
  /** Records received per node (after validation), as merged. */
  received: number[]
  cut: number[]
}

/** Checks the request against the registry and the lab's view; builds the spec. */
export function planExperiment(lab: LabNode, req: ExperimentRequest): ExperimentSpec {
  const algorithm = algorithmRegistry.get(req.algorithm)
  if (algorithm === undefined)
    throw new InputError(
      `unknown algorithm '${req.algorithm}' (known: ${[...algorithmRegistry.keys()].join(', ')})`,
    )
  const params = req.params ?? {}
  if (algorithm.params) {
    const r = algorithm.params.safeParse(params)
    if (!r.success) throw new InputError(formatIssue(r.error.issues[0], ['params']))
  }
  const others = lab.peer.members()
  const self = req.participate === false ? [] : [{ id: lab.peer.id, name: lab.peer.name }]
  const available = others.length + self.length
  const count = req.nodes ?? available
  if (count > available)
    throw new InputError(
      `--nodes ${count}: only ${available} peers in the lab can take part${self.length ? ' (this one included)' : ''}`,
    )
  const chosen = [...self, ...others.slice(0, count - self.length)]
  chosen.sort((a, b) => (a.id < b.id ? -1 : 1))
  const min = algorithm.minNodes?.(algorithm.params?.parse(params) ?? {}) ?? 1
  if (count < min)
    throw new InputError(`${algorithm.name} needs at least ${min} nodes, the lab has ${count}`)
  return ExperimentSpecSchema.parse({
    id: `x${Date.now().toString(36)}${randomBytes(2).toString('hex')}`,
    starter: lab.peer.id,
    algorithm: algorithm.name,
    params,
    durationMs: req.durationMs,
    seed: req.seed ?? 1,
    peers: chosen.map((p) => p.id),
    names: chosen.map((p) => p.name),
    workloadRate: req.workloadRate ?? 5,
    workloadMs: req.workloadMs ?? req.durationMs * 0.7,
    faults: req.faults ?? {},
  })
}

/** Starts an experiment from this node, waits for every record, merges and checks. */
export async function runExperiment(
  lab: LabNode,
  spec: ExperimentSpec,
  req: Pick<ExperimentRequest, 'collectMs' | 'check'> = {},
): Promise<ExperimentResult> {
  const n = spec.peers.length
  // Chunks go to a spool file per node as they come: the starter's memory stays bounded
  // during the run; the merge at the end loads every record.
  const spool = mkdtempSync(join(tmpdir(), 'clocklab-spool-'))
  try {
    const files = spec.peers.map((_, k) => join(spool, `node${k}.jsonl`))
    const fds = files.map((f) => openSync(f, 'w'))
    const next = new Array<number>(n).fill(0)
    const received = new Array<number>(n).fill(0)
    const done = new Set<NodeId>()
    const lost = new Set<NodeId>()
    const gaps = new Set<NodeId>()
    const finished = new Promise<void>((resolve) => {
      const onChunk = (m: Extract<ExperimentMessage, { t: 'trace' }>, from: string) => {
        const k = m.node
        if (m.id !== spec.id || spec.peers[k] !== from || done.has(k)) return
        if (m.chunk === 0 && next[k] > 0) {
          // An upload from the node's log (its process restarted): its record starts afresh.
          closeSync(fds[k])
          fds[k] = openSync(files[k], 'w')
          next[k] = 0
          received[k] = 0
          gaps.delete(k)
        }
        if (m.chunk !== next[k]) {
          gaps.add(k)
          if (m.last) done.add(k)
        } else {
          next[k]++
          const lines = m.recs.filter((r) => RecordSchema.safeParse(r).success)
          received[k] += lines.length
          if (lines.length > 0)
            writeSync(fds[k], lines.map((r) => `${JSON.stringify(r)}\n`).join(''))
          if (m.late) lost.add(k)
          if (m.last) done.add(k)
        }
        if (done.size === n) finish()
      }
      const timer = setTimeout(() => finish(), spec.durationMs + (req.collectMs ?? 10_000))
      const finish = () => {
        clearTimeout(timer)
        lab.off('chunk', onChunk)
        resolve()
      }
      lab.on('chunk', onChunk)
    })
    for (const p of spec.peers)
      if (p !== lab.peer.id) lab.peer.send(p, { t: 'exp', spec } as unknown as JsonValue)
    lab.join(spec)
    await finished
    for (const fd of fds) closeSync(fd)
    const missing = [...Array(n).keys()].filter((k) => !done.has(k) || gaps.has(k))
    const recs = files.map(readSpool)
    return finishExperiment(spec, recs, lost, missing, gaps, received, req)
  } finally {
    rmSync(spool, { recursive: true, force: true })
  }
}

/** A node's spooled records (the merge needs them all: this is where memory is not bounded). */
function readSpool(file: string): LocalRecord[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as LocalRecord)
}

function finishExperiment(
  spec: ExperimentSpec,
  recs: LocalRecord[][],
  lost: Set<NodeId>,
  missing: NodeId[],
  gaps: Set<NodeId>,
  received: number[],
  req: Pick<ExperimentRequest, 'check'>,
): ExperimentResult {
  const algorithm = algorithmRegistry.get(spec.algorithm)
  const meta: TraceMeta = {
    source: 'live',
    algorithm: spec.algorithm,
    params: (algorithm?.params?.parse(spec.params) ?? spec.params) as JsonValue,
    nodes: spec.names,
    seed: spec.seed,
    vectorTime: true,
  }
  const { trace, cut } = mergeTraces(meta, recs, [...lost, ...missing])
  // A peer's record is data from the network: the merged trace must pass the trace schema.
  const valid = TraceSchema.safeParse(trace)
  if (!valid.success)
    throw new Error(`the merged trace is invalid: ${formatIssue(valid.error.issues[0])}`)
  return {
    spec,
    trace,
    ...(req.check ? { verdicts: checkTrace(trace.meta, trace.events) } : {}),
    lost: [...lost].sort(),
    missing,
    gaps: [...gaps].sort(),
    received,
    cut,
  }
}

/** Sets faults on a running experiment's node, or crashes/restarts it (starter only). */
export function sendFault(
  lab: LabNode,
  spec: ExperimentSpec,
  node: NodeId,
  fault: { crash?: boolean; restart?: boolean; links?: FaultPlan },
): void {
  const msg = { t: 'fault', id: spec.id, ...fault } as unknown as JsonValue
  if (spec.peers[node] === lab.peer.id) {
    const live = lab.node(spec.id)
    if (fault.crash) live?.crash()
    if (fault.restart) live?.restart()
    if (fault.links) live?.setFaults(fault.links)
  } else lab.peer.send(spec.peers[node], msg)
}
