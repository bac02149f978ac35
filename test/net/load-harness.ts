// The live lab under load, shared by bench/lan-load.ts and test/net/load.test.ts: N real
// `clocklab lan join` processes on loopback (seed mode) and a starter in this process
// running an experiment across all of them for a set time, with lab heartbeats going
// the whole while. Every few seconds it reads each process's resident memory (VmRSS in
// /proc/PID/status). At the end it counts the records each node logged to its state dir
// (every trace event the node made) against the records the starter received and the
// events of the merged trace. Processes are killed by PID and the temp dir removed even
// when something fails.
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Verdict } from '../../src/check/checker'
import { LabNode, planExperiment, runExperiment } from '../../src/lab/experiment'
import { deriveLabKeys } from '../../src/net/keys'
import { LanPeer } from '../../src/net/lan-peer'
import { freePorts, LOOPBACK } from './lab-harness'
import { clocklabProc, stopAll, type Proc } from './processes'

export interface LoadOptions {
  peers: number
  seconds: number
  algorithm: string
  /** Workload: commands per node per second (for the whole run). */
  rate: number
  /** Lab heartbeats (default 500 ms) and the timeout that declares a peer gone (10 s). */
  heartbeatMs?: number
  timeoutMs?: number
  sampleMs: number
  /** Memory is measured from this long after the run's start (default: a third, at most 2 min). */
  warmupMs?: number
  say: (line: string) => void
}

/** What is measured per join process: from /proc/PID/status, and the process's own report. */
export const METRICS = ['rss', 'rssAnon', 'rssFile', 'heapUsed', 'heapTotal', 'external'] as const
export type Metric = (typeof METRICS)[number]

/** One metric of every join process (KB, KB/min). */
export interface MetricReport {
  /** At the run's start, after warm-up, at the end. */
  start: number[]
  warm: number[]
  end: number[]
  /** Least-squares slope after warm-up, KB/min. */
  slopes: number[]
  /** Growth after warm-up: median of the last quarter of samples − of the first quarter. */
  growth: number[]
  /** Samples after warm-up (the fewest of any process). */
  samples: number
}

export interface LoadReport {
  peers: number
  seconds: number
  /** Whether every process's heap figures were taken right after a full collection. */
  gc: boolean
  memory: Partial<Record<Metric, MetricReport>>
  /** The samples themselves, per metric and process (for a closer look: bench --json). */
  series: Partial<Record<Metric, Series[]>>
  /** Minutes of samples after warm-up. */
  window: number
  /** This process (the starter): RSS during the run, max (KB), and after the merge. */
  starterRssMax: number
  starterRssAfter: number
  /** Records per node: logged by the node, received by the starter; merged trace events. */
  logged: number[]
  received: number[]
  merged: number
  missing: number[]
  gaps: number[]
  cut: number[]
  verdicts: Verdict[]
}

const PASSPHRASE = 'load test passphrase'
const LAB = 'load'

/** A process's resident memory from /proc/PID/status, KB (undefined once it has gone). */
export function procMemory(
  pid: number,
): { rss: number; rssAnon: number; rssFile: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1])
    return { rss: kb('VmRSS'), rssAnon: kb('RssAnon'), rssFile: kb('RssFile') }
  } catch {
    return undefined
  }
}

/** Resident set size of a process, KB (undefined once it has gone). */
export const rssKb = (pid: number): number | undefined => procMemory(pid)?.rss

/** A join process's own memory report (lan-command.ts, CLOCKLAB_MEMORY_LOG), bytes. */
const MEMORY_LINE =
  /^memory at=(\d+) gc=([01]) rss=(\d+) heapUsed=(\d+) heapTotal=(\d+) external=(\d+) arrayBuffers=(\d+)$/

/** Least-squares slope of y over x. */
export function slope(xs: number[], ys: number[]): number {
  const n = xs.length
  if (n < 2) return 0
  const mx = xs.reduce((a, b) => a + b, 0) / n
  const my = ys.reduce((a, b) => a + b, 0) / n
  let sxy = 0
  let sxx = 0
  for (let k = 0; k < n; k++) {
    sxy += (xs[k] - mx) * (ys[k] - my)
    sxx += (xs[k] - mx) ** 2
  }
  return sxx === 0 ? 0 : sxy / sxx
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? NaN : s[Math.floor((s.length - 1) / 2)]
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function waitFor(what: string, ms: number, predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + ms
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await sleep(100)
  }
}

