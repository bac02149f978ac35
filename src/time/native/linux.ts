// Linux clocks through koffi: clock_gettime/clock_getres for REALTIME, MONOTONIC,
// MONOTONIC_RAW, BOOTTIME and TAI, and adjtimex strictly read-only. The adjtimex binding is
// private to this file and is only ever handed a freshly zeroed struct, so `modes` is 0 and
// the kernel changes nothing: there is no argument through which mode bits could arrive.
import koffi, { type LibraryHandle } from 'koffi'
import {
  unavailable,
  type Availability,
  type ClockBackend,
  type ClockId,
  type PlatformTime,
  type RawTimex,
  type RtcTime,
  type Timespec,
} from './types'

const CLOCK_NUMBERS: Record<ClockId, [number, string]> = {
  realtime: [0, 'CLOCK_REALTIME'],
  monotonic: [1, 'CLOCK_MONOTONIC'],
  'monotonic-raw': [4, 'CLOCK_MONOTONIC_RAW'],
  boottime: [7, 'CLOCK_BOOTTIME'],
  tai: [11, 'CLOCK_TAI'],
}

export function linuxTime(): PlatformTime {
  const libc = koffi.load('libc.so.6')
  const clockGettime = libc.func('clock_gettime', 'int', ['int', 'void *'])
  const clockGetres = libc.func('clock_getres', 'int', ['int', 'void *'])
  const ioctl = libc.func('int ioctl(int fd, unsigned long request, ...)') as Ioctl
  const longSize = koffi.sizeof('long')

  // struct timespec is { time_t tv_sec; long tv_nsec } with time_t as wide as long here.
  const decode = (buf: Buffer, out: Timespec): void => {
    if (longSize === 8) {
      out.sec = buf.readUInt32LE(0) + buf.readInt32LE(4) * 4294967296
      out.nsec = buf.readUInt32LE(8)
    } else {
      out.sec = buf.readInt32LE(0)
      out.nsec = buf.readInt32LE(4)
    }
  }

  const clock = (id: ClockId): Availability<ClockBackend> => {
    const [number, name] = CLOCK_NUMBERS[id]
    const buf = Buffer.alloc(2 * longSize)
    if (clockGettime(number, buf) !== 0)
      return unavailable(`${name} is not supported by this kernel (clock_gettime failed)`)
    const res: Timespec = { sec: 0, nsec: 0 }
    let resolutionNs: number | undefined
    if (clockGetres(number, buf) === 0) {
      decode(buf, res)
      resolutionNs = res.sec * 1e9 + res.nsec
    }
    return {
      ok: true,
      value: {
        api: `clock_gettime(${name})`,
        resolutionNs,
        read(out) {
          clockGettime(number, buf)
          decode(buf, out)
        },
      },
    }
  }

  return {
    backend: `koffi → libc.so.6 (linux, ${process.arch})`,
    clocks: {
      realtime: clock('realtime'),
      monotonic: clock('monotonic'),
      'monotonic-raw': clock('monotonic-raw'),
      boottime: clock('boottime'),
      tai: clock('tai'),
    },
    readTimex: readOnlyAdjtimex(libc),
    readRtcTime: rtcReadTime(ioctl),
    socketRxTimestamp: rxTimestamp(ioctl, decode),
    socketSend: send(libc),
  }
}

const MSG_DONTWAIT = 0x40

function send(
  libc: LibraryHandle,
): Availability<(fd: number, data: Buffer, address: Buffer | null) => boolean> {
  const sendto = libc.func('sendto', 'long', ['int', 'void *', 'size_t', 'int', 'void *', 'uint32'])
  return {
    ok: true,
    value: (fd, data, address) =>
      sendto(
        fd,
        data,
        data.length,
        MSG_DONTWAIT,
        address,
        address === null ? 0 : address.length,
      ) === data.length,
  }
}

/** SIOCGSTAMPNS: the receive time of the last packet read, as a struct timespec. */
const SIOCGSTAMPNS = 0x8907

function rxTimestamp(
  ioctl: Ioctl,
  decode: (buf: Buffer, out: Timespec) => void,
): Availability<(fd: number, out: Timespec) => boolean> {
  const buf = Buffer.alloc(2 * koffi.sizeof('long'))
  return {
    ok: true,
    value: (fd, out) => {
      if (ioctl(fd, SIOCGSTAMPNS, 'void *', buf) !== 0) return false
      decode(buf, out)
      return true
    },
  }
}

/** RTC_RD_TIME = _IOR('p', 0x09, struct rtc_time): nine ints, month 0-11, year since 1900. */
const RTC_RD_TIME = 0x80247009

type Ioctl = (fd: number, request: number, type: string, arg: Buffer) => number

function rtcReadTime(ioctl: Ioctl): Availability<(fd: number) => RtcTime> {
  return {
    ok: true,
    value: (fd) => {
      const tm = Buffer.alloc(36)
      if (ioctl(fd, RTC_RD_TIME, 'void *', tm) !== 0)
        throw new Error(`RTC_RD_TIME failed (errno ${koffi.errno()})`)
      return {
        second: tm.readInt32LE(0),
        minute: tm.readInt32LE(4),
        hour: tm.readInt32LE(8),
        day: tm.readInt32LE(12),
        month: tm.readInt32LE(16) + 1,
        year: tm.readInt32LE(20) + 1900,
      }
    },
  }
}

function readOnlyAdjtimex(libc: LibraryHandle): Availability<() => RawTimex> {
  const timeval = koffi.struct({ tv_sec: 'long', tv_usec: 'long' })
  const timex = koffi.struct({
    modes: 'uint',
    offset: 'long',
    freq: 'long',
    maxerror: 'long',
    esterror: 'long',
    status: 'int',
    constant: 'long',
    precision: 'long',
    tolerance: 'long',
    time: timeval,
    tick: 'long',
    ppsfreq: 'long',
    jitter: 'long',
    shift: 'int',
    stabil: 'long',
    jitcnt: 'long',
    calcnt: 'long',
    errcnt: 'long',
    stbcnt: 'long',
    tai: 'int',
    reserved: koffi.array('int', 11),
  })
  let adjtimex: (buf: Buffer) => number
  try {
    adjtimex = libc.func('adjtimex', 'int', ['void *'])
  } catch (err) {
    return unavailable(`adjtimex is missing from libc (${(err as Error).message})`)
  }
  const size = koffi.sizeof(timex)
  const read = (): RawTimex => {
    // Buffer.alloc zero-fills: modes = 0 means "read only", whatever the caller's privileges.
    const buf = Buffer.alloc(size)
    if (buf.readUInt32LE(0) !== 0) throw new Error('adjtimex: modes must be 0')
    const state = adjtimex(buf)
    if (state < 0) throw new Error('adjtimex(modes = 0) failed')
    const t = koffi.decode(buf, timex) as Record<string, number>
    return {
      state,
      offset: t.offset,
      freq: t.freq,
      maxerror: t.maxerror,
      esterror: t.esterror,
      status: t.status,
      constant: t.constant,
      precision: t.precision,
      tolerance: t.tolerance,
      tick: t.tick,
      tai: t.tai,
    }
  }
  return { ok: true, value: read }
}
