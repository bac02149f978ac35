// `clocklab ntp query HOST[:PORT]...`: one exchange per server (offset, delay, stratum, refid),
// or --continuous: poll them every interval through the NTP algorithm's clock filter and
// selection, with the combined offset and the local oscillator's drift.
// `clocklab ntp serve`: an NTP server on nanosecond REALTIME whose stratum and reference come
// from its best source (--gps, --gpsd, --upstream); without one it says unsynchronized.
// --rate-limit gives each client a token bucket and sends RATE kiss-o'-death past it.
import { InvalidArgumentError, type Command } from 'commander'
import { InputError } from '../core/errors'
import { BestSource } from '../time/best-source'
import { DriftEstimator, driftPoint } from '../time/drift'
import { TimeInputError } from '../time/errors'
import {
  NtpClientSource,
  queryNtp,
  NTP_PORT,
  type PeerReport,
  type RoundReport,
} from '../time/ntp/client'
import { refidToString } from '../time/ntp/codec'
import type { NtpMeasurement } from '../time/ntp/reply'
import { RATE_LIMIT_DEFAULTS } from '../time/ntp/rate-limit'
import { NtpServer } from '../time/ntp/server'
import { isoNs } from '../time/ntp/timestamp'
import type { TimeSource } from '../time/source'
import {
  collect,
  finiteNumber,
  gpsdSource,
  gpsSource,
  interrupted,
  port,
  positiveNumber,
  serverAddress,
  wholePositive,
  type GpsFlags,
} from './time-flags'

const LEAP = ['no warning', 'last minute has 61 s', 'last minute has 59 s', 'unsynchronized']