/** Samples of one metric of one process: time (min from the run's start), value (KB). */
export type Series = { t: number[]; y: number[] }

/** A metric over the run: start, after warm-up, end, slope and growth after warm-up. */
function summarize(series: Series[], warm: number, end: number): MetricReport {
  const parts = series.map(({ t, y }) => {
    const inRun = t.map((x, i) => i).filter((i) => t[i] <= end)
    const after = inRun.filter((i) => t[i] >= warm)
    const ys = after.map((i) => y[i])
    const q = Math.max(1, Math.floor(after.length / 4))
    return {
      start: y[inRun[0]] ?? NaN,
      warm: ys[0] ?? NaN,
      end: ys.at(-1) ?? NaN,
      slope: slope(
        after.map((i) => t[i]),
        ys,
      ),
      growth: median(ys.slice(-q)) - median(ys.slice(0, q)),
      samples: after.length,
    }
  })
  return {
    start: parts.map((p) => p.start),
    warm: parts.map((p) => p.warm),
    end: parts.map((p) => p.end),
    slopes: parts.map((p) => p.slope),
    growth: parts.map((p) => p.growth),
    samples: Math.min(...parts.map((p) => p.samples)),
  }
}

export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const o = {
    heartbeatMs: 500,
    timeoutMs: 10_000,
    warmupMs: Math.min(120_000, (options.seconds * 1000) / 3),
    ...options,
  }
  const dir = mkdtempSync(join(tmpdir(), 'clocklab-load-'))
  let starter: LabNode | undefined
  let sampler: NodeJS.Timeout | undefined
  try {
    const ports = await freePorts(o.peers + 1)
    const net = (k: number) => [
      '--lab',
      LAB,
      '--seeds',
      ports.join(','),
      '--port',
      String(ports[k]),
      '--heartbeat-ms',
      String(o.heartbeatMs),
      '--timeout-ms',
      String(o.timeoutMs),
      '--state-dir',
      join(dir, `ws${k}`),
    ]
    // Each join process reports its own memory (CLOCKLAB_MEMORY_LOG) every sampleMs, right
    // after a full collection (--expose-gc).
    const nodeOptions = [process.env.NODE_OPTIONS, '--expose-gc']
    const env = {
      CLOCKLAB_LAB_PASSPHRASE: PASSPHRASE,
      CLOCKLAB_MEMORY_LOG: String(o.sampleMs),
      NODE_OPTIONS: nodeOptions.filter((x) => x !== undefined && x !== '').join(' '),
    }
    const joins: Proc[] = []
    // Started a few at a time: twenty TypeScript loaders at once would starve the heartbeats.
    for (let k = 0; k < o.peers; k++) {
      joins.push(clocklabProc(['lan', 'join', '--name', `ws${k}`, ...net(k)], [], env))
      if (k % 4 === 3) await joins[k].line(/^joined lab/)
    }
    await Promise.all(joins.map((p) => p.line(/^joined lab/)))
    o.say(`${o.peers} join processes up (PIDs ${joins.map((p) => p.child.pid).join(' ')})`)
    const peer = await LanPeer.start({
      keys: deriveLabKeys(LAB, PASSPHRASE),
      iface: LOOPBACK,
      unicastPort: ports[o.peers],
      seeds: ports,
      name: 'starter',
      heartbeatMs: o.heartbeatMs,
      timeoutMs: o.timeoutMs,
    })
    starter = new LabNode(peer)
    const lab = starter
    await waitFor(`${o.peers} peers in the starter's view`, 120_000, () => {
      return lab.peer.members().length >= o.peers
    })
    const spec = planExperiment(lab, {
      algorithm: o.algorithm,
      durationMs: o.seconds * 1000,
      nodes: o.peers,
      participate: false,
      workloadRate: o.rate,
      workloadMs: o.seconds * 1000,
      seed: 1,
    })
    o.say(
      `experiment ${spec.id}: ${o.algorithm}, ${o.peers} nodes, ${o.seconds} s, ${o.rate} commands/s per node, heartbeat ${o.heartbeatMs} ms`,
    )
    const pids = joins.map((p) => p.child.pid as number)
    const series = (): Series[] => pids.map(() => ({ t: [], y: [] }))
    const proc = { rss: series(), rssAnon: series(), rssFile: series() }
    let starterRssMax = 0
    const wall0 = Date.now()
    const minutes = (wall: number) => (wall - wall0) / 60_000
    const sample = () => {
      const t = minutes(Date.now())
      pids.forEach((pid, k) => {
        const m = procMemory(pid)
        if (m === undefined) return
        for (const key of ['rss', 'rssAnon', 'rssFile'] as const) {
          proc[key][k].t.push(t)
          proc[key][k].y.push(m[key])
        }
      })
      starterRssMax = Math.max(starterRssMax, rssKb(process.pid) ?? 0)
    }
    // The processes' own reports, from their output (bytes → KB).
    const reports = (key: 'heapUsed' | 'heapTotal' | 'external'): Series[] =>
      joins.map((p) => {
        const s: Series = { t: [], y: [] }
        for (const line of p.lines) {
          const m = MEMORY_LINE.exec(line)
          if (m === null) continue
          const v = { heapUsed: m[4], heapTotal: m[5], external: m[6] }[key]
          s.t.push(minutes(Number(m[1])))
          s.y.push(Number(v) / 1024)
        }
        return s
      })
    sample()
    let lastSay = 0
    sampler = setInterval(() => {
      sample()
      const t = minutes(Date.now())
      if (t * 60 - lastSay >= 60) {
        lastSay = t * 60
        const last = (s: Series[]) => s.map((x) => x.y.at(-1) ?? NaN)
        const rss = last(proc.rss)
        const heap = last(reports('heapUsed'))
        o.say(
          `  t=${(t * 60).toFixed(0)} s: join RSS median ${mb(median(rss))}, max ${mb(Math.max(...rss))}; ` +
            `heap used median ${mb(median(heap))}; starter ${mb(rssKb(process.pid) ?? 0)}`,
        )
      }
    }, o.sampleMs)
    const result = await runExperiment(lab, spec, { check: true, collectMs: 60_000 })
    clearInterval(sampler)
    sampler = undefined
    const starterRssAfter = rssKb(process.pid) ?? 0
    const end = (o.seconds * 1000) / 60_000
    const warm = o.warmupMs / 60_000
    const all: Partial<Record<Metric, Series[]>> = { ...proc }
    for (const key of ['heapUsed', 'heapTotal', 'external'] as const) {
      const s = reports(key)
      if (s.every((x) => x.y.length > 0)) all[key] = s
    }
    const memory: Partial<Record<Metric, MetricReport>> = {}
    for (const key of METRICS) {
      const s = all[key]
      if (s !== undefined) memory[key] = summarize(s, warm, end)
    }
    const logged = new Array<number>(o.peers).fill(0)
    for (let k = 0; k < o.peers; k++)
      for (const f of readdirSync(join(dir, `ws${k}`))) {
        const m = new RegExp(`^${spec.id}-node(\\d+)\\.jsonl$`).exec(f)
        if (m === null) continue
        const text = readFileSync(join(dir, `ws${k}`, f), 'utf8')
        logged[Number(m[1])] += text.split('\n').filter((l) => l !== '').length
      }
    const t = proc.rss[0].t.filter((x) => x >= warm && x <= end)
    return {
      peers: o.peers,
      seconds: o.seconds,
      gc: joins.every((p) => p.lines.some((l) => /^memory .* gc=1 /.test(l))),
      memory,
      series: all,
      window: t.length < 2 ? 0 : (t.at(-1) as number) - t[0],
      starterRssMax,
      starterRssAfter,
      logged,
      received: result.received,
      merged: result.trace.events.length,
      missing: result.missing,
      gaps: result.gaps,
      cut: result.cut,
      verdicts: result.verdicts ?? [],
    }
  } finally {
    clearInterval(sampler)
    starter?.kill()
    await stopAll()
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * Memory bounds per join process after warm-up. RSS moves by megabytes with the collector and
 * the allocator, so its robust growth (last quarter's median − first quarter's) must stay
 * under GROWTH_BOUND_KB. A leak of JS objects shows as a rising heap right after a full
 * collection: over a window long enough (SLOPE_MIN_WINDOW_MIN) its least-squares slope must
 * stay under HEAP_SLOPE_BOUND_KB_PER_MIN. A node keeping its whole record (the old behaviour)
 * would grow by about 1 KB per record, some 1 MB/min here. RSS's slope is reported, not
 * bounded: with the heap flat it is the allocator's (see docs/lan.md, Load).
 */
export const GROWTH_BOUND_KB = 16 * 1024
export const HEAP_SLOPE_BOUND_KB_PER_MIN = 128
export const SLOPE_MIN_WINDOW_MIN = 5

const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`
const spread = (xs: number[], f: (x: number) => string) =>
  `min ${f(Math.min(...xs))} / median ${f(median(xs))} / max ${f(Math.max(...xs))}`

const LABELS: Record<Metric, string> = {
  rss: 'RSS',
  rssAnon: 'RSS anonymous',
  rssFile: 'RSS file-backed',
  heapUsed: 'JS heap used',
  heapTotal: 'JS heap total',
  external: 'external (incl. Buffers)',
}

/** The report's lines, as the bench and the test print them. */
export function describeLoad(r: LoadReport): string[] {
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
  const lines = [
    `${r.peers} join processes, ${r.seconds} s; memory after warm-up over ${r.window.toFixed(1)} min` +
      ` (${r.memory.rss?.samples ?? 0} samples); heap figures ${r.gc ? 'after a forced full GC' : 'WITHOUT a forced GC'}`,
    `per join process, min / median / max:`,
  ]
  for (const key of METRICS) {
    const m = r.memory[key]
    if (m === undefined) continue
    lines.push(
      `  ${LABELS[key].padEnd(25)} start ${spread(m.start, mb)}; end ${spread(m.end, mb)}`,
      `  ${''.padEnd(25)} growth ${spread(m.growth, mb)}; slope ${spread(m.slopes, (x) => `${x.toFixed(0)} KB/min`)}`,
    )
  }
  lines.push(
    `bounds: RSS growth < ${mb(GROWTH_BOUND_KB)}; JS heap after GC slope < ${HEAP_SLOPE_BOUND_KB_PER_MIN} KB/min` +
      ` (${r.window >= SLOPE_MIN_WINDOW_MIN ? 'asserted' : `not asserted: window under ${SLOPE_MIN_WINDOW_MIN} min`}); RSS slope reported only`,
  )
  return [
    ...lines,
    `starter (this process) RSS: max ${mb(r.starterRssMax)} during the run, ${mb(r.starterRssAfter)} after loading and merging every record`,
    `trace events: logged by nodes ${sum(r.logged)}, received by the starter ${sum(r.received)}, merged ${r.merged}` +
      ` (per-node mismatches: ${r.logged.filter((x, k) => x !== r.received[k]).length}; missing ${JSON.stringify(r.missing)}, gaps ${JSON.stringify(r.gaps)}, cut ${sum(r.cut)})`,
    ...r.verdicts.map(
      (v) =>
        `${v.ok ? 'ok  ' : 'FAIL'} ${v.checker}: ${v.ok ? v.description : v.violations[0]?.message}`,
    ),
  ]
}

/** What must hold: no lost events, checkers green, bounded growth. Empty when all hold. */
export function loadFailures(r: LoadReport): string[] {
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
  const out: string[] = []
  if (r.logged.some((x, k) => x !== r.received[k]))
    out.push(`records lost: logged ${r.logged.join(',')} vs received ${r.received.join(',')}`)
  if (sum(r.received) !== r.merged)
    out.push(`merged ${r.merged} events, received ${sum(r.received)}`)
  if (r.missing.length + r.gaps.length > 0 || r.cut.some((c) => c > 0))
    out.push(`incomplete records: missing ${r.missing}, gaps ${r.gaps}, cut ${r.cut}`)
  if (sum(r.logged) === 0) out.push('no events at all')
  for (const v of r.verdicts) if (!v.ok) out.push(`checker ${v.checker} failed`)
  const rss = r.memory.rss as MetricReport
  const grown = Math.max(...rss.growth)
  if (!(grown < GROWTH_BOUND_KB))
    out.push(
      `RSS grew ${(grown / 1024).toFixed(1)} MB after warm-up, bound ${GROWTH_BOUND_KB / 1024} MB`,
    )
  const heap = r.memory.heapUsed
  if (heap === undefined || !r.gc)
    out.push('no heap figures after a full collection from the nodes')
  else if (r.window >= SLOPE_MIN_WINDOW_MIN) {
    const worst = Math.max(...heap.slopes)
    if (!(worst < HEAP_SLOPE_BOUND_KB_PER_MIN))
      out.push(
        `JS heap after GC rose ${worst.toFixed(0)} KB/min, bound ${HEAP_SLOPE_BOUND_KB_PER_MIN}`,
      )
  }
  return out
}
