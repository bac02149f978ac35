// The kernel's PPS (pulse per second) devices, read through sysfs: /sys/class/pps/ppsN/assert
// holds the system wall-clock time of the last pulse edge and a sequence number
// ("1700000000.999994539#42"). No ioctl needed. The root is injectable for tests.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export interface PpsEdge {
  /** System REALTIME at the edge, ns since the Unix epoch. */
  localNs: bigint
  sequence: number
}

export function listPpsDevices(root = '/'): string[] {
  const dir = join(root, 'sys/class/pps')
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((name) => /^pps\d+$/.test(name))
    .sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)))
}

/** The last assert edge of a PPS device, or undefined when it has seen none or is gone. */
export function readPpsAssert(device: string, root = '/'): PpsEdge | undefined {
  let text: string
  try {
    text = readFileSync(join(root, 'sys/class/pps', device, 'assert'), 'utf8').trim()
  } catch {
    return undefined
  }
  const m = /^(\d+)\.(\d{9})#(\d+)$/.exec(text)
  if (m === null || m[1] === '0') return undefined
  return { localNs: BigInt(m[1]) * 1_000_000_000n + BigInt(m[2]), sequence: Number(m[3]) }
}
