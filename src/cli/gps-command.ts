// `clocklab gps ports`: candidate serial ports for a receiver. `clocklab gps read PATH`: time
// samples from a receiver's NMEA (and PPS). `clocklab gps gpsd [HOST[:PORT]]`: samples from
// gpsd. Each sample line shows the GPS time, the local clock's offset and the drift so far.
import type { Command } from 'commander'
import { closeSync, openSync, writeSync } from 'node:fs'
import { InputError } from '../core/errors'
import { DriftEstimator, driftPoint } from '../time/drift'
import { FIX_QUALITY } from '../time/gps/nmea'
import { listPorts } from '../time/gps/ports'
import type { SerialGpsSource } from '../time/gps/serial-source'
import { isoNs } from '../time/ntp/timestamp'
import type { TimeSource } from '../time/source'
import {
  finiteNumber,
  gpsdSource,
  gpsSource,
  interrupted,
  wholePositive,
  type GpsFlags,
} from './time-flags'

interface ReadFlags extends GpsFlags {
  count?: number
  record?: string
}

/**
 * A new file that takes every line from the port as it came (each ending in a newline, the
 * receiver's CR kept): a log to replay with gpsfake or to ship under resources/nmea/.
 */
function recording(file: string): { write: (line: string) => void; close: () => void } {
  let fd: number
  try {
    fd = openSync(file, 'wx')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new InputError(
      code === 'EEXIST'
        ? `--record ${file}: the file exists (give a new name; nothing was overwritten)`
        : `--record ${file}: cannot create it (${code})`,
    )
  }
  return { write: (line) => writeSync(fd, `${line}\n`), close: () => closeSync(fd) }
}

async function follow(
  source: TimeSource,
  count: number | undefined,
  describe: () => string,
): Promise<number> {
  const drift = new DriftEstimator()
  const stop = interrupted()
  let n = 0
  const iterator = source.samples()
  try {
    while (count === undefined || n < count) {
      const next = await Promise.race([iterator.next(), stop.then(() => undefined)])
      if (next === undefined || next.done) break
      const s = next.value
      drift.add(driftPoint(s))
      const d = drift.estimate()
      console.log(
        `${isoNs(s.referenceNs)}  offset ${s.offset >= 0 ? '+' : ''}${s.offset.toFixed(6)} s  ${s.refid}  ${describe()}` +
          (d
            ? `  drift ${d.ppm >= 0 ? '+' : ''}${d.ppm.toFixed(2)} ± ${d.halfWidthPpm.toFixed(2)} ppm`
            : ''),
      )
      n++
    }
  } finally {
    const status = source.status()
    console.log(`${status.samples} samples; bad input dropped: ${JSON.stringify(status.errors)}`)
    await source.close()
  }
  return 0
}

export function registerGpsCommand(program: Command, exit: { code: number }): void {
  const gps = program.command('gps').description('GPS receivers as time sources: serial NMEA, gpsd')

  gps
    .command('ports')
    .description('list serial ports a GPS receiver may be on')
    .action(async () => {
      const listing = await listPorts()
      console.log(`Serial ports (${listing.method}):`)
      for (const p of listing.ports) console.log(`  ${p.path.padEnd(28)} ${p.description}`)
      if (listing.ports.length === 0) console.log('  none found')
      exit.code = 0
    })

  gps
    .command('read')
    .description("time samples from a receiver's NMEA sentences (RMC, ZDA, GGA) and PPS")
    .argument('<path>', 'serial port, e.g. /dev/ttyUSB0')
    .option('--baud <rate>', 'serial speed (default 9600)', wholePositive)
    .option('--latency <ms>', "the receiver's sentence latency after the second", finiteNumber)
    .option('--pps <device>', "PPS device (pps0), or 'none' (default: the first present)")
    .option('-n, --count <n>', 'stop after n samples', wholePositive)
    .option('--record <file>', 'also write every line from the port, as it came, to a new file')
    .addHelpText(
      'after',
      `
Example:
  clocklab gps read /dev/ttyACM0 --count 120 --record ublox-m9n.nmea
A recording replays through gpsd with gpsfake, or through a pseudo-terminal into
'clocklab gps read'; resources/nmea/README.md says how to add one to the samples.`,
    )
    .action(async (path: string, flags: ReadFlags) => {
      const record = flags.record === undefined ? undefined : recording(flags.record)
      try {
        const source = gpsSource(path, flags, record?.write)
        exit.code = await follow(source, flags.count, () => fixText(source))
      } finally {
        record?.close()
      }
    })

  gps
    .command('gpsd')
    .description("time samples from gpsd's JSON reports (PPS, TOFF, TPV)")
    .argument('[server]', 'HOST[:PORT] of gpsd', '127.0.0.1:2947')
    .option('--gpsd-latency <ms>', 'TPV latency, used when gpsd sends no TOFF or PPS', finiteNumber)
    .option('-n, --count <n>', 'stop after n samples', wholePositive)
    .action(async (server: string, flags: ReadFlags) => {
      const source = gpsdSource(server, flags)
      exit.code = await follow(source, flags.count, () => {
        const s = source.status()
        return `mode ${s.mode ?? '?'}${s.satellites ? ` · ${s.satellites.used}/${s.satellites.seen} satellites` : ''} · via ${s.timing}`
      })
    })
}

function fixText(source: SerialGpsSource): string {
  const { fix } = source.status()
  const quality = fix.quality === undefined ? 'fix ?' : `fix ${FIX_QUALITY[fix.quality]}`
  return `${fix.talker ?? '??'} ${quality}${fix.satellites !== undefined ? ` · ${fix.satellites} satellites` : ''}`
}
