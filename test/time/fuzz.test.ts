// Fuzzing the three parsers of outside input: the NTP codec (with the client's reply checks),
// the NMEA parser (through the serial source's line handler and epoch tracker) and the gpsd
// JSON reader (through the gpsd source's line handler). Half the inputs are random, half are
// mutations of real ones (with the checksum sometimes fixed up, so the field checks behind it
// are reached too). Zero crashes: every bad input must become a typed error, counted, and the
// source must keep working. CLOCKLAB_FUZZ_INPUTS sets the count per parser (default 1,000,000).
import { createSocket } from 'node:dgram'
import { readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { ErrorCounts } from '../../src/time/errors'
import { GpsdSource } from '../../src/time/gps/gpsd'
import { nmeaChecksum, nmeaFrame } from '../../src/time/gps/nmea'
import { SerialGpsSource } from '../../src/time/gps/serial-source'
import { queryNtp } from '../../src/time/ntp/client'
import { decodeNtp, encodeNtp, NtpDecodeError, refidFromAscii } from '../../src/time/ntp/codec'
import { checkReply, NtpReplyError } from '../../src/time/ntp/reply'
import { NtpServer } from '../../src/time/ntp/server'
import { waitFor } from './peers'

const INPUTS = Number(process.env.CLOCKLAB_FUZZ_INPUTS ?? 1_000_000)
const SEED = Number(process.env.CLOCKLAB_FUZZ_SEED ?? 20_240_514)
const summary: string[] = []
afterAll(() =>
  console.log(`fuzz (CLOCKLAB_FUZZ_INPUTS=${INPUTS}, seed ${SEED}):\n  ${summary.join('\n  ')}`),
)

/** xorshift32: fast, seeded, good enough to pick bytes and mutations. */
function prng(seed: number) {
  let x = seed >>> 0 || 1
  const next = () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 4294967296
  }
  return { float: next, int: (n: number) => Math.floor(next() * n) }
}
type Prng = ReturnType<typeof prng>

/** `length` random bytes. */
function randomBytes(r: Prng, length: number): Uint8Array {
  const b = new Uint8Array(length)
  for (let i = 0; i < length; i++) b[i] = r.int(256)
  return b
}

/** `length` random characters from `alphabet`. */
function randomText(r: Prng, length: number, alphabet: string): string {
  let s = ''
  for (let i = 0; i < length; i++) s += alphabet[r.int(alphabet.length)]
  return s
}

function mutateBytes(r: Prng, seed: Uint8Array): Uint8Array {
  let b: Uint8Array = Uint8Array.from(seed)
  const edits = 1 + r.int(4)
  for (let e = 0; e < edits; e++) {
    const at = r.int(b.length + 1)
    switch (r.int(6)) {
      case 0: // flip a bit
        if (b.length) b[at % b.length] ^= 1 << r.int(8)
        break
      case 1: // set a byte to something interesting
        if (b.length) b[at % b.length] = [0, 1, 0x7f, 0x80, 0xff, r.int(256)][r.int(6)]
        break
      case 2: // truncate
        b = b.subarray(0, at)
        break
      case 3: // insert bytes
        b = Buffer.concat([b.subarray(0, at), randomBytes(r, 1 + r.int(24)), b.subarray(at)])
        break
      case 4: // delete bytes
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + r.int(8))])
        break
      default: // duplicate a chunk
        b = Buffer.concat([b, b.subarray(at, at + r.int(64))])
    }
  }
  return b
}

function mutateText(r: Prng, seed: string, alphabet: string): string {
  let s = seed
  const edits = 1 + r.int(3)
  for (let e = 0; e < edits; e++) {
    const at = r.int(s.length + 1)
    const ch = r.float() < 0.9 ? alphabet[r.int(alphabet.length)] : String.fromCharCode(r.int(256))
    switch (r.int(4)) {
      case 0:
        s = s.slice(0, at) + ch + s.slice(at + 1)
        break
      case 1:
        s = s.slice(0, at) + ch + s.slice(at)
        break
      case 2:
        s = s.slice(0, at) + s.slice(at + 1 + r.int(6))
        break
      default:
        s = s.slice(0, at) + s.slice(r.int(s.length + 1))
    }
  }
  return s
}

const format = (counts: ErrorCounts, ok: number) =>
  `${ok.toLocaleString('en')} accepted, ${counts.total.toLocaleString('en')} rejected: ${JSON.stringify(counts.toJSON())}`

