// The hardware real-time clock, read-only: sysfs (/sys/class/rtc/rtc0: name, date, time,
// since_epoch, hctosys) first, else RTC_RD_TIME on /dev/rtc0, else a clear "no RTC visible"
// (containers and VMs often have none). The root directory is injectable so tests can use a
// fake sysfs tree.
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { localClocks } from './clocks'
import type { RtcTime } from './native/index'

export type RtcReading =
  | {
      visible: true
      device: string
      via: 'sysfs' | 'ioctl'
      /** The driver's name (sysfs only). */
      name?: string
      /** The RTC's time as ISO 8601, read as UTC. */
      time: string
      /** Seconds since the Unix epoch the RTC shows. */
      sinceEpoch: number
      /** Whether the kernel set the system clock from this RTC at boot (sysfs only). */
      hctosys?: boolean
      /** RTC − system wall clock, seconds (the RTC counts whole seconds). */
      offsetSeconds: number
    }
  | { visible: false; reason: string }

export interface RtcOptions {
  /** Filesystem root; '/' on a real machine, a temporary tree in tests. */
  root?: string
  device?: string
  /** Reads /dev/rtcN by its path: the real one uses RTC_RD_TIME. */
  readDevice?: (path: string) => RtcTime
  /** The system wall clock, ms since the Unix epoch. */
  nowMs?: () => number
}

function readDeviceWithIoctl(path: string): RtcTime {
  const reader = localClocks().platform.readRtcTime
  if (!reader.ok) throw new Error(reader.reason)
  const fd = openSync(path, 'r')
  try {
    return reader.value(fd)
  } finally {
    closeSync(fd)
  }
}

const trimmed = (file: string): string => readFileSync(file, 'utf8').trim()

/** since_epoch, or date and time where an old kernel has no since_epoch. */
function sysfsSeconds(dir: string): number {
  const epochFile = join(dir, 'since_epoch')
  const seconds = existsSync(epochFile)
    ? Number(trimmed(epochFile))
    : Date.parse(`${trimmed(join(dir, 'date'))}T${trimmed(join(dir, 'time'))}Z`) / 1000
  if (!Number.isSafeInteger(seconds)) throw new Error('no valid since_epoch or date/time')
  return seconds
}

export function readRtc(options: RtcOptions = {}): RtcReading {
  const root = options.root ?? '/'
  const device = options.device ?? 'rtc0'
  const nowMs = options.nowMs ?? (() => Date.now())
  const sysDir = join(root, 'sys/class/rtc', device)
  const devPath = join(root, 'dev', device)
  if (existsSync(sysDir)) {
    try {
      const sinceEpoch = sysfsSeconds(sysDir)
      const hctosysFile = join(sysDir, 'hctosys')
      const nameFile = join(sysDir, 'name')
      return {
        visible: true,
        device,
        via: 'sysfs',
        ...(existsSync(nameFile) ? { name: trimmed(nameFile) } : {}),
        time: new Date(sinceEpoch * 1000).toISOString(),
        sinceEpoch,
        ...(existsSync(hctosysFile) ? { hctosys: trimmed(hctosysFile) === '1' } : {}),
        offsetSeconds: sinceEpoch - nowMs() / 1000,
      }
    } catch (err) {
      return { visible: false, reason: `${sysDir} is unreadable: ${(err as Error).message}` }
    }
  }
  if (existsSync(devPath)) {
    try {
      const t = (options.readDevice ?? readDeviceWithIoctl)(devPath)
      const ms = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second)
      if (!Number.isFinite(ms)) throw new Error('the RTC returned an invalid date')
      return {
        visible: true,
        device,
        via: 'ioctl',
        time: new Date(ms).toISOString(),
        sinceEpoch: ms / 1000,
        offsetSeconds: ms / 1000 - nowMs() / 1000,
      }
    } catch (err) {
      return { visible: false, reason: `${devPath} is unreadable: ${(err as Error).message}` }
    }
  }
  return {
    visible: false,
    reason: `no RTC visible (no ${sysDir}, no ${devPath}; containers and VMs often have none)`,
  }
}
