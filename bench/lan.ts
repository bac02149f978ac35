// Live-lab benchmark: the algorithms running over real UDP (authenticated envelopes,
// reliable streams), real timers. Prints:
// - bully failover time after the leader's process dies, p50/p95 over trials, in ms and
//   as a multiple of the failure detector's timeout (the "election timeout");
// - Ricart-Agrawala critical-section entries per second at N = 3 and 5 (saturating load);
// - RBS (beacons every 100 ms, 5 s) and NTP (1 s polls, 10 s) offset between peers,
//   p50/p95 of |estimate| (true offset 0: one clock).
//
//   npm run bench:lan            (BENCH_TRIALS=n failover trials, default 10)
//   npm run bench:lan -- --loopback
//
// As root where network namespaces can be made, it runs in the namespace lab: five hosts
// (namespaces) with veth pairs on a bridge, a `clocklab lan join` process in each found by
// real multicast, every run started by a `clocklab lan run` process and the leader's
// process killed by PID. Otherwise (or with --loopback) every node runs in this process
// on 127.0.0.1. Links get 1 ms + uniform [0, 2) ms of delay: from tc netem where the
// kernel has sch_netem, otherwise from ClockLab's own link faults (delay + seeded
// jitter in the live driver, i.e. in the application, not the kernel); it says which.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { algorithmRegistry } from '../src/algorithms/registry'
import { SAMPLE, type ClockSample } from '../src/algorithms/sync/notes'
import { notesOf, type Trace } from '../src/core/trace'
import { parseTrace } from '../src/core/trace-schema'
import { LabNode, planExperiment, runExperiment } from '../src/lab/experiment'
import type { ExperimentSpec } from '../src/lab/experiment-protocol'
import { startLab, until } from '../test/net/lab-harness'
import { createNetnsLab, netnsUnavailable, type NetnsLab } from '../test/net/netns'
import { clocklabProc, killProc, stopAll, type Proc } from '../test/net/processes'

const TRIALS = Number(process.env.BENCH_TRIALS ?? 10)
const JITTER = { delayMs: 1, jitterMs: 2 }
const bullyTimeoutMs = (algorithmRegistry.get('bully')?.params?.parse({}) as { timeoutMs: number })
  .timeoutMs

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]
}
const f = (x: number, d = 1) => x.toFixed(d)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const wallNow = () => performance.timeOrigin + performance.now()

/** Every link of n nodes with the application-level delay and jitter. */
function jitterPlan(n: number): ExperimentSpec['faults'] {
  const plan: ExperimentSpec['faults'] = {}
  for (let a = 0; a < n; a++) {
    plan[String(a)] = {}
    for (let b = 0; b < n; b++) if (a !== b) plan[String(a)][String(b)] = JITTER
  }
  return plan
}

// ---- figures from a merged trace --------------------------------------------------------

/** When the surviving nodes (all but `dead`) all took `leader` after `killedAt`. */
function failoverMs(trace: Trace, dead: number, leader: number, killedAt: number): number {
  const firsts: number[] = []
  for (let k = 0; k < trace.meta.nodes.length; k++) {
    if (k === dead) continue
    const e = trace.events.find(
      (x) =>
        'node' in x &&
        x.node === k &&
        'local' in x &&
        x.local > killedAt &&
        notesOf<{ leader: number }>(x, 'leader').some((n) => n.leader === leader),
    )
    if (e === undefined || !('local' in e)) return NaN
    firsts.push(e.local)
  }
  return Math.max(...firsts) - killedAt
}

/** Critical-section entries per second while the workload ran. */
function entriesPerSecond(trace: Trace, workloadMs: number): number {
  const start = Math.min(...trace.events.flatMap((e) => (e.kind === 'start' ? [e.local] : [])))
  const entries = trace.events.filter(
    (e) => 'local' in e && e.local <= start + workloadMs && notesOf(e, 'cs.enter').length > 0,
  ).length
  return entries / (workloadMs / 1000)
}

function offsets(trace: Trace): number[] {
  return trace.events.flatMap((e) => notesOf<ClockSample>(e, SAMPLE).map((s) => Math.abs(s.offset)))
}

function printFailover(times: number[]): void {
  const ok = times.filter((t) => Number.isFinite(t))
  console.log(
    `bully failover, N = 3, ${ok.length} of ${times.length} trials (detector timeout ${bullyTimeoutMs} ms):`,
  )
  for (const q of [0.5, 0.95]) {
    const x = quantile(ok, q)
    console.log(`  p${q * 100}: ${f(x)} ms = ${f(x / bullyTimeoutMs, 2)} x timeout`)
  }
}

