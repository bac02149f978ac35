// gpsd as a time source: its JSON reports checked field by field, a fake gpsd over TCP that
// mixes garbage with good reports (counted, skipped, samples keep coming), and the real gpsd
// fed by gpsfake from a shipped receiver log: VERSION, DEVICES, TOFF/TPV samples carrying the
// log's times, and a reconnect after gpsd goes away and comes back on the same port.
import { createServer, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { GpsdSource } from '../../src/time/gps/gpsd'
import { GpsdError, parseGpsdMessage, parseGpsdTime } from '../../src/time/gps/gpsd-protocol'
import type { TimeSample } from '../../src/time/source'
import { freeTcpPort, startGpsfake, waitFor } from './peers'

const cleanup: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})

const codeOf = (line: string): string => {
  try {
    parseGpsdMessage(line)
    return 'ok'
  } catch (err) {
    expect(err).toBeInstanceOf(GpsdError)
    return (err as GpsdError).code
  }
}

describe('parseGpsdMessage', () => {
  it('reads VERSION, DEVICES, WATCH, SKY and ERROR', () => {
    expect(
      parseGpsdMessage(
        '{"class":"VERSION","release":"3.22","rev":"3.22","proto_major":3,"proto_minor":14}',
      ),
    ).toEqual({
      class: 'VERSION',
      release: '3.22',
      protoMajor: 3,
      protoMinor: 14,
    })
    expect(
      parseGpsdMessage('{"class":"DEVICES","devices":[{"class":"DEVICE","path":"/dev/pts/1"}]}'),
    ).toEqual({
      class: 'DEVICES',
      devices: ['/dev/pts/1'],
    })
    expect(parseGpsdMessage('{"class":"WATCH","enable":true,"json":true}')).toEqual({
      class: 'WATCH',
      enable: true,
    })
    expect(
      parseGpsdMessage(
        '{"class":"SKY","satellites":[{"PRN":2,"used":true},{"PRN":5,"used":false},{"PRN":9,"used":true}]}',
      ),
    ).toEqual({ class: 'SKY', seen: 3, used: 2 })
    expect(parseGpsdMessage('{"class":"SKY","nSat":12,"uSat":9}')).toEqual({
      class: 'SKY',
      seen: 12,
      used: 9,
    })
    expect(parseGpsdMessage('{"class":"ERROR","message":"Unrecognized request"}')).toEqual({
      class: 'ERROR',
      message: 'Unrecognized request',
    })
    expect(parseGpsdMessage('{"class":"ATT","heading":1}')).toEqual({ class: 'other', name: 'ATT' })
  })

  it('reads TPV time to the nanosecond, and PPS/TOFF edges', () => {
    expect(
      parseGpsdMessage(
        '{"class":"TPV","device":"/dev/pts/1","mode":3,"time":"2024-05-14T09:41:10.123456789Z","ept":0.005,"lat":52.2,"lon":0.12}',
      ),
    ).toEqual({
      class: 'TPV',
      device: '/dev/pts/1',
      mode: 3,
      timeNs: BigInt(Date.UTC(2024, 4, 14, 9, 41, 10)) * 1_000_000n + 123_456_789n,
      ept: 0.005,
      lat: 52.2,
      lon: 0.12,
    })
    expect(
      parseGpsdMessage(
        '{"class":"PPS","device":"/dev/pps0","real_sec":1715679670,"real_nsec":0,"clock_sec":1715679669,"clock_nsec":999998000,"precision":-20}',
      ),
    ).toEqual({
      class: 'PPS',
      device: '/dev/pps0',
      realNs: 1715679670_000000000n,
      clockNs: 1715679669_999998000n,
      precision: -20,
    })
    expect(parseGpsdTime('2024-02-29T23:59:60Z')).toBe(BigInt(Date.UTC(2024, 2, 1)) * 1_000_000n)
  })

  it('rejects malformed reports, each with its code', () => {
    const cases: [string, string][] = [
      ['not json', 'not-json'],
      ['{"class":"TPV"', 'not-json'],
      ['[1,2]', 'not-object'],
      ['null', 'not-object'],
      ['"TPV"', 'not-object'],
      ['{"mode":3}', 'no-class'],
      ['{"class":7}', 'no-class'],
      ['{"class":"TPV"}', 'bad-field'],
      ['{"class":"TPV","mode":4}', 'bad-field'],
      ['{"class":"TPV","mode":"3"}', 'bad-field'],
      ['{"class":"TPV","mode":3,"time":"yesterday"}', 'bad-field'],
      ['{"class":"TPV","mode":3,"time":"2024-02-30T00:00:00Z"}', 'bad-field'],
      ['{"class":"TPV","mode":3,"lat":"north"}', 'bad-field'],
      [
        '{"class":"PPS","real_sec":1,"real_nsec":1000000000,"clock_sec":1,"clock_nsec":0}',
        'bad-field',
      ],
      ['{"class":"TOFF","real_sec":-1,"real_nsec":0,"clock_sec":1,"clock_nsec":0}', 'bad-field'],
      ['{"class":"TOFF","real_sec":1.5,"real_nsec":0,"clock_sec":1,"clock_nsec":0}', 'bad-field'],
      ['{"class":"SKY","satellites":[1]}', 'bad-field'],
      ['{"class":"DEVICES","devices":[{}]}', 'bad-field'],
      ['{"class":"VERSION","release":3}', 'bad-field'],
      ['{"class":"DEVICE"}', 'bad-field'],
      [`{"class":"SKY","pad":"${'x'.repeat(20000)}"}`, 'too-long'],
    ]
    for (const [line, code] of cases) expect(codeOf(line), line.slice(0, 60)).toBe(code)
  })
})

