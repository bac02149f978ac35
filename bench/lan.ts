// Live-lab benchmark: the algorithms running over real UDP (authenticated envelopes,
// reliable streams) between nodes on loopback, one process, real timers. Prints:
// - bully failover time after the leader's node dies, p50/p95 over trials, in ms and
//   as a multiple of the failure detector's timeout (the "election timeout");
// - Ricart-Agrawala critical-section entries per second at N = 3 and 5 (saturating load);
// - RBS and NTP offset between peers, p50/p95 of |estimate| (true offset 0: one clock).
//
//   npx tsx bench/lan.ts        (BENCH_TRIALS=n failover trials, default 10)
//
// Loopback, not the namespace lab: tc netem is missing from this project's kernels, so
// a namespace lab adds no delay a loopback run lacks; the figures are the runtime's own.
import { algorithmRegistry } from '../src/algorithms/registry'
import { notesOf } from '../src/core/trace'
import { LabNode, planExperiment, runExperiment } from '../src/lab/experiment'
import { deriveLabKeys } from '../src/net/keys'
import { LanPeer } from '../src/net/lan-peer'
import { freePorts, LOOPBACK, until } from '../test/net/lab-harness'

const TRIALS = Number(process.env.BENCH_TRIALS ?? 10)
const keys = deriveLabKeys('bench', 'bench passphrase')

async function lab(n: number): Promise<LabNode[]> {
  const ports = await freePorts(n)
  const peers = await Promise.all(
    ports.map((port) =>
      LanPeer.start({
        keys,
        iface: LOOPBACK,
        unicastPort: port,
        seeds: ports,
        heartbeatMs: 50,
        timeoutMs: 300,
        rtoMs: 40,
      }),
    ),
  )
  const nodes = peers.map((p) => new LabNode(p))
  await until(() => nodes.every((l) => l.peer.members().length === n - 1))
  return nodes.sort((a, b) => (a.peer.id < b.peer.id ? -1 : 1))
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]
}
const f = (x: number, d = 1) => x.toFixed(d)

async function failover(): Promise<void> {
  const timeoutMs = (algorithmRegistry.get('bully')?.params?.parse({}) as { timeoutMs: number })
    .timeoutMs
  const times: number[] = []
  for (let t = 0; t < TRIALS; t++) {
    const nodes = await lab(3)
    const spec = planExperiment(nodes[0], {
      algorithm: 'bully',
      durationMs: 60_000,
      workloadRate: 0,
      seed: t + 1,
    })
    void runExperiment(nodes[0], spec, { collectMs: 1 })
    await until(() => nodes.every((l) => l.node(spec.id) !== undefined))
    await new Promise((r) => setTimeout(r, 300 + 100 * Math.random()))
    const killedAt = performance.timeOrigin + performance.now()
    nodes[2].kill()
    const newLeaderAt = (k: number) =>
      nodes[k]
        .node(spec.id)
        ?.records.find(
          (r) =>
            r.at > killedAt &&
            notesOf<{ leader: number }>(r.e, 'leader').some((n) => n.leader === 1),
        )?.at
    await until(() => newLeaderAt(0) !== undefined && newLeaderAt(1) !== undefined)
    times.push(Math.max(newLeaderAt(0) as number, newLeaderAt(1) as number) - killedAt)
    for (const l of nodes.slice(0, 2)) l.kill()
  }
  console.log(`bully failover, N = 3, ${TRIALS} trials (detector timeout ${timeoutMs} ms):`)
  for (const q of [0.5, 0.95]) {
    const x = quantile(times, q)
    console.log(`  p${q * 100}: ${f(x)} ms = ${f(x / timeoutMs, 2)} x timeout`)
  }
}

async function mutexThroughput(): Promise<void> {
  console.log('ricart-agrawala, saturating load (50 requests/s per node, hold 20 ms), 3 s:')
  for (const n of [3, 5]) {
    const nodes = await lab(n)
    const spec = planExperiment(nodes[0], {
      algorithm: 'ricart-agrawala',
      durationMs: 3000,
      workloadRate: 50,
      workloadMs: 3000,
    })
    const r = await runExperiment(nodes[0], spec, { check: true })
    const entries = r.trace.events.filter((e) => notesOf(e, 'cs.enter').length > 0).length
    const ok = r.verdicts?.find((v) => v.checker === 'mutual-exclusion')?.ok
    console.log(
      `  N = ${n}: ${f(entries / 3)} entries/s (mutual exclusion ${ok ? 'held' : 'VIOLATED'})`,
    )
    for (const l of nodes) l.kill()
  }
}

async function syncOffsets(
  algorithm: string,
  n: number,
  params: Record<string, unknown>,
): Promise<void> {
  const nodes = await lab(n)
  const spec = planExperiment(nodes[0], { algorithm, params, durationMs: 5000, workloadRate: 0 })
  const r = await runExperiment(nodes[0], spec)
  const offsets = r.trace.events.flatMap((e) =>
    notesOf<{ offset: number }>(e, 'clock.sample').map((s) => Math.abs(s.offset)),
  )
  console.log(
    `${algorithm} (N = ${n}), |offset| over ${offsets.length} samples: p50 ${f(quantile(offsets, 0.5) * 1000)} µs, p95 ${f(quantile(offsets, 0.95) * 1000)} µs`,
  )
  for (const l of nodes) l.kill()
}

await failover()
await mutexThroughput()
await syncOffsets('rbs', 3, { periodMs: 100 })
await syncOffsets('ntp', 4, {})
process.exit(0)
