// NMEA 0183: framing and checksums, RMC/ZDA/GGA fields with fix quality and satellites,
// every malformed input as an NmeaError with its code, and the shipped receiver logs.
import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { EpochTracker } from '../../src/time/gps/epochs'
import { nmeaChecksum, nmeaFrame, NmeaError, parseNmea, utcNs } from '../../src/time/gps/nmea'

const LOGS = new URL('../../resources/nmea/', import.meta.url)

const codeOf = (line: string): string => {
  try {
    parseNmea(line)
    return 'ok'
  } catch (err) {
    expect(err).toBeInstanceOf(NmeaError)
    return (err as NmeaError).code
  }
}

describe('parseNmea', () => {
  it('computes the checksum as the XOR between $ and *', () => {
    // The textbook example from the NMEA 0183 standard.
    expect(nmeaChecksum('GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,')).toBe('47')
    expect(nmeaFrame('GPZDA,201530.00,04,07,2002,00,00')).toBe(
      '$GPZDA,201530.00,04,07,2002,00,00*60\r\n',
    )
  })

  it('reads RMC: time, status, date, position, speed, course, mode', () => {
    const s = parseNmea('$GNRMC,094110.00,A,5212.31812,N,00007.30788,E,0.025,,140524,,,A*6C')
    expect(s).toEqual({
      type: 'RMC',
      talker: 'GN',
      time: { hour: 9, minute: 41, second: 10, nanos: 0 },
      valid: true,
      date: { year: 2024, month: 5, day: 14 },
      latitude: expect.closeTo(52.205302, 6),
      longitude: expect.closeTo(0.121798, 6),
      speedKnots: 0.025,
      courseDegrees: null,
      mode: 'A',
    })
  })

  it('reads GGA: fix quality and satellites, south and west as negative', () => {
    const s = parseNmea(
      nmeaFrame('GPGGA,130555.250,3351.4080,S,15112.9180,E,2,08,0.94,38.6,M,22.0,M,0.8,0000'),
    )
    expect(s).toMatchObject({
      type: 'GGA',
      talker: 'GP',
      time: { hour: 13, minute: 5, second: 55, nanos: 250_000_000 },
      quality: 2,
      satellites: 8,
      hdop: 0.94,
      altitudeMeters: 38.6,
    })
    expect(s.type === 'GGA' && s.latitude).toBeCloseTo(-33.8568, 4)
    const noFix = parseNmea(nmeaFrame('GNGGA,094107.00,,,,,0,00,99.99,,,,,,'))
    expect(noFix).toMatchObject({ quality: 0, satellites: 0, latitude: null, longitude: null })
  })

  it('reads ZDA with a four-digit year, and sentences without a fix', () => {
    expect(parseNmea(nmeaFrame('GPZDA,235959.50,31,12,2024,00,00'))).toMatchObject({
      type: 'ZDA',
      time: { hour: 23, minute: 59, second: 59, nanos: 500_000_000 },
      date: { year: 2024, month: 12, day: 31 },
      zoneHours: 0,
    })
    expect(parseNmea(nmeaFrame('GNRMC,094107.00,V,,,,,,,140524,,,N'))).toMatchObject({
      valid: false,
      latitude: null,
    })
    expect(parseNmea(nmeaFrame('GPZDA,,,,,,'))).toMatchObject({ time: null, date: null })
  })

  it('passes other and proprietary sentences over, by name', () => {
    expect(parseNmea(nmeaFrame('GPGSV,3,1,09,02,62,118,40'))).toEqual({
      type: 'other',
      talker: 'GP',
      formatter: 'GSV',
    })
    expect(parseNmea(nmeaFrame('PGRME,2.9,M,4.1,M,5.0,M'))).toEqual({
      type: 'other',
      talker: 'P',
      formatter: 'PGRME',
    })
  })

  it('accepts a lowercase checksum and a leap second, and the date of 2000-02-29', () => {
    expect(
      codeOf(
        nmeaFrame('GPZDA,235960.00,29,02,2000,00,00').toLowerCase().replace('$gpzda', '$GPZDA'),
      ),
    ).toBe('ok')
  })

  it('rejects malformed input, each with its code', () => {
    const cases: [string, string][] = [
      ['', 'empty'],
      ['\r\n', 'empty'],
      ['GPGGA,123519*47', 'no-start'],
      ['$GPGGA,123519,\x01*47', 'bad-char'],
      ['$GPGGA,12$3519*47', 'bad-char'],
      ['$GPGGA,123519', 'no-checksum'],
      ['$GPGGA,123519*4', 'no-checksum'],
      ['$GPGGA,123519*ZZ', 'no-checksum'],
      ['$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*48', 'bad-checksum'],
      [nmeaFrame('G1RMC,1'), 'bad-address'],
      [nmeaFrame('GPRM'), 'bad-address'],
      [nmeaFrame('GPRMC,123519,A'), 'missing-fields'],
      [nmeaFrame('GPRMC,246000,A,,,,,,,010124,,'), 'bad-field'],
      [nmeaFrame('GPRMC,123519,X,,,,,,,010124,,'), 'bad-field'],
      [nmeaFrame('GPRMC,123519,A,,,,,,,310224,,'), 'bad-field'],
      [nmeaFrame('GPRMC,123519,A,9107.038,N,01131.000,E,,,010124,,'), 'bad-field'],
      [nmeaFrame('GPRMC,123519,A,4807.038,Q,01131.000,E,,,010124,,'), 'bad-field'],
      [nmeaFrame('GPRMC,123519,A,4860.000,N,01131.000,E,,,010124,,'), 'bad-field'],
      [nmeaFrame('GPRMC,123519,A,,,,,-1,,010124,,'), 'bad-field'],
      [nmeaFrame('GPGGA,123519,,,,,9,08,,,,,,,'), 'bad-field'],
      [nmeaFrame('GPGGA,123519,,,,,,08,,,,,,,'), 'bad-field'],
      [nmeaFrame('GPGGA,123519,,,,,1,1e3,,,,,,,'), 'bad-field'],
      [nmeaFrame('GPZDA,123519,32,01,2024,,'), 'bad-field'],
      [nmeaFrame('GPZDA,123519,01,01,24,,'), 'bad-field'],
      [nmeaFrame('GPZDA,123519,,01,2024,,'), 'bad-field'],
      [`$${'GPGSV,'.padEnd(90, '1')}*00`, 'too-long'],
    ]
    for (const [line, code] of cases) expect(codeOf(line), JSON.stringify(line)).toBe(code)
  })

  it('turns a date and time into Unix ns', () => {
    expect(
      utcNs({ year: 2024, month: 5, day: 14 }, { hour: 9, minute: 41, second: 10, nanos: 5 }),
    ).toBe(BigInt(Date.UTC(2024, 4, 14, 9, 41, 10)) * 1_000_000n + 5n)
  })
})

