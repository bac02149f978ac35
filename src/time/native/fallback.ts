// The clocks plain Node has, for machines where no native binding loads: Date.now() (whole
// milliseconds) and process.hrtime (monotonic). Everything else says why it is missing.
import { unavailable, type ClockBackend, type PlatformTime } from './types'

const realtime: ClockBackend = {
  api: 'Date.now() (whole milliseconds)',
  resolutionNs: 1_000_000,
  read(out) {
    const ms = Date.now()
    out.sec = Math.floor(ms / 1000)
    out.nsec = (ms - out.sec * 1000) * 1_000_000
  },
}

const monotonic: ClockBackend = {
  api: 'process.hrtime()',
  resolutionNs: undefined,
  read(out) {
    const [sec, nsec] = process.hrtime()
    out.sec = sec
    out.nsec = nsec
  },
}

export function fallbackTime(why: string): PlatformTime {
  const missing = unavailable(`needs a native binding (${why})`)
  return {
    backend: `Node only (${why})`,
    clocks: {
      realtime: { ok: true, value: realtime },
      monotonic: { ok: true, value: monotonic },
      'monotonic-raw': missing,
      boottime: missing,
      tai: missing,
    },
    readTimex: missing,
    readRtcTime: missing,
    socketRxTimestamp: missing,
    socketSend: missing,
    socketTxTimestamps: missing,
  }
}
