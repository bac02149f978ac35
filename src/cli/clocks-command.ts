// `clocklab clocks`: every local clock, the RTC and the kernel's discipline state in one
// table (missing sources say why); --watch refreshes it, measuring the monotonic clock's slew
// against monotonic raw over each refresh interval; --json prints the data instead.
import { InvalidArgumentError, type Command } from 'commander'
import { isoNs } from '../time/ntp/timestamp'
import { clockReport, type ClockReport } from '../time/report'
import { STATUS_BITS } from '../time/kernel'

export interface ClocksFlags {
  watch?: boolean
  interval: number
  count?: number
  json?: boolean
}

function positive(value: string): number {
  const x = Number(value)
  if (value.trim() === '' || !(x > 0)) throw new InvalidArgumentError('expected a positive number')
  return x
}

function wholePositive(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1)
    throw new InvalidArgumentError('expected a whole number of at least 1')
  return Number(value)
}

const ns = (n: number | undefined): string =>
  n === undefined
    ? '?'
    : n >= 1e6
      ? `${(n / 1e6).toFixed(n % 1e6 ? 3 : 0)} ms`
      : `${Math.round(n)} ns`

function reading(id: string, value: string): string {
  const big = BigInt(value)
  if (id === 'realtime' || id === 'tai') return isoNs(big)
  const s = big / 1_000_000_000n
  return `${s}.${(big % 1_000_000_000n).toString().padStart(9, '0')} s`
}

const signed = (x: number, digits: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`

export function formatClockReport(r: ClockReport): string {
  const rows: [string, string, string][] = []
  for (const c of r.clocks)
    rows.push(
      c.available
        ? [
            c.id,
            reading(c.id, c.ns as string),
            `res ${ns(c.resolutionNs)} · read ${ns(c.readCostNs)} · ${c.api}`,
          ]
        : [c.id, 'not available', c.reason ?? ''],
    )
  const rtc = r.rtc
  rows.push(
    rtc.visible
      ? [
          `rtc (${rtc.device})`,
          rtc.time,
          `${signed(rtc.offsetSeconds, 1)} s vs wall clock · via ${rtc.via}${rtc.name ? ` · ${rtc.name}` : ''}${rtc.hctosys === undefined ? '' : rtc.hctosys ? ' · set the clock at boot' : ''}`,
        ]
      : ['rtc', 'not available', rtc.reason],
  )
  if (r.kernel.ok) {
    const k = r.kernel.value
    const bits = STATUS_BITS.filter(([bit]) => (k.status & bit) !== 0)
    rows.push(
      [
        'kernel state',
        k.state,
        `status 0x${k.status.toString(16).padStart(4, '0')}: ${bits.map(([, name, what]) => `${name} (${what})`).join(', ') || 'no bits set'}`,
      ],
      ['kernel offset', `${signed(k.offsetNs, 0)} ns`, 'phase correction still being slewed'],
      [
        'kernel frequency',
        `${signed(k.freqPpm, 3)} ppm`,
        `loop ${k.loop} · time constant ${k.constant} · tolerance ${k.tolerancePpm} ppm · tick ${k.tickUs} µs`,
      ],
      [
        'kernel error',
        `max ${(k.maxErrorUs / 1e6).toFixed(6)} s`,
        `estimated ${(k.estErrorUs / 1e6).toFixed(6)} s`,
      ],
      [
        'kernel TAI offset',
        `${k.taiOffset} s`,
        k.taiOffset === 0 ? 'not set (TAI reads the same as UTC)' : 'TAI − UTC',
      ],
    )
  } else rows.push(['kernel state', 'not available', r.kernel.reason])
  rows.push(
    r.monotonicRate.ok
      ? [
          'monotonic vs raw',
          `${signed(r.monotonicRate.value.ppm, 3)} ppm`,
          `± ${r.monotonicRate.value.uncertaintyPpm.toFixed(3)} ppm over ${(r.monotonicRate.value.windowNs / 1e6).toFixed(0)} ms: the kernel's slew, measured`,
        ]
      : ['monotonic vs raw', 'not available', r.monotonicRate.reason],
  )
  const w0 = Math.max(6, ...rows.map((row) => row[0].length))
  const w1 = Math.max(5, ...rows.map((row) => row[1].length))
  const line = (row: [string, string, string]) =>
    `${row[0].padEnd(w0)}  ${row[1].padEnd(w1)}  ${row[2]}`.trimEnd()
  return [`Clocks via ${r.backend}`, line(['SOURCE', 'VALUE', 'DETAIL']), ...rows.map(line)].join(
    '\n',
  )
}

const toJson = (r: ClockReport): string => JSON.stringify(r, null, 2)

export async function clocksCommand(flags: ClocksFlags): Promise<number> {
  const format = flags.json ? toJson : formatClockReport
  if (!flags.watch) {
    console.log(format(await clockReport()))
    return 0
  }
  let stopped = false
  const stop = () => (stopped = true)
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  try {
    const clear = process.stdout.isTTY && !flags.json
    for (let n = 0; !stopped && (flags.count === undefined || n < flags.count); n++) {
      const report = await clockReport({ windowMs: flags.interval })
      if (stopped) break
      process.stdout.write((clear ? '\x1b[H\x1b[2J' : n > 0 ? '\n' : '') + format(report) + '\n')
    }
  } finally {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
  }
  return 0
}

export function registerClocksCommand(program: Command, exit: { code: number }): void {
  program
    .command('clocks')
    .description('print every local clock, the RTC and the kernel clock discipline (read-only)')
    .option('-w, --watch', 'refresh until interrupted')
    .option('-i, --interval <ms>', 'refresh interval with --watch, ms', positive, 1000)
    .option('-c, --count <n>', 'with --watch, stop after n refreshes', wholePositive)
    .option('--json', 'print the data as JSON')
    .addHelpText(
      'after',
      `
Reads only: clock_gettime and adjtimex with modes = 0; ClockLab never sets the clock.
CLOCKLAB_NATIVE=off shows what a machine without the native binding gets.`,
    )
    .action(async (flags: ClocksFlags) => {
      exit.code = await clocksCommand(flags)
    })
}
