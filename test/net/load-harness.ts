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
  heartbeatMs: number
  timeoutMs: number
  sampleMs: number
  /** RSS growth is measured from this long after the run's start. */
  warmupMs: number
  say: (line: string) => void
}

export interface LoadReport {
  peers: number
  seconds: number
  /** RSS of each join process (KB): at the run's start, after warm-up, at the end. */
  rssStart: number[]
  rssWarm: number[]
  rssEnd: number[]
  /** Least-squares RSS slope after warm-up, KB/min, per process. */
  slopes: number[]
  /** RSS growth after warm-up, KB: median of the last quarter of samples − of the first. */
  growth: number[]
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
  samples: number
}

const PASSPHRASE = 'load test passphrase'
const LAB = 'load'

/** Resident set size of a process, KB (undefined once it has gone). */
export function rssKb(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m === null ? undefined : Number(m[1])
  } catch {
    return undefined
  }
}

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

export async function runLoad(o: LoadOptions): Promise<LoadReport> {
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
    const env = { CLOCKLAB_LAB_PASSPHRASE: PASSPHRASE }
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
    const times: number[] = []
    const rss: number[][] = pids.map(() => [])
    let starterRssMax = 0
    const t0 = performance.now()
    const sample = () => {
      times.push((performance.now() - t0) / 60_000)
      pids.forEach((pid, k) => rss[k].push(rssKb(pid) ?? NaN))
      starterRssMax = Math.max(starterRssMax, rssKb(process.pid) ?? 0)
    }
    sample()
    let lastSay = 0
    sampler = setInterval(() => {
      sample()
      const t = times.at(-1) as number
      if (t * 60 - lastSay >= 60) {
        lastSay = t * 60
        const now = rss.map((r) => r.at(-1) as number)
        o.say(
          `  t=${(t * 60).toFixed(0)} s: join RSS median ${(median(now) / 1024).toFixed(1)} MB, max ${(Math.max(...now) / 1024).toFixed(1)} MB; starter ${((rssKb(process.pid) ?? 0) / 1024).toFixed(1)} MB`,
        )
      }
    }, o.sampleMs)
    const result = await runExperiment(lab, spec, { check: true, collectMs: 60_000 })
    clearInterval(sampler)
    sampler = undefined
    const starterRssAfter = rssKb(process.pid) ?? 0
    const end = (o.seconds * 1000) / 60_000
    const warm = o.warmupMs / 60_000
    const inRun = times.map((t, i) => [t, i] as const).filter(([t]) => t <= end)
    const after = inRun.filter(([t]) => t >= warm)
    const at = (k: number, i: number) => rss[k][i]
    const logged = new Array<number>(o.peers).fill(0)
    for (let k = 0; k < o.peers; k++)
      for (const f of readdirSync(join(dir, `ws${k}`))) {
        const m = new RegExp(`^${spec.id}-node(\\d+)\\.jsonl$`).exec(f)
        if (m === null) continue
        const text = readFileSync(join(dir, `ws${k}`, f), 'utf8')
        logged[Number(m[1])] += text.split('\n').filter((l) => l !== '').length
      }
    return {
      peers: o.peers,
      seconds: o.seconds,
      rssStart: pids.map((_, k) => at(k, 0)),
      rssWarm: pids.map((_, k) => at(k, after[0]?.[1] ?? 0)),
      rssEnd: pids.map((_, k) => at(k, inRun.at(-1)?.[1] ?? 0)),
      slopes: pids.map((_, k) =>
        slope(
          after.map(([t]) => t),
          after.map(([, i]) => at(k, i)),
        ),
      ),
      growth: pids.map((_, k) => {
        const q = Math.max(1, Math.floor(after.length / 4))
        const ys = after.map(([, i]) => at(k, i))
        return median(ys.slice(-q)) - median(ys.slice(0, q))
      }),
      window: after.length < 2 ? 0 : (after.at(-1) as [number, number])[0] - after[0][0],
      starterRssMax,
      starterRssAfter,
      logged,
      received: result.received,
      merged: result.trace.events.length,
      missing: result.missing,
      gaps: result.gaps,
      cut: result.cut,
      verdicts: result.verdicts ?? [],
      samples: after.length,
    }
  } finally {
    clearInterval(sampler)
    starter?.kill()
    await stopAll()
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * Memory bounds per join process after warm-up. RSS moves by tens of MB with the garbage
 * collector, so: the robust growth (last quarter's median − first quarter's) stays under
 * GROWTH_BOUND_KB, and, over a window long enough for the collector's saw-tooth to average
 * out (SLOPE_MIN_WINDOW_MIN), the least-squares slope stays under SLOPE_BOUND_KB_PER_MIN.
 * A node keeping its whole record (the old behaviour) grows ~1 KB per record.
 */
export const GROWTH_BOUND_KB = 16 * 1024
export const SLOPE_BOUND_KB_PER_MIN = 512
export const SLOPE_MIN_WINDOW_MIN = 5

const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`
const spread = (xs: number[], f: (x: number) => string) =>
  `min ${f(Math.min(...xs))} / median ${f(median(xs))} / max ${f(Math.max(...xs))}`

/** The report's lines, as the bench and the test print them. */
export function describeLoad(r: LoadReport): string[] {
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
  return [
    `${r.peers} join processes, ${r.seconds} s, ${r.samples} RSS samples after warm-up`,
    `join RSS at start:        ${spread(r.rssStart, mb)}`,
    `join RSS after warm-up:   ${spread(r.rssWarm, mb)}`,
    `join RSS at end:          ${spread(r.rssEnd, mb)}`,
    `RSS growth after warm-up: ${spread(r.growth, (x) => `${(x / 1024).toFixed(1)} MB`)} (bound ${mb(GROWTH_BOUND_KB)})`,
    `RSS slope after warm-up:  ${spread(r.slopes, (x) => `${x.toFixed(0)} KB/min`)} over ${r.window.toFixed(1)} min (bound ${SLOPE_BOUND_KB_PER_MIN} KB/min, ${r.window >= SLOPE_MIN_WINDOW_MIN ? 'asserted' : `not asserted: under ${SLOPE_MIN_WINDOW_MIN} min the GC saw-tooth dominates`})`,
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
  const grown = Math.max(...r.growth)
  if (!(grown < GROWTH_BOUND_KB))
    out.push(
      `RSS grew ${(grown / 1024).toFixed(1)} MB after warm-up, bound ${GROWTH_BOUND_KB / 1024} MB`,
    )
  const worst = Math.max(...r.slopes)
  if (r.window >= SLOPE_MIN_WINDOW_MIN && !(worst < SLOPE_BOUND_KB_PER_MIN))
    out.push(`RSS slope ${worst.toFixed(0)} KB/min over the bound ${SLOPE_BOUND_KB_PER_MIN}`)
  return out
}