const s9 = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(9)} s`

const jsonable = (value: unknown): string =>
  JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)

const STAMPED_BY = { kernel: "the kernel's socket timestamp", user: 'clock read in user space' }

export function formatMeasurement(m: NtpMeasurement, verbose = false): string {
  const rows: [string, string][] = [
    ['server', `${m.server} (NTPv${m.version})`],
    ['offset', s9(m.offset)],
    ['delay', `${m.delay.toFixed(9)} s`],
    ['dispersion', `${m.dispersion.toFixed(9)} s`],
    ['stratum', String(m.stratum)],
    ['refid', m.refid],
    ['leap', `${m.leap} (${LEAP[m.leap]})`],
    ['root delay', `${m.rootDelay.toFixed(6)} s`],
    ['root dispersion', `${m.rootDispersion.toFixed(6)} s`],
    ['precision', `2^${m.precision} s`],
    ['server time', isoNs(m.t3)],
  ]
  if (verbose)
    rows.push(
      ['T1 (sent)', `${isoNs(m.t1)}  ${m.stampSources ? STAMPED_BY[m.stampSources.t1] : ''}`],
      ['T2 (server rx)', isoNs(m.t2)],
      ['T3 (server tx)', isoNs(m.t3)],
      ['T4 (received)', `${isoNs(m.t4)}  ${m.stampSources ? STAMPED_BY[m.stampSources.t4] : ''}`],
    )
  return rows.map(([k, v]) => `${k.padEnd(16)} ${v}`).join('\n')
}

const MARK = (p: PeerReport): string =>
  p.systemPeer ? '*' : p.survivor ? '+' : p.truechimer ? '-' : p.filtered ? 'x' : '?'

export function formatRound(r: RoundReport, drift?: DriftEstimator): string {
  const lines = [`round ${r.round}`]
  for (const p of r.peers) {
    const now = p.sample
      ? `offset ${s9(p.sample.offset)}  delay ${p.sample.delay.toFixed(6)} s  stratum ${p.sample.stratum}`
      : `(${p.error ?? 'no sample'})`
    const filtered = p.filtered
      ? `  filtered ${s9(p.filtered.offset / 1e3)}  λ ${((p.distanceMs ?? 0) / 1e3).toFixed(6)} s`
      : ''
    lines.push(`  ${MARK(p)} ${p.server.padEnd(22)} ${now}${filtered}`)
  }
  if (r.combined) {
    const d = drift?.estimate()
    lines.push(
      `  combined offset ${s9(r.combined.offset)}  stratum ${r.combined.stratum + 1} if followed` +
        (d
          ? `  drift ${d.ppm >= 0 ? '+' : ''}${d.ppm.toFixed(3)} ± ${d.halfWidthPpm.toFixed(3)} ppm (${d.points} points, ${d.spanSeconds.toFixed(0)} s)`
          : ''),
    )
  } else lines.push('  no majority of servers agrees yet')
  return lines.join('\n')
}

function ntpVersion(value: string): number {
  if (value !== '3' && value !== '4') throw new InvalidArgumentError('expected 3 or 4')
  return Number(value)
}

interface QueryFlags {
  timeout: number
  ntpVersion: number
  continuous?: boolean
  interval: number
  count?: number
  json?: boolean
  verbose?: boolean
  kernelTimestamps: boolean
}

async function queryCommand(targets: string[], flags: QueryFlags): Promise<number> {
  const servers = targets.map((t) => serverAddress(t, t, NTP_PORT))
  const options = {
    timeoutMs: flags.timeout,
    version: flags.ntpVersion,
    kernelTxTimestamps: flags.kernelTimestamps,
  }
  try {
    if (!flags.continuous) {
      let failed = 0
      const results: (NtpMeasurement | { server: string; error: string })[] = []
      for (const server of servers) {
        try {
          results.push(await queryNtp(server, options))
        } catch (err) {
          if (!(err instanceof TimeInputError) || err.code === 'unresolvable') throw err
          failed++
          results.push({ server: `${server.host}:${server.port}`, error: err.message })
        }
      }
      if (flags.json) console.log(jsonable(results))
      else
        console.log(
          results
            .map((r) =>
              'error' in r
                ? `server           ${r.server}\nerror            ${r.error}`
                : formatMeasurement(r, flags.verbose),
            )
            .join('\n\n'),
        )
      return failed === 0 ? 0 : 1
    }
    const drift = new DriftEstimator()
    const source = await NtpClientSource.start(servers, {
      ...options,
      intervalMs: flags.interval,
      ...(flags.count !== undefined ? { rounds: flags.count } : {}),
      onRound: (r) => {
        if (r.combined) drift.add(driftPoint(r.combined))
        console.log(flags.json ? jsonable(r) : formatRound(r, drift))
      },
    })
    await Promise.race([source.finished(), interrupted()])
    await source.close()
    return 0
  } catch (err) {
    if (err instanceof TimeInputError && err.code === 'unresolvable')
      throw new InputError(err.message)
    throw err
  }
}

interface ServeFlags extends GpsFlags {
  port: number
  bind: string
  upstream?: string[]
  upstreamInterval: number
  rateLimit?: number | true
  rateBurst: number
}

async function serveCommand(flags: ServeFlags): Promise<number> {
  const sources: TimeSource[] = []
  let server: NtpServer | undefined
  try {
    if (flags.gps !== undefined) sources.push(gpsSource(flags.gps, flags))
    if (flags.gpsd !== undefined) sources.push(gpsdSource(flags.gpsd, flags))
    if (flags.upstream?.length)
      sources.push(
        await NtpClientSource.start(
          flags.upstream.map((u) => serverAddress(u, '--upstream', NTP_PORT)),
          { intervalMs: flags.upstreamInterval },
        ),
      )
    const best = new BestSource(sources)
    try {
      server = await NtpServer.start({
        port: flags.port,
        bind: flags.bind,
        reference: best.reference,
        ...(flags.rateLimit !== undefined
          ? {
              rateLimit: {
                intervalS:
                  flags.rateLimit === true ? RATE_LIMIT_DEFAULTS.intervalS : flags.rateLimit,
                burst: flags.rateBurst,
              },
            }
          : {}),
      })
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'EACCES')
        throw new InputError(`--port ${flags.port} needs privileges; pick a port above 1023`)
      if (code === 'EADDRINUSE')
        throw new InputError(`--port ${flags.port} is in use on ${flags.bind}`)
      if (code === 'EADDRNOTAVAIL' || code === 'EINVAL' || code === 'ENOTFOUND')
        throw new InputError(`--bind ${flags.bind}: not an address of this machine`)
      throw err
    }
    const at = server.address()
    console.log(
      `clocklab ntp serve: listening on ${at.address}:${at.port}; sources: ${sources.map((s) => s.id).join(', ') || 'none'}` +
        (server.limiter
          ? `; rate limit: 1 request per ${server.limiter.intervalS} s per client, bursts of ${server.limiter.burst}`
          : ''),
    )
    let said = ''
    const report = () => {
      const current = best.current()
      const ref = best.reference()
      const text =
        ref.stratum === 16
          ? 'unsynchronized (leap 3, stratum 16): no usable source'
          : `stratum ${ref.stratum}, refid ${refidToString(ref.stratum - 1, ref.referenceId)}, following ${current?.sample.source} (offset ${s9(current?.sample.offset ?? 0)})`
      if (text.replace(/\(offset.*\)/, '') !== said.replace(/\(offset.*\)/, '')) console.log(text)
      said = text
    }
    report()
    const timer = setInterval(report, 1000)
    await interrupted()
    clearInterval(timer)
    const stats = server.stats()
    console.log(
      `served ${stats.answered} of ${stats.received} requests; dropped ${jsonable(stats.dropped).replace(/\s+/g, ' ')}`,
    )
    return 0
  } finally {
    await server?.close()
    for (const s of sources) await s.close()
  }
}

export function registerNtpCommand(program: Command, exit: { code: number }): void {
  const ntp = program.command('ntp').description('NTP on the wire: query servers, or serve time')

  ntp
    .command('query')
    .description('ask NTP servers for the time: offset, delay, stratum, refid')
    .argument('<servers...>', 'HOST[:PORT] (default port 123), one or more')
    .option('-t, --timeout <ms>', 'wait this long for each reply', positiveNumber, 2000)
    .option('--ntp-version <n>', 'NTP version of the requests: 3 or 4', ntpVersion, 4)
    .option('-c, --continuous', "keep polling: NTP's clock filter and selection over the servers")
    .option('-i, --interval <ms>', 'with --continuous, time between polls', positiveNumber, 2000)
    .option('-n, --count <rounds>', 'with --continuous, stop after this many rounds', wholePositive)
    .option('--json', 'print the measurements as JSON')
    .option('-v, --verbose', 'also print T1..T4 and whether the kernel or user space took T1, T4')
    .option(
      '--no-kernel-timestamps',
      'take T1 from a clock read before the send, not the kernel transmit timestamp',
    )
    .addHelpText(
      'after',
      `
