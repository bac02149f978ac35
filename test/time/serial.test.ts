// A GPS receiver on a serial line, played through a socat pseudo-terminal pair into the
// serialport source: samples from real NMEA, garbage and bad checksums and an endless line
// counted while samples keep coming, the device unplugged mid-read and plugged back, a PPS
// edge from a fake sysfs tree, port discovery, and `clocklab gps read` end to end.
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { listPorts, scanDevices } from '../../src/time/gps/ports'
import { nmeaFrame } from '../../src/time/gps/nmea'
import { SerialGpsSource } from '../../src/time/gps/serial-source'
import type { TimeSample } from '../../src/time/source'
import { clocklabAsync } from './run'
import { freeUdpPort, start, startPtyPair, tempDir, waitFor, type Peer } from './peers'

const BIN = fileURLToPath(new URL('../../bin/clocklab.mjs', import.meta.url))
const cleanup: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})

async function rig(options: Partial<ConstructorParameters<typeof SerialGpsSource>[0]> = {}) {
  const dir = tempDir('serial')
  cleanup.push(() => dir.remove())
  let pty: Peer & { a: string; b: string } = await startPtyPair(dir.path)
  cleanup.push(() => pty.stop())
  const source = new SerialGpsSource({
    path: pty.b,
    pps: false,
    reopenMs: 100,
    checkMs: 100,
    ...options,
  })
  cleanup.push(() => source.close())
  const samples: TimeSample[] = []
  void (async () => {
    for await (const s of source.samples()) samples.push(s)
  })()
  await waitFor('the port to open', () => (source.status().state === 'running' ? true : undefined))
  let fd = openSync(pty.a, 'w')
  cleanup.push(() => closeSync(fd))
  return {
    dir: dir.path,
    source,
    samples,
    write: (text: string | Buffer) =>
      writeSync(fd, typeof text === 'string' ? Buffer.from(text, 'latin1') : text),
    /** Unplugs: the other end goes away. */
    unplug: async () => {
      await pty.stop()
    },
    /** Plugs back: a new pair at the same paths. */
    replug: async () => {
      pty = await startPtyPair(dir.path)
      cleanup.push(() => pty.stop())
      closeSync(fd)
      fd = openSync(pty.a, 'w')
    },
  }
}

/** One receiver epoch (GGA + RMC) for the second `second` after 2024-05-14T09:41:00Z. */
const epoch = (second: number) => {
  const t = `0941${String(second).padStart(2, '0')}.00`
  return (
    nmeaFrame(`GNGGA,${t},5212.31812,N,00007.30788,E,1,11,0.92,21.4,M,45.8,M,,`) +
    nmeaFrame(`GNRMC,${t},A,5212.31812,N,00007.30788,E,0.025,,140524,,,A`)
  )
}
const epochNs = (second: number) => BigInt(Date.UTC(2024, 4, 14, 9, 41, second)) * 1_000_000n