describe('the shipped receiver logs', () => {
  const logs = readdirSync(LOGS).filter((f) => f.endsWith('.nmea'))

  it('has logs of four receivers with GP and GN talkers', () => {
    expect(logs).toHaveLength(4)
    const talkers = new Set(
      logs.flatMap((f) => readFileSync(new URL(f, LOGS), 'latin1').match(/^\$(G[NP])/gm) ?? []),
    )
    expect(talkers).toEqual(new Set(['$GN', '$GP']))
  })

  for (const [file, samples, noFix, first, talker] of [
    ['ublox-neo-m8n.nmea', 57, 3, '2024-05-14T09:41:10.000Z', 'GN'],
    ['sirf-star4-bu353.nmea', 55, 5, '2023-11-02T23:59:35.000Z', 'GP'],
    ['mtk3339-adafruit.nmea', 60, 0, '2025-02-28T13:05:55.000Z', 'GP'],
    ['garmin-18x-lvc.nmea', 60, 0, '2024-12-31T23:59:01.000Z', 'GP'],
  ] as const)
    it(`${file}: every line parses, one sample per second with a fix`, () => {
      const tracker = new EpochTracker({ source: file })
      const times: bigint[] = []
      for (const line of readFileSync(new URL(file, LOGS), 'latin1').split('\n')) {
        if (line === '') continue
        const sample = tracker.accept(parseNmea(line), { realtimeNs: 0n })
        if (sample) times.push(sample.referenceNs)
      }
      expect(times).toHaveLength(samples)
      expect(tracker.noFix).toBe(noFix)
      expect(new Date(Number(times[0] / 1_000_000n)).toISOString()).toBe(first)
      for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBe(1_000_000_000n)
      expect(tracker.fix.talker).toBe(talker)
    })
})
