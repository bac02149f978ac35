// One snapshot of every local time source: the clocks (reading, resolution, read cost, or why
// missing), the RTC and the kernel's discipline state, plus the monotonic clock's slew against
// monotonic raw over a window. The CLI prints it as a table; shells can show the same data.
import { localClocks, type ClockId, type Clocks } from './clocks'
import {
  measureMonotonicRate,
  readKernelState,
  type KernelState,
  type MonotonicRate,
} from './kernel'
import type { Availability } from './native/index'
import { readRtc, type RtcOptions, type RtcReading } from './rtc'

export interface ClockRow {
  id: ClockId
  label: string
  available: boolean
  reason?: string
  api?: string
  /** Reading in ns since the clock's epoch, as a decimal string (JSON has no bigint). */
  ns?: string
  resolutionNs?: number
  readCostNs?: number
}

export interface ClockReport {
  backend: string
  clocks: ClockRow[]
  rtc: RtcReading
  kernel: Availability<KernelState>
  monotonicRate: Availability<MonotonicRate>
}

export interface ReportOptions {
  clocks?: Clocks
  rtc?: RtcOptions
  /** Window for the monotonic-vs-raw rate, ms (default 500). */
  windowMs?: number
}

export async function clockReport(options: ReportOptions = {}): Promise<ClockReport> {
  const clocks = options.clocks ?? localClocks()
  // The rate is measured over the window while everything else is read.
  const rate =
    clocks.has('monotonic') && clocks.has('monotonic-raw')
      ? measureMonotonicRate(options.windowMs ?? 500, clocks)
      : undefined
  const rows: ClockRow[] = clocks.status().map((s) =>
    s.available
      ? {
          id: s.id,
          label: s.label,
          available: true,
          api: s.api,
          ns: clocks.readNs(s.id).toString(),
          resolutionNs: s.resolutionNs,
          readCostNs: clocks.readCostNs(s.id),
        }
      : { id: s.id, label: s.label, available: false, reason: s.reason },
  )
  const rtc = readRtc(options.rtc)
  const kernel = readKernelState(clocks)
  const monotonicRate: Availability<MonotonicRate> =
    rate === undefined
      ? { ok: false, reason: 'needs monotonic and monotonic raw' }
      : { ok: true, value: await rate }
  return { backend: clocks.backend, clocks: rows, rtc, kernel, monotonicRate }
}
