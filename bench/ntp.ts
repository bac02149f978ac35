// NTP on loopback against one chronyd (started with -x: it never touches the clock).
// (a) Offset error, where the true offset is 0 (client and server read the same clock):
//     |offset| p50/p95 of ClockLab's one-shot query, of its filtered continuous client (clock
//     filter + selection), both with T1 from the kernel's transmit timestamp and, for
//     comparison, from the clock read before the send; and of chronyd -Q (chrony's own
//     client, 4 samples per run): its estimate unrounded from its statistics.log (it prints
//     whole µs), and its single exchanges from its measurements.log. The clients take turns
//     in blocks (each block: one-shots, a fresh filtered client, chronyd -Q once), so that a
//     busy spell on the machine falls on all of them rather than on whichever ran then.
// (b) Server throughput: requests per second answered by chronyd and by `clocklab ntp serve`
//     (following that chronyd, so it is synchronized), each in its own process, under the same
//     closed-loop load from a UDP load generator here (a bounded number of requests, a fixed
//     number in flight per socket), and the ratio.
//
//   npm run bench:ntp            (BENCH_QUICK=1 for a smoke run with fewer samples)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createSocket, type Socket } from 'node:dgram'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { NtpClientSource, queryNtp } from '../src/time/ntp/client'
import type { NtpMeasurement } from '../src/time/ntp/reply'

const QUICK = process.env.BENCH_QUICK === '1'
/** Blocks of (a): each runs every client once, so all of them see the same machine load. */
const BLOCKS = QUICK ? 3 : 15
const ONE_SHOTS = QUICK ? 14 : 20
const FILTERED_ROUNDS = QUICK ? 14 : 20
const LOAD_REQUESTS = QUICK ? 20_000 : 200_000
const LOAD_SOCKETS = 4
const LOAD_WINDOW = 32

const BIN = fileURLToPath(new URL('../bin/clocklab.mjs', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'clocklab-bench-ntp-'))
const children: ChildProcess[] = []

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4')
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve))
  const { port } = s.address()
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}

function spawnLogged(
  command: string,
  args: string[],
): { child: ChildProcess; output: () => string } {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  let out = ''
  child.stdout?.on('data', (d) => (out += d))
  child.stderr?.on('data', (d) => (out += d))
  return { child, output: () => out }
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

async function startChronyd(): Promise<number> {
  const port = await freeUdpPort()
  mkdirSync(join(dir, 'log'))
  const conf = join(dir, 'server.conf')
  writeFileSync(
    conf,
    [
      `port ${port}`,
      'bindaddress 127.0.0.1',
      'allow 127.0.0.1',
      'local stratum 8',
      'cmdport 0',
      `driftfile ${join(dir, 'server.drift')}`,
      `pidfile ${join(dir, 'server.pid')}`,
      `logdir ${join(dir, 'log')}`,
    ].join('\n') + '\n',
  )
  const p = spawnLogged('chronyd', ['-x', '-d', '-u', 'root', '-f', conf])
  await waitFor('chronyd', () => /Disabled control of system clock/.test(p.output()))
  await sleep(300)
  return port
}

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]
}

/** How many exchanges took T1 and T4 from the kernel or from a clock read in user space. */
const stampCounts = new Map<string, number>()
function countStamps(m: NtpMeasurement | undefined, label: string): void {
  if (m === undefined) return
  const key = `${label}: T1 ${m.stampSources?.t1 ?? '?'}, T4 ${m.stampSources?.t4 ?? '?'}`
  stampCounts.set(key, (stampCounts.get(key) ?? 0) + 1)
}

async function oneShots(port: number, kernelTxTimestamps: boolean): Promise<number[]> {
  const errors: number[] = []
  for (let i = 0; i < ONE_SHOTS; i++) {
    const m = await queryNtp({ host: '127.0.0.1', port }, { kernelTxTimestamps })
    countStamps(m, `one-shot${kernelTxTimestamps ? '' : ' (user T1)'}`)
    errors.push(Math.abs(m.offset))
    await sleep(5)
  }
  return errors
}

