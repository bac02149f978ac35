// The kernel's discipline state decoded from struct timex (units, status bits, loop mode),
// read for real (read-only), and the monotonic-vs-raw rate from bracketed readings.
import { describe, expect, it } from 'vitest'
import { Clocks } from '../../src/time/clocks'
import {
  decodeTimex,
  measureMonotonicRate,
  pairMonotonicRaw,
  rateBetween,
  readKernelState,
  STATUS_BITS,
} from '../../src/time/kernel'
import { loadPlatformTime, type RawTimex } from '../../src/time/native/index'

const raw = (over: Partial<RawTimex>): RawTimex => ({
  state: 0,
  offset: 0,
  freq: 0,
  maxerror: 0,
  esterror: 0,
  status: 0,
  constant: 2,
  precision: 1,
  tolerance: 32768000,
  tick: 10000,
  tai: 0,
  ...over,
})

describe('decodeTimex', () => {
  it('turns scaled ppm into ppm and microsecond offsets into ns', () => {
    const k = decodeTimex(raw({ freq: -1234567, offset: 250, status: 0x0001 }))
    expect(k.freqPpm).toBeCloseTo(-1234567 / 65536, 12)
    expect(k.offsetNs).toBe(250_000)
    expect(k.tolerancePpm).toBe(500)
    expect(k.loop).toBe('PLL')
    expect(k.synchronized).toBe(true)
  })

  it('reads offsets as ns when STA_NANO is set, and FLL mode from STA_FLL', () => {
    const k = decodeTimex(raw({ offset: 250, status: 0x2000 | 0x0008 | 0x0001 }))
    expect(k.offsetNs).toBe(250)
    expect(k.loop).toBe('FLL')
    expect(k.flags).toEqual(['PLL', 'FLL', 'NANO'])
  })

  it('names every status bit and the clock state, and knows unsynchronized', () => {
    const all = decodeTimex(raw({ status: 0xffff, state: 5 }))
    expect(all.flags).toEqual(STATUS_BITS.map(([, name]) => name))
    expect(all.state).toBe('TIME_ERROR')
    expect(all.synchronized).toBe(false)
    expect(decodeTimex(raw({ status: 0x40 })).synchronized).toBe(false)
    expect(decodeTimex(raw({ tai: 37 })).taiOffset).toBe(37)
  })
})

describe('the kernel state of this machine, read-only', () => {
  it('decodes what adjtimex(modes = 0) returns, consistently', () => {
    const clocks = new Clocks(loadPlatformTime('linux', {}))
    const k = readKernelState(clocks)
    if (!k.ok) throw new Error(k.reason)
    expect(k.value.state).toMatch(/^TIME_(OK|INS|DEL|OOP|WAIT|ERROR)$/)
    expect(k.value.synchronized).toBe(
      !k.value.flags.includes('UNSYNC') && k.value.state !== 'TIME_ERROR',
    )
    expect(Math.abs(k.value.freqPpm)).toBeLessThanOrEqual(k.value.tolerancePpm)
  })

  it('says why it is unavailable without the native binding', () => {
    const k = readKernelState(new Clocks(loadPlatformTime('linux', { CLOCKLAB_NATIVE: 'off' })))
    expect(k).toEqual({ ok: false, reason: 'needs a native binding (CLOCKLAB_NATIVE=off)' })
  })
})

describe('monotonic against monotonic raw', () => {
  it('computes the rate and its uncertainty from two bracketed pairs', () => {
    // Monotonic gained 50 µs over 1 s of raw time: +50 ppm; brackets of 200 ns each.
    const r = rateBetween(
      { mono: 0, raw: 0, width: 200 },
      { mono: 1_000_050_000, raw: 1e9, width: 200 },
    )
    expect(r.ppm).toBeCloseTo(50, 6)
    expect(r.uncertaintyPpm).toBeCloseTo(0.2, 9)
    expect(r.windowNs).toBe(1e9)
  })

  it('keeps the tightest of many MONO, RAW, MONO brackets', () => {
    const clocks = new Clocks(loadPlatformTime('linux', {}))
    const one = pairMonotonicRaw(clocks, 1)
    const best = pairMonotonicRaw(clocks, 500)
    expect(best.width).toBeGreaterThan(0)
    expect(best.width).toBeLessThanOrEqual(Math.max(one.width, best.width))
  })

  it('measures the live slew within what a kernel can apply (±500 ppm + tolerance)', async () => {
    const r = await measureMonotonicRate(100, new Clocks(loadPlatformTime('linux', {})))
    expect(Math.abs(r.ppm)).toBeLessThan(1000)
    expect(r.uncertaintyPpm).toBeGreaterThan(0)
    expect(r.windowNs).toBeGreaterThan(90e6)
  })
})
