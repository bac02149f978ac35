// Flag parsers and source builders shared by the time commands (ntp, gps): numbers, server
// addresses, and the GPS / gpsd sources a server can follow. Bad values become one-line
// InputErrors naming the flag.
import { InvalidArgumentError } from 'commander'
import { InputError } from '../core/errors'
import { TimeInputError } from '../time/errors'
import { GPSD_PORT, GpsdSource } from '../time/gps/gpsd'
import { SerialGpsSource } from '../time/gps/serial-source'
import { parseServerAddress, type ServerAddress } from '../time/ntp/client'

export function positiveNumber(value: string): number {
  const x = Number(value)
  if (value.trim() === '' || !(x > 0) || !Number.isFinite(x))
    throw new InvalidArgumentError('expected a positive number')
  return x
}

export function finiteNumber(value: string): number {
  const x = Number(value)
  if (value.trim() === '' || !Number.isFinite(x))
    throw new InvalidArgumentError('expected a number')
  return x
}

export function wholePositive(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1)
    throw new InvalidArgumentError('expected a whole number of at least 1')
  return Number(value)
}

export function port(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) > 65535)
    throw new InvalidArgumentError('expected a port number 0..65535')
  return Number(value)
}

export function collect(value: string, all: string[] = []): string[] {
  return [...all, value]
}

/** HOST[:PORT] for a flag or argument, as an InputError naming it when it is malformed. */
export function serverAddress(text: string, what: string, defaultPort: number): ServerAddress {
  try {
    return parseServerAddress(text, defaultPort)
  } catch (err) {
    if (err instanceof TimeInputError) throw new InputError(`${what}: ${err.message}`)
    throw err
  }
}

export interface GpsFlags {
  gps?: string
  baud?: number
  latency?: number
  pps?: string
  gpsd?: string | true
  gpsdLatency?: number
}

export function gpsSource(
  path: string,
  flags: GpsFlags,
  onLine?: (line: string) => void,
): SerialGpsSource {
  return new SerialGpsSource({
    path,
    ...(onLine !== undefined ? { onLine } : {}),
    ...(flags.baud !== undefined ? { baudRate: flags.baud } : {}),
    latencyMs: flags.latency ?? 0,
    pps: flags.pps === undefined ? 'auto' : flags.pps === 'none' ? false : flags.pps,
  })
}

export function gpsdSource(target: string | true, flags: GpsFlags): GpsdSource {
  const at =
    target === true
      ? { host: '127.0.0.1', port: GPSD_PORT }
      : serverAddress(target, '--gpsd', GPSD_PORT)
  return new GpsdSource({ host: at.host, port: at.port, tpvLatencyMs: flags.gpsdLatency ?? 0 })
}

/** Resolves on SIGINT or SIGTERM. */
export function interrupted(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done)
      process.off('SIGTERM', done)
      resolve()
    }
    process.once('SIGINT', done)
    process.once('SIGTERM', done)
  })
}