/** A fresh continuous client, FILTERED_ROUNDS samples after its register has filled. */
async function filtered(port: number, kernelTxTimestamps: boolean): Promise<number[]> {
  const source = await NtpClientSource.start([{ host: '127.0.0.1', port }], {
    intervalMs: 20,
    rounds: FILTERED_ROUNDS + 8,
    kernelTxTimestamps,
    onRound: (r) =>
      countStamps(r.peers[0].sample, `filtered${kernelTxTimestamps ? '' : ' (user T1)'}`),
  })
  const errors: number[] = []
  for await (const s of source.samples()) errors.push(Math.abs(s.offset))
  // The first 8 fill the filter's register.
  return errors.slice(8)
}

interface ChronyQ {
  /** chronyd -Q's estimate (its regression over its samples), full precision. */
  estimates: number[]
  /** The same as it prints it: in whole microseconds. */
  printed: number[]
  /** Its single exchanges (measurements.log), like a one-shot query. */
  samples: number[]
  /** Its timestamping of those exchanges (measurements.log MTxRx, e.g. "4B K K"). */
  modes: Set<string>
}

/**
 * One chronyd -Q run (the i-th), with its own logdir: it prints its offset in whole µs
 * ("wrong by -0.000001 seconds"), too coarse here, so the estimate is read unrounded from the
 * last line of its statistics.log (Est offset), and its single exchanges from measurements.log.
 */
function chronyQ(port: number, i: number, out: ChronyQ): void {
  const logdir = join(dir, `q${i}`)
  mkdirSync(logdir)
  const r = spawnSync(
    'chronyd',
    [
      '-Q',
      '-t',
      '20',
      '-u',
      'root',
      `server 127.0.0.1 port ${port} iburst maxsamples 4`,
      `logdir ${logdir}`,
      'log measurements statistics',
      `pidfile ${join(logdir, 'chronyd.pid')}`,
    ],
    { encoding: 'utf8' },
  )
  const m = /System clock wrong by (-?[\d.]+) seconds/.exec(r.stdout + r.stderr)
  if (m) out.printed.push(Math.abs(Number(m[1])))
  const rows = (file: string) =>
    existsSync(join(logdir, file))
      ? readFileSync(join(logdir, file), 'utf8')
          .split('\n')
          .filter((line) => /^\d{4}-\d\d-\d\d /.test(line))
          .map((line) => line.trim().split(/\s+/))
      : []
  const stats = rows('statistics.log')
  // Date, Time, IP, Std dev'n, Est offset, ...
  if (m && stats.length > 0) out.estimates.push(Math.abs(Number(stats[stats.length - 1][4])))
  // Date, Time, IP, L, St, 123, 567, ABCD, LP, RP, Score, Offset, ..., Refid, M, Tx, Rx
  for (const f of rows('measurements.log')) {
    out.samples.push(Math.abs(Number(f[11])))
    out.modes.add(f.slice(-3).join(' '))
  }
}

interface LoadResult {
  answered: number
  lost: number
  seconds: number
}

/**
 * Closed-loop load: LOAD_SOCKETS sockets each keep LOAD_WINDOW requests in flight until
 * LOAD_REQUESTS have been sent; a socket that hears nothing for 100 ms counts its outstanding
 * requests as lost and refills its window.
 */
async function load(port: number): Promise<LoadResult> {
  const request = Buffer.alloc(48)
  request[0] = 0x23
  request[2] = 6
  request[3] = 0x20
  let sent = 0
  let answered = 0
  let lost = 0
  const sockets: Socket[] = []
  const start = process.hrtime.bigint()
  await new Promise<void>((resolve) => {
    const finish = () => {
      if (answered + lost >= LOAD_REQUESTS) resolve()
    }
    for (let k = 0; k < LOAD_SOCKETS; k++) {
      const s = createSocket('udp4')
      sockets.push(s)
      let inFlight = 0
      let heard = Date.now()
      const fill = () => {
        while (inFlight < LOAD_WINDOW && sent < LOAD_REQUESTS) {
          request.writeUInt32BE(sent, 44)
          s.send(request, port, '127.0.0.1')
          sent++
          inFlight++
        }
      }
      s.on('message', (msg) => {
        if (msg.length >= 48 && (msg[0] & 7) === 4) answered++
        inFlight--
        heard = Date.now()
        fill()
        finish()
      })
      const watchdog = setInterval(() => {
        if (Date.now() - heard > 100 && inFlight > 0) {
          lost += inFlight
          inFlight = 0
          heard = Date.now()
          fill()
          finish()
        }
        if (answered + lost >= LOAD_REQUESTS) clearInterval(watchdog)
      }, 20)
      s.bind(0, '127.0.0.1', fill)
    }
  })
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  for (const s of sockets) s.close()
  return { answered, lost, seconds }
}

