// Windows clocks through koffi: GetSystemTimePreciseAsFileTime for the wall clock (100 ns
// ticks since 1601), QueryPerformanceCounter for the monotonic clock and
// QueryInterruptTimePrecise (Windows 10+) for time since boot including sleep. Windows has no
// raw or TAI clock and no adjtimex.
import koffi from 'koffi'
import { unavailable, type Availability, type ClockBackend, type PlatformTime } from './types'

const FILETIME_UNIX_EPOCH = 116444736000000000n

export function windowsTime(): PlatformTime {
  const kernel32 = koffi.load('kernel32.dll')
  const preciseTime = kernel32.func('GetSystemTimePreciseAsFileTime', 'void', ['void *'])
  const qpc = kernel32.func('QueryPerformanceCounter', 'int', ['void *'])
  const qpf = kernel32.func('QueryPerformanceFrequency', 'int', ['void *'])
  const buf = Buffer.alloc(8)
  qpf(buf)
  const frequency = buf.readBigInt64LE(0) || 1n

  const fromNs = (ns: bigint, out: { sec: number; nsec: number }): void => {
    out.sec = Number(ns / 1_000_000_000n)
    out.nsec = Number(ns % 1_000_000_000n)
  }
  const realtime: ClockBackend = {
    api: 'GetSystemTimePreciseAsFileTime()',
    resolutionNs: 100,
    read(out) {
      preciseTime(buf)
      fromNs((buf.readBigUInt64LE(0) - FILETIME_UNIX_EPOCH) * 100n, out)
    },
  }
  const monotonic: ClockBackend = {
    api: 'QueryPerformanceCounter()',
    resolutionNs: Number(1_000_000_000n / frequency) || 1,
    read(out) {
      qpc(buf)
      fromNs((buf.readBigInt64LE(0) * 1_000_000_000n) / frequency, out)
    },
  }
  let boottime: Availability<ClockBackend>
  try {
    const interrupt = koffi
      .load('KernelBase.dll')
      .func('QueryInterruptTimePrecise', 'void', ['void *'])
    boottime = {
      ok: true,
      value: {
        api: 'QueryInterruptTimePrecise()',
        resolutionNs: 100,
        read(out) {
          interrupt(buf)
          fromNs(buf.readBigUInt64LE(0) * 100n, out)
        },
      },
    }
  } catch {
    boottime = unavailable('QueryInterruptTimePrecise needs Windows 10 or later')
  }
  return {
    backend: `koffi → kernel32 (win32, ${process.arch})`,
    clocks: {
      realtime: { ok: true, value: realtime },
      monotonic: { ok: true, value: monotonic },
      'monotonic-raw': unavailable('Windows has no unslewed clock apart from the counter'),
      boottime,
      tai: unavailable('Windows has no TAI clock'),
    },
    readTimex: unavailable('Windows has no adjtimex'),
    readRtcTime: unavailable('Windows exposes no RTC device'),
    socketRxTimestamp: unavailable('Windows has no SIOCGSTAMPNS'),
    socketSend: unavailable('not bound on Windows'),
    socketTxTimestamps: unavailable('Windows has no SO_TIMESTAMPING'),
  }
}