describe('SerialGpsSource over a socat pseudo-terminal', () => {
  it('turns a receiver log into one sample per second with a fix', async () => {
    const r = await rig()
    const log = readFileSync(
      new URL('../../resources/nmea/mtk3339-adafruit.nmea', import.meta.url),
      'latin1',
    )
    r.write(log.split('\r\n').slice(0, 40).join('\r\n') + '\r\n')
    await waitFor('five samples', () => (r.samples.length >= 5 ? true : undefined))
    expect(r.samples[0].referenceNs).toBe(BigInt(Date.UTC(2025, 1, 28, 13, 5, 55)) * 1_000_000n)
    expect(r.samples[1].referenceNs - r.samples[0].referenceNs).toBe(1_000_000_000n)
    expect(r.samples[0]).toMatchObject({
      stratum: 0,
      refid: 'GPS',
      source: `gps ${r.source.status().id.slice(4)}`,
    })
    const status = r.source.status()
    expect(status.errors).toEqual({})
    expect(status.fix).toMatchObject({ talker: 'GP', quality: 1, satellites: 8, valid: true })
  })

  it('counts garbage, bad checksums and an endless line, and keeps producing samples', async () => {
    const r = await rig()
    r.write(epoch(1))
    await waitFor('a first sample', () => (r.samples.length >= 1 ? true : undefined))
    r.write(Buffer.from([0x00, 0xff, 0x13, 0x24, 0x0a, 0xfe, 0x0d, 0x0a]))
    r.write('$GNGGA,094102.00,5212.3\r\n')
    r.write('$GNRMC,094103.00,A,5212.31812,N,00007.30788,E,0.025,,140524,,,A*00\r\n')
    r.write('x'.repeat(20_000))
    r.write('\r\n' + epoch(4))
    await waitFor('a sample after the garbage', () =>
      r.samples.some((s) => s.referenceNs === epochNs(4)) ? true : undefined,
    )
    const { errors, state } = r.source.status()
    expect(state).toBe('running')
    expect(errors['bad-checksum']).toBe(1)
    expect(errors['no-checksum']).toBe(1)
    expect(errors['too-long']).toBeGreaterThanOrEqual(1)
    expect((errors['no-start'] ?? 0) + (errors['bad-char'] ?? 0)).toBeGreaterThanOrEqual(1)
    expect(r.samples.map((s) => s.referenceNs)).not.toContain(epochNs(3))
  })

  it('reports a device unplugged mid-read, and resumes when it is back', async () => {
    const r = await rig()
    r.write(epoch(1))
    await waitFor('a first sample', () => (r.samples.length >= 1 ? true : undefined))
    r.write(epoch(2).slice(0, 30))
    await r.unplug()
    await waitFor('the source to notice', () =>
      r.source.status().state === 'lost' ? true : undefined,
    )
    expect(r.source.status().errors['device-lost']).toBe(1)
    expect(r.source.status().lastError).toMatch(/ttyB/)
    await r.replug()
    await waitFor('the port to reopen', () =>
      r.source.status().state === 'running' ? true : undefined,
    )
    r.write(epoch(5))
    await waitFor('samples again', () =>
      r.samples.some((s) => s.referenceNs === epochNs(5)) ? true : undefined,
    )
  })

  it('keeps trying a port that does not exist yet, saying why', async () => {
    const dir = tempDir('serial')
    cleanup.push(() => dir.remove())
    const source = new SerialGpsSource({
      path: join(dir.path, 'ttyNONE'),
      pps: false,
      reopenMs: 50,
    })
    cleanup.push(() => source.close())
    await waitFor('two failed opens', () =>
      (source.status().errors['open-failed'] ?? 0) >= 2 ? true : undefined,
    )
    expect(source.status().state).toBe('lost')
    expect(source.status().lastError).toMatch(/ttyNONE/)
  })

  it('times a sample by the PPS edge of the second before the burst', async () => {
    const root = tempDir('pps-root')
    cleanup.push(() => root.remove())
    const ppsDir = join(root.path, 'sys/class/pps/pps0')
    mkdirSync(ppsDir, { recursive: true })
    writeFileSync(join(ppsDir, 'assert'), '0.000000000#0\n')
    const r = await rig({ pps: 'auto', root: root.path })
    expect(r.source.status().pps).toBe('pps0')
    const edge = BigInt(Date.now() - 120) * 1_000_000n + 123n
    writeFileSync(
      join(ppsDir, 'assert'),
      `${edge / 1_000_000_000n}.${String(edge % 1_000_000_000n).padStart(9, '0')}#17\n`,
    )
    r.write(epoch(7))
    await waitFor('a PPS sample', () => r.samples[0])
    expect(r.samples[0]).toMatchObject({
      refid: 'PPS',
      localNs: edge,
      referenceNs: epochNs(7),
      dispersion: 1e-6,
    })
  })
})

describe('port discovery', () => {
  it('scans /dev when serialport cannot list (no udevadm): USB, ACM, UARTs, by-id links', async () => {
    const dir = tempDir('ports')
    cleanup.push(() => dir.remove())
    const root = dir.path
    for (const d of ['dev/serial/by-id', 'sys/class/tty/ttyS0', 'sys/class/tty/ttyS1'])
      mkdirSync(join(root, d), { recursive: true })
    for (const f of ['ttyUSB0', 'ttyACM1', 'ttyS0', 'ttyS1', 'ttyAMA0', 'tty1', 'null'])
      writeFileSync(join(root, 'dev', f), '')
    writeFileSync(join(root, 'sys/class/tty/ttyS0/type'), '4\n')
    writeFileSync(join(root, 'sys/class/tty/ttyS1/type'), '0\n')
    symlinkSync(
      join(root, 'dev/ttyUSB0'),
      join(root, 'dev/serial/by-id/usb-u-blox_GNSS_receiver-if00'),
    )
    const listing = await listPorts(root, () => Promise.reject(new Error('spawn udevadm ENOENT')))
    expect(listing.method).toMatch(
      /^scan of .*\/dev \(serialport list\(\) failed: spawn udevadm ENOENT\)$/,
    )
    expect(listing.ports.map((p) => p.path.slice(root.length))).toEqual([
      '/dev/serial/by-id/usb-u-blox_GNSS_receiver-if00',
      '/dev/ttyACM1',
      '/dev/ttyAMA0',
      '/dev/ttyS0',
      '/dev/ttyUSB0',
    ])
    expect(listing.ports.at(-1)!.description).toBe('same as by-id/usb-u-blox_GNSS_receiver-if00')
  })

  it("uses serialport's own list where it works", async () => {
    const listing = await listPorts('/', async () => [
      { path: '/dev/ttyUSB3', manufacturer: 'u-blox AG' },
    ])
    expect(listing).toEqual({
      method: 'serialport list()',
      ports: [{ path: '/dev/ttyUSB3', description: 'u-blox AG' }],
    })
  })

  it('finds nothing in an empty tree', () => {
    const dir = tempDir('ports')
    cleanup.push(() => dir.remove())
    expect(scanDevices(dir.path)).toEqual([])
  })
})