const us = (s: number) => (s * 1e6).toFixed(1).padStart(8)

async function main(): Promise<void> {
  const chronyPort = await startChronyd()
  console.log(
    `ClockLab NTP benchmark (node ${process.version}, ${QUICK ? 'QUICK' : 'full'}), loopback, chronyd -x as the server\n`,
  )

  const [a, f, aUser, fUser]: number[][] = [[], [], [], []]
  const c: ChronyQ = { estimates: [], printed: [], samples: [], modes: new Set() }
  for (let block = 0; block < BLOCKS; block++) {
    a.push(...(await oneShots(chronyPort, true)))
    f.push(...(await filtered(chronyPort, true)))
    aUser.push(...(await oneShots(chronyPort, false)))
    fUser.push(...(await filtered(chronyPort, false)))
    chronyQ(chronyPort, block, c)
  }
  console.log('(a) offset error |θ| against chronyd (true offset 0), µs')
  console.log('                                  n       p50       p95')
  const row = (label: string, xs: number[]) =>
    console.log(
      `${label.padEnd(31)}${String(xs.length).padStart(5)}  ${us(quantile(xs, 0.5))}  ${us(quantile(xs, 0.95))}`,
    )
  row('ClockLab one-shot', a)
  row('ClockLab filtered', f)
  row('ClockLab one-shot (user T1)', aUser)
  row('ClockLab filtered (user T1)', fUser)
  row('chronyd -Q estimate', c.estimates)
  row('chronyd -Q as printed (1 µs)', c.printed)
  row('chronyd -Q single exchanges', c.samples)
  console.log(
    `timestamps: ${[...stampCounts].map(([k, n]) => `${k} ×${n}`).join('; ')}; chronyd -Q (mode, TX, RX): ${[...c.modes].join(', ')}`,
  )
  if (c.estimates.length > 0 && c.samples.length > 0) {
    const ratio = (xs: number[], ys: number[], q: number) =>
      (quantile(xs, q) / quantile(ys, q)).toFixed(2)
    const both = (xs: number[], ys: number[]) =>
      `p50 ${ratio(xs, ys, 0.5)} p95 ${ratio(xs, ys, 0.95)}`
    console.log(
      `ratio to chronyd -Q estimate: one-shot ${both(a, c.estimates)}; filtered ${both(f, c.estimates)}  (target: within 2x)`,
    )
    console.log(
      `ratio to chronyd -Q single exchanges: one-shot ${both(a, c.samples)}; filtered ${both(f, c.samples)}`,
    )
  }

  const clocklabPort = await freeUdpPort()
  const serve = spawnLogged(process.execPath, [
    BIN,
    'ntp',
    'serve',
    '--port',
    String(clocklabPort),
    '--upstream',
    `127.0.0.1:${chronyPort}`,
    '--upstream-interval',
    '1000',
  ])
  await waitFor('clocklab ntp serve to follow chronyd', () => /stratum 9/.test(serve.output()))

  console.log(
    `\n(b) server throughput: ${LOAD_REQUESTS.toLocaleString('en')} requests, ${LOAD_SOCKETS} sockets × ${LOAD_WINDOW} in flight, closed loop`,
  )
  const results: [string, LoadResult][] = []
  for (const [label, port] of [
    ['chronyd', chronyPort],
    ['clocklab ntp serve', clocklabPort],
  ] as const) {
    await load(port) // warm-up
    results.push([label, await load(port)])
  }
  for (const [label, r] of results)
    console.log(
      `${label.padEnd(22)}${Math.round(r.answered / r.seconds)
        .toLocaleString('en')
        .padStart(
          10,
        )} req/s   (${r.answered.toLocaleString('en')} answered, ${r.lost.toLocaleString('en')} lost, ${r.seconds.toFixed(2)} s)`,
    )
  const rate = (r: LoadResult) => r.answered / r.seconds
  console.log(
    `ratio ClockLab/chronyd: ${(rate(results[1][1]) / rate(results[0][1])).toFixed(2)}  (target: at least 0.5)`,
  )
}

try {
  await main()
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM')
  await sleep(300)
  rmSync(dir, { recursive: true, force: true })
}