describe('fuzzing the NTP codec', () => {
  const header = {
    leap: 0,
    version: 4,
    mode: 4,
    stratum: 2,
    poll: 6,
    precision: -23,
    rootDelay: 0.01,
    rootDispersion: 0.02,
    referenceId: 0xc0000201,
    referenceTimestamp: 0xe9b5f0a100000000n,
    originTimestamp: 0x1122334455667788n,
    receiveTimestamp: 0xe9b5f0a180000000n,
    transmitTimestamp: 0xe9b5f0a180001000n,
  } as const
  const ext = Buffer.from('0104001000000000000000000000000000000000', 'hex').subarray(0, 16)
  const seeds: Uint8Array[] = [
    Buffer.from(
      '230006200000000000000000000000000000000000000000000000000000000000000000000000005a4a864ceff1db7c',
      'hex',
    ),
    encodeNtp(header),
    encodeNtp({ ...header, stratum: 0, referenceId: refidFromAscii('RATE') }),
    encodeNtp({ ...header, leap: 3, stratum: 16 }),
    Buffer.concat([encodeNtp(header), ext, Buffer.alloc(20)]),
    Buffer.concat([encodeNtp({ ...header, version: 3 }), Buffer.alloc(24)]),
  ]

  it(`decodes ${INPUTS.toLocaleString('en')} random and mutated datagrams without a crash`, () => {
    const r = prng(SEED)
    const counts = new ErrorCounts()
    let ok = 0
    for (let i = 0; i < INPUTS; i++) {
      const input =
        i % 2 === 0
          ? randomBytes(r, r.float() < 0.5 ? 48 : r.int(140))
          : mutateBytes(r, seeds[r.int(seeds.length)])
      try {
        const p = decodeNtp(input)
        // What decodes re-encodes to the same header, and the client's checks type their errors.
        if (Buffer.compare(encodeNtp(p), input.subarray(0, 48)) !== 0)
          throw new Error(`re-encoding differs for ${Buffer.from(input).toString('hex')}`)
        checkReply(p, i % 3 === 0 ? header.originTimestamp : p.originTimestamp)
        ok++
      } catch (err) {
        if (!(err instanceof NtpDecodeError || err instanceof NtpReplyError))
          throw new Error(`crash on ${Buffer.from(input).toString('hex')}: ${err}`, { cause: err })
        counts.add(err.code)
      }
    }
    summary.push(`NTP codec: ${format(counts, ok)}`)
    expect(ok + counts.total).toBe(INPUTS)
    expect(ok).toBeGreaterThan(0)
    expect(counts.get('truncated')).toBeGreaterThan(0)
  })

  it('a server flooded with fuzzed datagrams drops the bad, answers the good, and still works', async () => {
    const server = await NtpServer.start({
      port: 0,
      reference: () => ({ ...header, leap: 0, referenceTimestamp: 0n }),
    })
    const socket = createSocket('udp4')
    try {
      const r = prng(SEED + 1)
      const n = Math.min(INPUTS, 20_000)
      for (let i = 0; i < n; i++) {
        const input =
          i % 2 === 0 ? randomBytes(r, r.int(100)) : mutateBytes(r, seeds[r.int(seeds.length)])
        await new Promise((resolve) =>
          socket.send(input, server.address().port, '127.0.0.1', resolve),
        )
        // Let the server read: UDP drops what overflows its socket buffer.
        if (i % 16 === 15) await new Promise((resolve) => setImmediate(resolve))
      }
      // Wait until the server has read what reached it (UDP may drop some on the way).
      let seen = -1
      await waitFor('the server to read its backlog', async () => {
        const now = server.stats().received
        if (now === seen) return true
        seen = now
        await new Promise((resolve) => setTimeout(resolve, 100))
        return undefined
      })
      const m = await queryNtp({ host: '127.0.0.1', port: server.address().port })
      expect(m.stratum).toBe(2)
      const stats = server.stats()
      summary.push(
        `NTP server: ${stats.received.toLocaleString('en')} datagrams, answered ${stats.answered}, dropped ${JSON.stringify(stats.dropped)}`,
      )
      expect(stats.received).toBeGreaterThan(n / 2)
      expect(stats.answered + Object.values(stats.dropped).reduce((a, b) => a + b, 0)).toBe(
        stats.received,
      )
    } finally {
      socket.close()
      await server.close()
    }
  })
})

