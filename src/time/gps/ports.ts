// Finds serial ports a GPS receiver may be on. serialport's list() needs udevadm on Linux and
// throws "spawn udevadm ENOENT" without it (containers, minimal systems), so on failure we scan
// /dev ourselves: ttyUSB*, ttyACM* (USB receivers), ttyAMA*/serial0 (Raspberry Pi GPS hats),
// ttyS* that the kernel says have a UART behind them, and the stable /dev/serial/by-id links.
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs'
import { join } from 'node:path'
import { SerialPort } from 'serialport'

export interface PortCandidate {
  path: string
  /** What we know about it: a maker, a by-id name, or how it was found. */
  description: string
}

export interface PortListing {
  ports: PortCandidate[]
  /** How the list was made, and why the fallback was used if it was. */
  method: string
}

const PATTERNS = [/^ttyUSB\d+$/, /^ttyACM\d+$/, /^ttyAMA\d+$/, /^serial\d+$/, /^ttyS\d+$/]

/** A ttyS port is real when sysfs gives its UART a type other than 0 (PORT_UNKNOWN). */
function hasUart(root: string, name: string): boolean {
  try {
    return Number(readFileSync(join(root, 'sys/class/tty', name, 'type'), 'utf8').trim()) !== 0
  } catch {
    return false
  }
}

/** Scans /dev under `root` for candidate ports. */
export function scanDevices(root = '/'): PortCandidate[] {
  const dev = join(root, 'dev')
  const found: PortCandidate[] = []
  const byId = join(dev, 'serial/by-id')
  const linked = new Map<string, string>()
  if (existsSync(byId))
    for (const name of readdirSync(byId).sort()) {
      const link = join(byId, name)
      try {
        linked.set(realpathSync(link), name)
      } catch {
        found.push({ path: link, description: `${name} (dangling link)` })
        continue
      }
      found.push({ path: link, description: name })
    }
  if (!existsSync(dev)) return found
  const names = readdirSync(dev)
    .filter((name) => PATTERNS.some((p) => p.test(name)))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
  for (const name of names) {
    const path = join(dev, name)
    if (name.startsWith('ttyS') && !hasUart(root, name)) continue
    const real = linked.get(path)
    found.push({ path, description: real ? `same as by-id/${real}` : `found in ${dev}` })
  }
  return found
}

/** serialport's own listing, or a scan of /dev when it is not available here. */
export async function listPorts(
  root = '/',
  list: () => Promise<{ path: string; manufacturer?: string }[]> = () => SerialPort.list(),
): Promise<PortListing> {
  try {
    const ports = await list()
    return {
      method: 'serialport list()',
      ports: ports.map((p) => ({ path: p.path, description: p.manufacturer ?? 'serial port' })),
    }
  } catch (err) {
    return {
      method: `scan of ${join(root, 'dev')} (serialport list() failed: ${(err as Error).message})`,
      ports: scanDevices(root),
    }
  }
}
