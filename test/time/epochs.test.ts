// From sentences to samples: one per second with a fix, the first sentence's arrival minus
// the latency offset as local time, and a kernel PPS edge (read from a fake sysfs tree) as
// local time when one came in the second before the burst.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { EpochTracker } from '../../src/time/gps/epochs'
import { nmeaFrame, parseNmea } from '../../src/time/gps/nmea'
import { listPpsDevices, readPpsAssert } from '../../src/time/gps/pps'
import { tempDir } from './peers'

const S = 1_000_000_000n
const T = BigInt(Date.UTC(2024, 4, 14, 9, 41, 10)) * 1_000_000n
const rmc = (time: string, status = 'A') =>
  parseNmea(nmeaFrame(`GPRMC,${time},${status},4807.038,N,01131.000,E,0.1,,140524,,,A`))
const gga = (time: string, quality = 1) =>
  parseNmea(nmeaFrame(`GPGGA,${time},4807.038,N,01131.000,E,${quality},08,0.9,545.4,M,46.9,M,,`))
const zda = (time: string) => parseNmea(nmeaFrame(`GPZDA,${time},14,05,2024,00,00`))

describe('EpochTracker', () => {
  it('takes local time from the first sentence of the burst, minus the latency', () => {
    const t = new EpochTracker({ source: 'gps', latencyNs: 100_000_000n })
    expect(
      t.accept(gga('094110.00'), { realtimeNs: T + 130_000_000n, rawNs: 5n * S }),
    ).toBeUndefined()
    const s = t.accept(rmc('094110.00'), { realtimeNs: T + 150_000_000n })!
    expect(s.referenceNs).toBe(T)
    expect(s.localNs).toBe(T + 30_000_000n)
    expect(s.localRawNs).toBe(5n * S - 100_000_000n)
    expect(s.offset).toBeCloseTo(-0.03, 9)
    expect(s).toMatchObject({ stratum: 0, refid: 'GPS', delay: 0, dispersion: 0.05, leap: 0 })
    expect(t.fix).toEqual({ talker: 'GP', quality: 1, satellites: 8, valid: true })
  })

  it('gives one sample per epoch, dated by ZDA as well as RMC', () => {
    const t = new EpochTracker({ source: 'gps' })
    const out = [
      t.accept(gga('094110.00'), { realtimeNs: T }),
      t.accept(zda('094110.00'), { realtimeNs: T }),
      t.accept(rmc('094110.00'), { realtimeNs: T }),
      t.accept(gga('094111.00'), { realtimeNs: T + S }),
      t.accept(rmc('094111.00'), { realtimeNs: T + S }),
    ]
    expect(out.map((s) => s?.referenceNs)).toEqual([undefined, T, undefined, undefined, T + S])
  })

  it('yields nothing for an epoch without a fix, and counts it', () => {
    const t = new EpochTracker({ source: 'gps' })
    expect(t.accept(rmc('094110.00', 'V'), { realtimeNs: T })).toBeUndefined()
    expect(t.accept(gga('094111.00', 0), { realtimeNs: T + S })).toBeUndefined()
    expect(t.accept(zda('094111.00'), { realtimeNs: T + S })).toBeUndefined()
    expect(t.noFix).toBe(2)
  })

  it('uses a PPS edge from the second before the burst, once', () => {
    const t = new EpochTracker({ source: 'gps' })
    const edge = { localNs: T + 2_000n, sequence: 7 }
    t.accept(gga('094110.00'), { realtimeNs: T + 140_000_000n, rawNs: S })
    const s = t.accept(rmc('094110.00'), { realtimeNs: T + 150_000_000n }, edge)!
    expect(s).toMatchObject({ refid: 'PPS', localNs: T + 2_000n, dispersion: 1e-6 })
    expect(s.localRawNs).toBe(S - 140_000_000n + 2_000n)
    expect(s.offset).toBeCloseTo(-2e-6, 12)
    // The same edge again (the pulse stopped): back to NMEA timing.
    t.accept(gga('094111.00'), { realtimeNs: T + S + 140_000_000n })
    expect(t.accept(rmc('094111.00'), { realtimeNs: T + S + 150_000_000n }, edge)!.refid).toBe(
      'GPS',
    )
  })

  it('ignores an edge that is not in the second before the burst', () => {
    const t = new EpochTracker({ source: 'gps' })
    t.accept(gga('094110.00'), { realtimeNs: T + 140_000_000n })
    const late = { localNs: T + 200_000_000n, sequence: 1 }
    expect(t.accept(rmc('094110.00'), { realtimeNs: T + 150_000_000n }, late)!.refid).toBe('GPS')
  })
})

describe('PPS devices in sysfs', () => {
  let dir: ReturnType<typeof tempDir> | undefined
  afterEach(() => dir?.remove())

  it('lists ppsN devices and reads the last assert edge and its sequence', () => {
    dir = tempDir('pps')
    for (const [name, assert] of [
      ['pps0', '1715679670.000001234#42\n'],
      ['pps1', '0.000000000#0\n'],
      ['pps10', 'garbage\n'],
    ]) {
      mkdirSync(join(dir.path, 'sys/class/pps', name), { recursive: true })
      writeFileSync(join(dir.path, 'sys/class/pps', name, 'assert'), assert)
    }
    expect(listPpsDevices(dir.path)).toEqual(['pps0', 'pps1', 'pps10'])
    expect(readPpsAssert('pps0', dir.path)).toEqual({
      localNs: 1715679670_000001234n,
      sequence: 42,
    })
    expect(readPpsAssert('pps1', dir.path)).toBeUndefined()
    expect(readPpsAssert('pps10', dir.path)).toBeUndefined()
    expect(readPpsAssert('pps7', dir.path)).toBeUndefined()
  })

  it('finds none where there is no /sys/class/pps (this machine: empty)', () => {
    dir = tempDir('pps')
    expect(listPpsDevices(dir.path)).toEqual([])
  })
})
