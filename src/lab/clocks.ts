// Reads this machine's clocks for the Clocks view, through ClockLab's time room (src/time):
// every local clock (wall, monotonic, monotonic raw, boot time, TAI: those the OS offers,
// with the reason for each one it lacks), the hardware RTC, and the kernel's discipline
// state, read-only; and the stratum hierarchy of the live time sources (./time-sources).
import { hostname } from 'node:os'
import { localClocks, type ClockId, type Clocks } from '../time/clocks'
import { readKernelState } from '../time/kernel'
import { readRtc } from '../time/rtc'
import type { ClockReading, ClocksReport, KernelClockState, RtcReading } from './api'
import type { TimeSources } from './time-sources'

const CLOCKS: Record<ClockId, { label: string; description: string }> = {
  realtime: {
    label: 'Wall clock',
    description: 'UTC as the operating system keeps it; NTP steps and slews it (CLOCK_REALTIME)',
  },
  monotonic: {
    label: 'Monotonic',
    description: 'never jumps; the kernel slews its rate to follow NTP (CLOCK_MONOTONIC)',
  },
  'monotonic-raw': {
    label: 'Monotonic raw',
    description: 'the bare oscillator, never slewed by the kernel (CLOCK_MONOTONIC_RAW)',
  },
  boottime: {
    label: 'Boot time',
    description: 'like monotonic, but counts time spent suspended (CLOCK_BOOTTIME)',
  },
  tai: {
    label: 'TAI',
    description: 'International Atomic Time: UTC without leap seconds (CLOCK_TAI)',
  },
}

export function readClocks(clocks: Clocks = localClocks(), sources?: TimeSources): ClocksReport {
  // Read every clock first, back to back, so their differences are the clocks' own.
  const status = clocks.status()
  const readings = status.map((s) => (s.available ? clocks.readNs(s.id) : undefined))
  const rows: ClockReading[] = status.map((s, k) => {
    const ns = readings[k]
    return {
      id: s.id,
      ...CLOCKS[s.id],
      available: ns !== undefined,
      // Whole microseconds first: a double holds those exactly, nanoseconds since 1970 it cannot.
      ...(ns !== undefined
        ? { ms: Number(ns / 1000n) / 1000 }
        : { reason: s.reason ?? 'not available' }),
    }
  })
  return {
    host: hostname(),
    backend: clocks.backend,
    clocks: rows,
    rtc: rtc(),
    kernel: kernel(clocks),
    sources: sources?.graph(hostname()) ?? [],
  }
}

function rtc(): RtcReading {
  const r = readRtc()
  if (!r.visible) return { available: false, reason: r.reason }
  return { available: true, device: r.device, ms: r.sinceEpoch * 1000 }
}

function kernel(clocks: Clocks): KernelClockState {
  const k = readKernelState(clocks)
  if (!k.ok) return { available: false, reason: k.reason }
  const s = k.value
  return {
    available: true,
    synchronized: s.synchronized,
    offsetMs: s.offsetNs / 1e6,
    frequencyPpm: s.freqPpm,
    maxErrorMs: s.maxErrorUs / 1000,
    estErrorMs: s.estErrorUs / 1000,
    status: [s.state, `${s.loop} loop`, ...s.flags],
  }
}