/** A fake gpsd: answers WATCH with what `script` writes to the connection. */
async function fakeGpsd(script: (socket: Socket) => void): Promise<number> {
  const server = createServer((socket) => {
    socket.on('error', () => {})
    socket.once('data', (d) => {
      expect(String(d)).toMatch(/^\?WATCH=\{"enable":true,"json":true,"pps":true\};\n$/)
      script(socket)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanup.push(() => new Promise((resolve) => server.close(resolve)))
  const address = server.address()
  return typeof address === 'object' && address !== null ? address.port : 0
}

function collect(source: GpsdSource): TimeSample[] {
  const samples: TimeSample[] = []
  void (async () => {
    for await (const s of source.samples()) samples.push(s)
  })()
  return samples
}

describe('GpsdSource against a fake gpsd', () => {
  it('counts garbage between good reports and still yields samples, best timing first', async () => {
    const port = await fakeGpsd((s) => {
      s.write(
        '{"class":"VERSION","release":"3.22","rev":"3.22","proto_major":3,"proto_minor":14}\n',
      )
      s.write('garbage\n{"class":"TPV","mode":9}\n\x00\xff\n')
      s.write('{"class":"TPV","mode":3,"time":"2024-05-14T09:41:10.000Z"}\n')
      s.write(
        '{"class":"TOFF","real_sec":1715679671,"real_nsec":0,"clock_sec":1715679671,"clock_nsec":130000000}\n',
      )
      // With TOFF reports coming, TPV reports are not used for timing.
      s.write('{"class":"TPV","mode":3,"time":"2024-05-14T09:41:11.000Z"}\n')
      s.write(`{"class":"SKY","pad":"${'x'.repeat(40_000)}"}\n`)
      s.write(
        '{"class":"PPS","real_sec":1715679672,"real_nsec":0,"clock_sec":1715679671,"clock_nsec":999999000,"precision":-20}\n',
      )
      s.write('{"class":"SKY","uSat":9,"nSat":14}\n{"class":"ERROR","message":"oops"}\n')
    })
    const source = new GpsdSource({ port, tpvLatencyMs: 100 })
    cleanup.push(() => source.close())
    const samples = collect(source)
    await waitFor('three samples', () =>
      samples.length >= 3 && source.status().satellites ? true : undefined,
    )
    expect(samples.map((s) => [s.refid, s.source.replace(/.*\(/, '(')])).toEqual([
      ['GPS', '(TPV)'],
      ['GPS', '(TOFF)'],
      ['PPS', '(PPS)'],
    ])
    expect(samples[1].offset).toBeCloseTo(-0.13, 9)
    expect(samples[2]).toMatchObject({
      offset: 1e-6,
      dispersion: 2 ** -20,
      localNs: 1715679671_999999000n,
    })
    const status = source.status()
    expect(status).toMatchObject({
      state: 'running',
      release: '3.22',
      satellites: { seen: 14, used: 9 },
      timing: 'PPS',
      samples: 3,
    })
    expect(status.errors).toEqual({ 'not-json': 2, 'bad-field': 1, 'too-long': 1, 'gpsd-error': 1 })
  })
})

describe('GpsdSource against gpsd fed by gpsfake', () => {
  const log = new URL('../../resources/nmea/garmin-18x-lvc.nmea', import.meta.url).pathname
  const logStart = BigInt(Date.UTC(2024, 11, 31, 23, 59, 1)) * 1_000_000n

  it("reads gpsd's VERSION and DEVICES and turns its reports into samples of the log's times", async () => {
    const port = await freeTcpPort()
    const gpsfake = startGpsfake(log, port)
    cleanup.push(() => gpsfake.stop())
    const source = new GpsdSource({ port, reconnectMs: 200 })
    cleanup.push(() => source.close())
    const samples = collect(source)
    await waitFor(
      'four samples from gpsd, and its device',
      () => (samples.length >= 4 && source.status().devices.length > 0 ? true : undefined),
      30_000,
    )
    const status = source.status()
    expect(status.release).toMatch(/^3\./)
    expect(status.devices).toHaveLength(1)
    expect(status.mode).toBe(3)
    expect(status.errors).not.toHaveProperty('not-json')
    for (const s of samples) {
      expect(s.stratum).toBe(0)
      expect(s.referenceNs >= logStart && s.referenceNs < logStart + 60n * 1_000_000_000n).toBe(
        true,
      )
      expect(s.referenceNs % 1_000_000_000n).toBe(0n)
    }
  })

  it('reconnects when gpsd goes away and comes back on the same port', async () => {
    const port = await freeTcpPort()
    let gpsfake = startGpsfake(log, port)
    cleanup.push(() => gpsfake.stop())
    const source = new GpsdSource({ port, reconnectMs: 200 })
    cleanup.push(() => source.close())
    const samples = collect(source)
    await waitFor('a first sample', () => (samples.length >= 1 ? true : undefined), 30_000)
    await gpsfake.stop()
    await waitFor('the loss to show', () =>
      source.status().state !== 'running' ? true : undefined,
    )
    expect(source.status().errors['connection-lost']).toBe(1)
    const before = samples.length
    gpsfake = startGpsfake(log, port)
    await waitFor('samples again', () => (samples.length > before ? true : undefined), 30_000)
    expect(source.status().state).toBe('running')
  })
})