describe('clocklab gps', () => {
  it('read: prints samples with the fix and the bad input it dropped', async () => {
    const dir = tempDir('gps-cli')
    cleanup.push(() => dir.remove())
    const pty = await startPtyPair(dir.path)
    cleanup.push(() => pty.stop())
    const run = clocklabAsync(['gps', 'read', pty.b, '--count', '2', '--pps', 'none'])
    const fd = openSync(pty.a, 'w')
    cleanup.push(() => closeSync(fd))
    // Feed epochs until the command has read two samples and exited.
    let second = 10
    const feeder = setInterval(() => writeSync(fd, epoch(second++ % 60) + '$GNGGA,bad*00\r\n'), 100)
    cleanup.push(() => clearInterval(feeder))
    const r = await run
    expect(r.code).toBe(0)
    const lines = r.stdout.trim().split('\n')
    expect(lines[0]).toMatch(
      /^2024-05-14T09:41:\d\d\.000000000Z {2}offset [-+]\d+\.\d{6} s {2}GPS {2}GN fix GPS · 11 satellites$/,
    )
    expect(lines[1]).toMatch(/GN fix GPS · 11 satellites/)
    expect(lines[2]).toMatch(/^2 samples; bad input dropped: \{.*"bad-checksum":\d+/)
  })

  it('read --record: the lines from the port go to a new file as they came; an existing one is refused', async () => {
    const dir = tempDir('gps-record')
    cleanup.push(() => dir.remove())
    const pty = await startPtyPair(dir.path)
    cleanup.push(() => pty.stop())
    const file = join(dir.path, 'receiver.nmea')
    const run = clocklabAsync(['gps', 'read', pty.b, '-n', '2', '--pps', 'none', '--record', file])
    const fd = openSync(pty.a, 'w')
    cleanup.push(() => closeSync(fd))
    const sent: string[] = []
    let second = 10
    const feeder = setInterval(() => {
      const lines = epoch(second++ % 60) + '$GNGGA,bad*00\r\n'
      sent.push(lines)
      writeSync(fd, lines)
    }, 100)
    cleanup.push(() => clearInterval(feeder))
    expect((await run).code).toBe(0)
    clearInterval(feeder)
    const recorded = readFileSync(file, 'latin1')
    // Everything recorded is what was sent, CRs and the bad sentence included, in order.
    expect(recorded.length).toBeGreaterThan(0)
    expect(sent.join('')).toContain(recorded.slice(recorded.indexOf('$')))
    expect(recorded).toMatch(/\$GNGGA,bad\*00\r\n/)

    const again = await clocklabAsync(['gps', 'read', pty.b, '-n', '1', '--record', file])
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/--record .*receiver\.nmea: the file exists/)
    expect(readFileSync(file, 'latin1')).toBe(recorded)
  })

  it('ntp serve --gps: a receiver on the serial line makes the server stratum 1, refid GPS', async () => {
    const dir = tempDir('gps-serve')
    cleanup.push(() => dir.remove())
    const pty = await startPtyPair(dir.path)
    cleanup.push(() => pty.stop())
    const port = await freeUdpPort()
    const serve = start(process.execPath, [
      BIN,
      'ntp',
      'serve',
      '--port',
      String(port),
      '--gps',
      pty.b,
      '--pps',
      'none',
    ])
    cleanup.push(() => serve.stop())
    const fd = openSync(pty.a, 'w')
    cleanup.push(() => closeSync(fd))
    // A receiver sending the current second, as a real one does.
    const feeder = setInterval(() => {
      const now = new Date()
      const t = now.toISOString().slice(11, 19).replaceAll(':', '') + '.00'
      const d = now.toISOString().slice(2, 10).split('-').reverse().join('')
      writeSync(fd, nmeaFrame(`GPGGA,${t},4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,`))
      writeSync(fd, nmeaFrame(`GPRMC,${t},A,4807.038,N,01131.000,E,0.1,,${d},,,A`))
    }, 250)
    cleanup.push(() => clearInterval(feeder))
    await waitFor('the server to follow the receiver', () =>
      /stratum 1, refid GPS/.test(serve.output()) ? true : undefined,
    )
    const r = await clocklabAsync(['ntp', 'query', `127.0.0.1:${port}`])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^stratum {10}1$/m)
    expect(r.stdout).toMatch(/^refid {12}GPS$/m)
  })

  it('ports: lists candidates and says how', async () => {
    const r = await clocklabAsync(['gps', 'ports'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^Serial ports \((serialport list\(\)|scan of \/dev)/)
  })
})