Examples:
  clocklab ntp query pool.ntp.org
  clocklab ntp query 127.0.0.1:11123 -v
  clocklab ntp query 127.0.0.1:11123 --continuous --count 10
  clocklab ntp query 192.168.1.10 192.168.1.11 192.168.1.12 --continuous

T1 (sent) is the kernel's transmit timestamp and T4 (received) its receive timestamp
where the OS has them (Linux: SO_TIMESTAMPING, SIOCGSTAMPNS), as chrony takes them;
elsewhere the clock is read just before the send and when the reply is handed over.
Marks in --continuous: * system peer, + survivor, - truechimer clustered out,
x falseticker, ? no estimate yet. Exit code 1 if a one-shot query got no valid reply.`,
    )
    .action(async (servers: string[], flags: QueryFlags) => {
      exit.code = await queryCommand(servers, flags)
    })

  ntp
    .command('serve')
    .description('serve time over NTP from nanosecond REALTIME; stratum from the best source')
    .option('-p, --port <port>', 'UDP port (123 needs privileges; 0 picks a free one)', port, 123)
    .option('-b, --bind <address>', 'address to listen on (0.0.0.0 for the LAN)', '127.0.0.1')
    .option('-u, --upstream <host[:port]>', 'an NTP server to follow (repeatable)', collect)
    .option(
      '--upstream-interval <ms>',
      'time between polls of the upstream servers',
      positiveNumber,
      16000,
    )
    .option('--gps <path>', 'a GPS receiver on this serial port (NMEA)')
    .option('--baud <rate>', 'serial speed for --gps', wholePositive)
    .option('--latency <ms>', "the receiver's sentence latency after the second", finiteNumber)
    .option('--pps <device>', "PPS device for --gps (pps0), or 'none' (default: the first present)")
    .option('--gpsd [host[:port]]', 'follow gpsd (default 127.0.0.1:2947)')
    .option(
      '--gpsd-latency <ms>',
      "gpsd's TPV latency, used when it sends no TOFF or PPS",
      finiteNumber,
    )
    .option(
      '--rate-limit [seconds]',
      `limit each client address to one request per this many seconds on average (default ${RATE_LIMIT_DEFAULTS.intervalS})`,
      positiveNumber,
    )
    .option(
      '--rate-burst <n>',
      'with --rate-limit, requests a client may send back to back',
      wholePositive,
      RATE_LIMIT_DEFAULTS.burst,
    )
    .addHelpText(
      'after',
      `
Stratum follows the best source: GPS or gpsd makes this server stratum 1, an upstream
of stratum s makes it s + 1, none leaves it unsynchronized (leap indicator 3). The
system clock is never changed: the server reads REALTIME as it is.

--rate-limit (off by default, like chrony's ratelimit): a client over its limit gets a
RATE kiss-o'-death (at most one per interval; it carries no time), further requests
are dropped. ${RATE_LIMIT_DEFAULTS.maxClients} client addresses are remembered, the least recent forgotten first.

Examples:
  clocklab ntp serve --port 11123 --upstream pool.ntp.org
  clocklab ntp serve --port 11123 --rate-limit 4 --rate-burst 4
  clocklab ntp serve --port 11123 --bind 0.0.0.0 --gps /dev/ttyUSB0 --latency 130`,
    )
    .action(async (flags: ServeFlags) => {
      exit.code = await serveCommand(flags)
    })
}
