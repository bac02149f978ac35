// macOS clocks through koffi: clock_gettime for REALTIME, MONOTONIC (counts sleep) and
// MONOTONIC_RAW, and mach_continuous_time for time since boot including sleep. TAI and the
// kernel's discipline state are not offered (macOS has no CLOCK_TAI; its ntp_adjtime is not
// bound here).
import koffi from 'koffi'
import { unavailable, type ClockBackend, type PlatformTime } from './types'

export function darwinTime(): PlatformTime {
  const lib = koffi.load('/usr/lib/libSystem.B.dylib')
  const clockGettime = lib.func('clock_gettime', 'int', ['int', 'void *'])
  const buf = Buffer.alloc(16)
  const viaGettime = (number: number, name: string): ClockBackend => ({
    api: `clock_gettime(${name})`,
    resolutionNs: undefined,
    read(out) {
      clockGettime(number, buf)
      out.sec = buf.readUInt32LE(0) + buf.readInt32LE(4) * 4294967296
      out.nsec = buf.readUInt32LE(8)
    },
  })

  const continuous = lib.func('mach_continuous_time', 'uint64', [])
  const timebaseInfo = lib.func('mach_timebase_info', 'int', ['void *'])
  const tb = Buffer.alloc(8)
  timebaseInfo(tb)
  const numer = BigInt(tb.readUInt32LE(0))
  const denom = BigInt(tb.readUInt32LE(4) || 1)
  const boottime: ClockBackend = {
    api: 'mach_continuous_time()',
    resolutionNs: undefined,
    read(out) {
      const ns = (BigInt(continuous()) * numer) / denom
      out.sec = Number(ns / 1_000_000_000n)
      out.nsec = Number(ns % 1_000_000_000n)
    },
  }

  return {
    backend: `koffi → libSystem (darwin, ${process.arch})`,
    clocks: {
      realtime: { ok: true, value: viaGettime(0, 'CLOCK_REALTIME') },
      monotonic: { ok: true, value: viaGettime(6, 'CLOCK_MONOTONIC') },
      'monotonic-raw': { ok: true, value: viaGettime(4, 'CLOCK_MONOTONIC_RAW') },
      boottime: { ok: true, value: boottime },
      tai: unavailable('macOS has no TAI clock'),
    },
    readTimex: unavailable('not bound on macOS (its ntp_adjtime has another struct layout)'),
    readRtcTime: unavailable('macOS exposes no RTC device'),
    socketRxTimestamp: unavailable('macOS has no SIOCGSTAMPNS'),
    socketSend: unavailable('not bound on macOS'),
    socketTxTimestamps: unavailable('macOS has no SO_TIMESTAMPING'),
  }
}
