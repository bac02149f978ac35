// Live experiments. Every lab node (LabNode) takes part in the experiments its
// peers start: it runs its node of the algorithm (live-driver.ts) for the run's
// duration and streams its trace back to the starter in chunks. Its records also
// go, line by line, to a log in its state directory before any message leaves, so
// a node whose process was killed uploads its record when its process is started
// again. The starter (runExperiment) numbers the nodes by sorted peer id, waits for
// every record, merges them (merge.ts) and runs the checkers.
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { join } from 'node:path'
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
import { LiveNode } from '../net/live-driver'
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
}

interface Running {
  spec: ExperimentSpec
  node: LiveNode
  log?: number
  timer: NodeJS.Timeout
}

/** One workstation's part in the lab's experiments. */
export class LabNode extends EventEmitter<{
  joined: [ExperimentSpec, NodeId]
  refused: [ExperimentSpec, string]
  finished: [ExperimentSpec]
  chunk: [Extract<ExperimentMessage, { t: 'trace' }>, string]
}> {
  private readonly running = new Map<string, Running>()
  private readonly pendingUploads: { spec: ExperimentSpec; node: NodeId; file: string }[] = []
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
      onRecord: log === undefined ? undefined : (r) => writeSync(log, `${JSON.stringify(r)}\n`),
    })
    const timer = setTimeout(() => this.finish(spec.id), spec.durationMs)
    this.running.set(spec.id, { spec, node, log, timer })
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
    r.node.stop()
    if (r.log !== undefined) closeSync(r.log)
    this.sendRecords(r.spec, r.node.self, r.node.records, false)
    const dir = this.options.stateDir
    if (dir !== undefined) writeFileSync(join(dir, `${id}-node${r.node.self}.uploaded`), '')
    this.emit('finished', r.spec)
  }

  private sendRecords(
    spec: ExperimentSpec,
    node: NodeId,
    recs: readonly LocalRecord[],
    late: boolean,
  ): void {
    const chunks = Math.max(1, Math.ceil(recs.length / RECORDS_PER_CHUNK))
    for (let k = 0; k < chunks; k++) {
      const msg: ExperimentMessage = {
        t: 'trace',
        id: spec.id,
        node,
        chunk: k,
        recs: recs.slice(k * RECORDS_PER_CHUNK, (k + 1) * RECORDS_PER_CHUNK),
        last: k === chunks - 1,
        late,
      }
      if (spec.starter === this.peer.id) this.emit('chunk', msg, this.peer.id)
      else this.peer.send(spec.starter, msg as unknown as JsonValue)
    }
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
        this.pendingUploads.push({ spec: spec.data, node: Number(m[2]), file: join(dir, f) })
    }
  }

  private uploadPending(): void {
    const dir = this.options.stateDir as string
    for (const u of [...this.pendingUploads]) {
      if (this.peer.members().every((p) => p.id !== u.spec.starter)) continue
      const recs = readFileSync(u.file, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as LocalRecord]
          } catch {
            return [] // the last line of a killed process may be cut short
          }
        })
      this.sendRecords(u.spec, u.node, recs, true)
      renameSync(u.file, `${u.file}.sent`)
      writeFileSync(join(dir, `${u.spec.id}-node${u.node}.uploaded`), '')
      this.pendingUploads.splice(this.pendingUploads.indexOf(u), 1)
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
  /** Nodes whose record never arrived. */
  missing: NodeId[]
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
  const recs: LocalRecord[][] = Array.from({ length: n }, () => [])
  const done = new Set<NodeId>()
  const lost = new Set<NodeId>()
  const finished = new Promise<void>((resolve) => {
    const onChunk = (m: Extract<ExperimentMessage, { t: 'trace' }>, from: string) => {
      if (m.id !== spec.id || spec.peers[m.node] !== from || done.has(m.node)) return
      for (const r of m.recs)
        if (RecordSchema.safeParse(r).success) recs[m.node].push(r as LocalRecord)
      if (m.late) lost.add(m.node)
      if (m.last) done.add(m.node)
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
  const missing = [...Array(n).keys()].filter((k) => !done.has(k))
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
