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
  type TxTimestamps,
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
    socketTxTimestamps: txTimestamps(libc, decode),
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

const SOL_SOCKET = 1
/** SO_TIMESTAMPING, and SCM_TIMESTAMPING for its control message (asm-generic numbering). */
const SO_TIMESTAMPING = 37
const SOF_TIMESTAMPING_TX_SOFTWARE = 1 << 1
const SOF_TIMESTAMPING_SOFTWARE = 1 << 4
const SOF_TIMESTAMPING_OPT_TSONLY = 1 << 11
const MSG_ERRQUEUE = 0x2000
/** Architectures with the asm-generic socket numbers and little-endian structs. */
const TX_STAMP_ARCHES = ['x64', 'arm64', 'arm', 'ia32', 'riscv64', 'loong64']
/** At most this many queued stamps are read in one take(). */
const MAX_TAKE = 64

/**
 * Kernel software transmit timestamps. enable() asks for them (TX_SOFTWARE, and OPT_TSONLY so
 * the queued stamp carries no copy of the datagram). The stamp is read from the error queue
 * with recvmsg(MSG_ERRQUEUE | MSG_DONTWAIT) as an SCM_TIMESTAMPING control message (struct
 * scm_timestamping: three timespecs, the first the software one). The reporting flag
 * SOF_TIMESTAMPING_SOFTWARE is switched on only for the duration of that read: while it is
 * on, the kernel stops recording receive times for SIOCGSTAMPNS, which the receive path
 * (rxTimestamp below, read after Node's own recvmsg) relies on. Node reads the socket on this
 * same thread, so no datagram can be received in between.
 */
function txTimestamps(
  libc: LibraryHandle,
  decode: (buf: Buffer, out: Timespec) => void,
): Availability<TxTimestamps> {
  if (!TX_STAMP_ARCHES.includes(process.arch))
    return unavailable(`SO_TIMESTAMPING is not bound on ${process.arch}`)
  const setsockopt = libc.func('setsockopt', 'int', ['int', 'int', 'int', 'void *', 'uint32'])
  const recvmsg = libc.func('recvmsg', 'long', ['int', 'void *', 'int'])
  const ptr = koffi.sizeof('void *')
  const long = koffi.sizeof('long')
  const align = (n: number) => Math.ceil(n / long) * long
  const writePtr = (buf: Buffer, at: number, value: bigint | number) =>
    ptr === 8 ? buf.writeBigUInt64LE(BigInt(value), at) : buf.writeUInt32LE(Number(value), at)
  const readSize = (buf: Buffer, at: number) =>
    ptr === 8 ? Number(buf.readBigUInt64LE(at)) : buf.readUInt32LE(at)

  const generate = Buffer.alloc(4)
  generate.writeUInt32LE(SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_OPT_TSONLY)
  const report = Buffer.alloc(4)
  report.writeUInt32LE(
    SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_OPT_TSONLY | SOF_TIMESTAMPING_SOFTWARE,
  )
  const flags = (fd: number, value: Buffer) =>
    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, value, 4) === 0

  // struct msghdr with no name and no data (OPT_TSONLY), only room for control messages:
  // msg_name, msg_namelen, msg_iov, msg_iovlen, msg_control, msg_controllen, msg_flags.
  const control = Buffer.alloc(512)
  const msghdr = Buffer.alloc(7 * ptr)
  const CONTROLLEN = 5 * ptr
  const cmsgHeader = align(ptr + 8)
  const stamp = Buffer.alloc(2 * long)

  /** The software stamp of the message in `control`, into `out`; false if it has none. */
  const parse = (out: Timespec): boolean => {
    const length = Math.min(readSize(msghdr, CONTROLLEN), control.length)
    for (let at = 0; at + cmsgHeader <= length;) {
      const len = readSize(control, at)
      if (len < cmsgHeader) return false
      const level = control.readInt32LE(at + ptr)
      const type = control.readInt32LE(at + ptr + 4)
      if (level === SOL_SOCKET && type === SO_TIMESTAMPING && len >= cmsgHeader + 2 * long) {
        control.copy(stamp, 0, at + cmsgHeader, at + cmsgHeader + 2 * long)
        decode(stamp, out)
        return out.sec !== 0 || out.nsec !== 0
      }
      at += align(len)
    }
    return false
  }

  const found: Timespec = { sec: 0, nsec: 0 }
  return {
    ok: true,
    value: {
      enable: (fd) => flags(fd, generate),
      take(fd, out) {
        if (!flags(fd, report)) return 0
        let taken = 0
        try {
          for (let i = 0; i < MAX_TAKE; i++) {
            msghdr.fill(0)
            writePtr(msghdr, 4 * ptr, koffi.address(control))
            writePtr(msghdr, CONTROLLEN, control.length)
            if (recvmsg(fd, msghdr, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) break
            if (parse(found)) {
              out.sec = found.sec
              out.nsec = found.nsec
              taken++
            }
          }
        } finally {
          flags(fd, generate)
        }
        return taken
      },
    },
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