function printOffsets(algorithm: string, n: number, xs: number[]): void {
  console.log(
    `${algorithm} (N = ${n}), |offset| over ${xs.length} samples: p50 ${f(quantile(xs, 0.5) * 1000)} µs, p95 ${f(quantile(xs, 0.95) * 1000)} µs`,
  )
}

const MUTEX = { rate: 50, durationMs: 5000, workloadMs: 3500 }
const mutexTitle = `ricart-agrawala, saturating load (${MUTEX.rate} requests/s per node, hold 20 ms), ${MUTEX.workloadMs / 1000} s of workload:`

// ---- loopback: every node in this process -------------------------------------------------

async function loopbackLab(n: number): Promise<LabNode[]> {
  const nodes = await startLab(n, {}, 'bench', 'bench passphrase')
  await until(() => nodes.every((l) => l.peer.members().length === n - 1))
  return nodes.sort((a, b) => (a.peer.id < b.peer.id ? -1 : 1))
}

async function loopbackBench(): Promise<void> {
  const times: number[] = []
  const runs: Promise<unknown>[] = []
  for (let t = 0; t < TRIALS; t++) {
    const nodes = await loopbackLab(3)
    const spec = planExperiment(nodes[0], {
      algorithm: 'bully',
      durationMs: 4000,
      workloadRate: 0,
      seed: t + 1,
      faults: jitterPlan(3),
    })
    // Its result is not needed (the figures come from the live records); it ends after 4 s.
    runs.push(runExperiment(nodes[0], spec, { collectMs: 1 }).catch(() => undefined))
    await until(() => nodes.every((l) => l.node(spec.id) !== undefined))
    await sleep(300 + 100 * Math.random())
    const killedAt = wallNow()
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
  await Promise.all(runs) // so that their spool dirs are removed
  printFailover(times)
  console.log(mutexTitle)
  for (const n of [3, 5]) {
    const nodes = await loopbackLab(n)
    const spec = planExperiment(nodes[0], {
      algorithm: 'ricart-agrawala',
      durationMs: MUTEX.durationMs,
      workloadRate: MUTEX.rate,
      workloadMs: MUTEX.workloadMs,
      faults: jitterPlan(n),
    })
    const r = await runExperiment(nodes[0], spec, { check: true })
    const ok = r.verdicts?.find((v) => v.checker === 'mutual-exclusion')?.ok
    console.log(
      `  N = ${n}: ${f(entriesPerSecond(r.trace, MUTEX.workloadMs))} entries/s (mutual exclusion ${ok ? 'held' : 'VIOLATED'})`,
    )
    for (const l of nodes) l.kill()
  }
  for (const [algorithm, n, params, durationMs] of [
    ['rbs', 3, { periodMs: 100 }, 5000],
    ['ntp', 4, { minPoll: 0, maxPoll: 0 }, 10_000],
  ] as const) {
    const nodes = await loopbackLab(n)
    const spec = planExperiment(nodes[0], {
      algorithm,
      params,
      durationMs,
      workloadRate: 0,
      faults: jitterPlan(n),
    })
    const r = await runExperiment(nodes[0], spec)
    printOffsets(algorithm, n, offsets(r.trace))
    for (const l of nodes) l.kill()
  }
}

// ---- the namespace lab: a process per host, real multicast -------------------------------

const ENV = { CLOCKLAB_LAB_PASSPHRASE: 'bench passphrase' }

async function namespaceBench(lab: NetnsLab, dir: string): Promise<void> {
  const prefix = (k: number) => ['ip', 'netns', 'exec', lab.hosts[k].ns]
  const common = (k: number) => [
    '--lab',
    'bench',
    '--iface',
    'eth0',
    '--heartbeat-ms',
    '100',
    '--timeout-ms',
    '1500',
    '--state-dir',
    join(dir, `ws${k}`),
  ]
  const startJoin = (k: number) =>
    clocklabProc(['lan', 'join', '--name', `ws${k}`, ...common(k)], prefix(k), ENV)
  const joins: Proc[] = lab.hosts.map((_, k) => startJoin(k))
  await Promise.all(joins.map((p) => p.line(/^joined lab/)))
  let runs = 0
  const jitterFlags = (n: number) =>
    lab.netem
      ? []
      : Object.entries(jitterPlan(n)).flatMap(([a, links]) =>
          Object.keys(links).flatMap((b) => [
            '--link',
            `${a}-${b}:delay=${JITTER.delayMs},jitter=${JITTER.jitterMs}`,
          ]),
        )
  /** Starts `clocklab lan run` in host 0's namespace; resolves with its experiment id. */
  const startRun = async (algorithm: string, n: number, extra: string[]) => {
    const out = join(dir, `run${runs++}.json`)
    const run = clocklabProc(
      [
        'lan',
        'run',
        algorithm,
        '--nodes',
        String(n),
        '--no-participate',
        '--check',
        '--out',
        out,
        '--wait',
        '20000',
        ...extra,
        ...jitterFlags(n),
        ...common(9),
      ],
      prefix(0),
      ENV,
    )
    const id = /^experiment (\S+):/.exec(await run.line(/^experiment \S+:/))?.[1] as string
    const done = async (): Promise<Trace> => {
      const code = await run.exited
      if (code !== 0 && code !== 1) throw new Error(`lan run failed:\n${run.lines.join('\n')}`)
      return parseTrace(readFileSync(out, 'utf8'), out)
    }
    return { id, run, done }
  }

  const times: number[] = []
  for (let t = 0; t < TRIALS; t++) {
    const { id, done } = await startRun('bully', 3, ['--duration', '5000', '--rate', '0'])
    const nodeLine = new RegExp(`^experiment ${id}: node 2,`)
    const deadline = Date.now() + 20_000
    let leader = -1
    while (leader < 0 && Date.now() < deadline) {
      leader = joins.findIndex((p) => p.lines.some((l) => nodeLine.test(l)))
      await sleep(20)
    }
    if (leader < 0) throw new Error('no process took node 2 of the bully run')
    await sleep(1500 + 300 * Math.random())
    const killedAt = wallNow()
    killProc(joins[leader])
    await joins[leader].exited
    await sleep(2500)
    joins[leader] = startJoin(leader) // it uploads what its killed process recorded
    await joins[leader].line(/^joined lab/)
    times.push(failoverMs(await done(), 2, 1, killedAt))
  }
  printFailover(times)
  console.log(mutexTitle)
  for (const n of [3, 5]) {
    const { done, run } = await startRun('ricart-agrawala', n, [
      '--duration',
      String(MUTEX.durationMs),
      '--rate',
      String(MUTEX.rate),
    ])
    const trace = await done()
    // lan run stops the workload at 70% of the duration.
    const held = /^ok {3}mutual-exclusion/m.test(run.lines.join('\n'))
    console.log(
      `  N = ${n}: ${f(entriesPerSecond(trace, MUTEX.durationMs * 0.7))} entries/s (mutual exclusion ${held ? 'held' : 'VIOLATED'})`,
    )
  }
  for (const [algorithm, n, extra] of [
    ['rbs', 3, ['-p', 'period-ms=100', '--duration', '5000']],
    ['ntp', 4, ['-p', 'min-poll=0', '-p', 'max-poll=0', '--duration', '10000']],
  ] as const) {
    const { done } = await startRun(algorithm, n, ['--rate', '0', ...extra])
    printOffsets(algorithm, n, offsets(await done()))
  }
}

const loopbackFlag = process.argv.includes('--loopback')
const unavailable = loopbackFlag ? undefined : netnsUnavailable()
if (!loopbackFlag && unavailable === undefined) {
  const lab = createNetnsLab(5, ['delay', '2ms', '1ms'])
  const dir = mkdtempSync(join(tmpdir(), 'clocklab-bench-lan-'))
  try {
    console.log(
      `namespace lab: ${lab.hosts.length} network namespaces (veth pairs on a bridge), a clocklab process per host, discovery by real multicast`,
    )
    console.log(
      lab.netem
        ? 'link delay: tc netem 2 ms ± 1 ms on every host link (kernel qdisc)'
        : `link delay: ${JITTER.delayMs} ms + uniform [0, ${JITTER.jitterMs}) ms per message, injected by ClockLab's live driver (application-level link faults, seeded), NOT by tc netem: this kernel has no sch_netem`,
    )
    // Interrupted: the namespaces and processes go all the same.
    process.once('SIGINT', () => {
      void stopAll().finally(() => {
        lab.destroy()
        rmSync(dir, { recursive: true, force: true })
        process.exit(130)
      })
    })
    await namespaceBench(lab, dir)
  } finally {
    await stopAll()
    lab.destroy()
    rmSync(dir, { recursive: true, force: true })
  }
} else {
  console.log(
    `loopback lab, one process, nodes on 127.0.0.1 (${loopbackFlag ? '--loopback given' : `namespace lab unavailable: ${unavailable}`})`,
  )
  console.log(
    `link delay: ${JITTER.delayMs} ms + uniform [0, ${JITTER.jitterMs}) ms per message, injected by ClockLab's live driver (application-level link faults, seeded), not by tc netem`,
  )
  await loopbackBench()
}
process.exit(0)
