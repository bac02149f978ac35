// Plays a shipped receiver log into the writing end of a socat pseudo-terminal pair, one epoch
// (the lines that share one time of day) per tick, as a receiver would; for the live-source
// tests on the engine and in the browser.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs'

/** A receiver log split into epochs: the lines that share one time of day. */
export function nmeaEpochs(log: string): string[] {
  const epochs: string[] = []
  let time: string | undefined
  for (const line of log.split(/\r?\n/).filter(Boolean)) {
    const m = /^\$..(?:GGA|RMC|ZDA),(\d{6})/.exec(line)
    if (m && m[1] !== time) {
      time = m[1]
      epochs.push('')
    }
    if (epochs.length) epochs[epochs.length - 1] += line + '\r\n'
  }
  return epochs
}

export const UBLOX_LOG = new URL('../../resources/nmea/ublox-neo-m8n.nmea', import.meta.url)

export interface NmeaFeed {
  /** Writes to a new path from now on (the pair was started again). */
  reopen(path: string): void
  stop(): void
}

/** Writes one epoch of `log` to `path` every `everyMs`; a write to a vanished pty is skipped. */
export function feedNmea(path: string, everyMs: number, log: URL = UBLOX_LOG): NmeaFeed {
  const epochs = nmeaEpochs(readFileSync(log, 'latin1'))
  let fd = openSync(path, 'w')
  let k = 0
  const timer = setInterval(() => {
    try {
      writeSync(fd, Buffer.from(epochs[k++ % epochs.length], 'latin1'))
    } catch {
      // The other end is gone while the test has it unplugged.
    }
  }, everyMs)
  return {
    reopen(next) {
      closeSync(fd)
      fd = openSync(next, 'w')
    },
    stop() {
      clearInterval(timer)
      closeSync(fd)
    },
  }
}