describe('fuzzing the NMEA parser through the serial source', () => {
  const log = (name: string) =>
    readFileSync(new URL(`../../resources/nmea/${name}`, import.meta.url), 'latin1')
      .split('\r\n')
      .filter(Boolean)
  const seeds = [
    'ublox-neo-m8n.nmea',
    'sirf-star4-bu353.nmea',
    'mtk3339-adafruit.nmea',
    'garmin-18x-lvc.nmea',
  ].flatMap(log)
  const alphabet = '$*,.-0123456789ABCDEFGNPRMCZDAVSWEN\r\n '

  it(`handles ${INPUTS.toLocaleString('en')} random and mutated lines without a crash`, async () => {
    const source = new SerialGpsSource({
      path: '/nonexistent/clocklab-fuzz',
      pps: false,
      reopenMs: 1e6,
    })
    try {
      const r = prng(SEED + 2)
      for (let i = 0; i < INPUTS; i++) {
        let line: string
        if (i % 2 === 0) line = randomText(r, r.int(90), alphabet)
        else {
          line = mutateText(r, seeds[r.int(seeds.length)], alphabet)
          // Half the mutants get a valid checksum, so the field checks are reached.
          const star = line.lastIndexOf('*')
          if (r.float() < 0.5 && line.startsWith('$') && star > 0)
            line = `${line.slice(0, star + 1)}${nmeaChecksum(line.slice(1, star))}`
        }
        source.handleLine(line)
      }
      const status = source.status()
      summary.push(
        `NMEA parser: ${INPUTS.toLocaleString('en')} lines, ${status.samples.toLocaleString('en')} samples, rejected ${JSON.stringify(status.errors)}`,
      )
      expect(status.lines).toBe(INPUTS)
      expect(status.errors['bad-checksum']).toBeGreaterThan(0)
      expect(status.errors['bad-field']).toBeGreaterThan(0)
      // It still works: a clean epoch after all that gives a sample.
      const before = status.samples
      source.handleLine(
        nmeaFrame('GPGGA,235959.50,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,'),
      )
      source.handleLine(nmeaFrame('GPRMC,235959.50,A,4807.038,N,01131.000,E,0.1,,010130,,,A'))
      expect(source.status().samples).toBe(before + 1)
    } finally {
      await source.close()
    }
  })
})

describe('fuzzing the gpsd JSON reader through the gpsd source', () => {
  const seeds = [
    { class: 'VERSION', release: '3.22', rev: '3.22', proto_major: 3, proto_minor: 14 },
    { class: 'DEVICES', devices: [{ class: 'DEVICE', path: '/dev/pts/1', driver: 'NMEA0183' }] },
    { class: 'DEVICE', path: '/dev/pts/1', activated: '2024-05-14T09:41:10.000Z' },
    { class: 'WATCH', enable: true, json: true, pps: true },
    {
      class: 'TPV',
      device: '/dev/pts/1',
      mode: 3,
      time: '2024-05-14T09:41:10.000Z',
      ept: 0.005,
      lat: 52.2,
      lon: 0.12,
    },
    {
      class: 'SKY',
      device: '/dev/pts/1',
      satellites: [
        { PRN: 2, used: true },
        { PRN: 5, used: false },
      ],
    },
    {
      class: 'TOFF',
      device: '/dev/pts/1',
      real_sec: 1715679671,
      real_nsec: 0,
      clock_sec: 1715679671,
      clock_nsec: 130000000,
    },
    {
      class: 'PPS',
      device: '/dev/pps0',
      real_sec: 1715679672,
      real_nsec: 0,
      clock_sec: 1715679671,
      clock_nsec: 999999000,
      precision: -20,
    },
    { class: 'ERROR', message: 'Unrecognized request' },
  ]
  const values = [
    null,
    true,
    false,
    0,
    -1,
    1.5,
    1e300,
    2 ** 53,
    '',
    'x',
    '2024-13-01T00:00:00Z',
    [],
    [1],
    {},
    { used: 1 },
    'TPV',
    'PPS',
  ]

  function mutateJson(r: Prng): string {
    const o: Record<string, unknown> = structuredClone(seeds[r.int(seeds.length)])
    const keys = Object.keys(o)
    switch (r.int(4)) {
      case 0:
        o[keys[r.int(keys.length)]] = values[r.int(values.length)]
        break
      case 1:
        delete o[keys[r.int(keys.length)]]
        break
      case 2:
        o.class = ['TPV', 'PPS', 'TOFF', 'SKY', 'VERSION', 'DEVICES', 'WATCH', 'ERROR', 'NEW'][
          r.int(9)
        ]
        break
      default:
        return mutateText(r, JSON.stringify(o), '{}[]":,0123456789.-eE truefalsn')
    }
    return JSON.stringify(o)
  }

  it(`handles ${INPUTS.toLocaleString('en')} random and mutated reports without a crash`, async () => {
    const source = new GpsdSource({ port: 1, reconnectMs: 1e6 })
    try {
      const r = prng(SEED + 3)
      const alphabet = '{}[]":,0123456789.-eEtruefalsnclassTPVPPS '
      for (let i = 0; i < INPUTS; i++)
        source.handleLine(i % 2 === 0 ? randomText(r, r.int(80), alphabet) : mutateJson(r))
      const status = source.status()
      const rejected = Object.entries(status.errors)
        .filter(([code]) => !code.startsWith('connect'))
        .reduce((n, [, c]) => n + c, 0)
      summary.push(
        `gpsd reader: ${INPUTS.toLocaleString('en')} lines, ${status.samples.toLocaleString('en')} samples, rejected ${rejected.toLocaleString('en')}: ${JSON.stringify(status.errors)}`,
      )
      expect(status.errors['not-json']).toBeGreaterThan(0)
      expect(status.errors['bad-field']).toBeGreaterThan(0)
      const before = status.samples
      source.handleLine(JSON.stringify(seeds.find((o) => o.class === 'PPS')))
      expect(source.status().samples).toBe(before + 1)
    } finally {
      await source.close()
    }
  })
})
