// The local clocks through the native binding (Linux here) and the plain-Node fallback: every
// clock reads in nanoseconds or says why it cannot; the adjtimex binding is read-only by
// construction (it takes no arguments and never changes the kernel's state).
import { describe, expect, it } from 'vitest'
import { Clocks, CLOCK_IDS, ClockUnavailableError } from '../../src/time/clocks'
import { loadPlatformTime } from '../../src/time/native/index'
import * as linuxBinding from '../../src/time/native/linux'

const native = new Clocks(loadPlatformTime('linux', {}))
const fallback = new Clocks(loadPlatformTime('linux', { CLOCKLAB_NATIVE: 'off' }))

describe('native clocks on Linux', () => {
  it('has all five clocks, each read through clock_gettime with a resolution', () => {
    expect(native.backend).toMatch(/^koffi → libc\.so\.6/)
    for (const s of native.status()) {
      expect(s.available, s.id).toBe(true)
      expect(s.api).toMatch(/^clock_gettime\(CLOCK_/)
      expect(s.resolutionNs).toBeGreaterThan(0)
    }
  })

  it('reads the wall clock in nanoseconds, agreeing with Date.now()', () => {
    const before = BigInt(Date.now()) * 1_000_000n
    const ns = native.readNs('realtime')
    const after = BigInt(Date.now() + 1) * 1_000_000n
    expect(ns >= before && ns <= after).toBe(true)
    // Nanoseconds, not milliseconds: some reading out of 20 has a sub-millisecond part.
    const readings = Array.from({ length: 20 }, () => native.readNs('realtime') % 1_000_000n)
    expect(readings.some((r) => r !== 0n)).toBe(true)
  })

  it('never runs monotonic, monotonic raw or boottime backwards', () => {
    for (const id of ['monotonic', 'monotonic-raw', 'boottime'] as const) {
      let last = native.readNs(id)
      for (let i = 0; i < 1000; i++) {
        const now = native.readNs(id)
        expect(now >= last).toBe(true)
        last = now
      }
    }
  })

  it('reads TAI as the wall clock plus the kernel TAI offset', () => {
    const timex = native.platform.readTimex
    if (!timex.ok) throw new Error(timex.reason)
    const tai = native.readNs('tai')
    const utc = native.readNs('realtime')
    const offset = Number(tai - utc) / 1e9
    expect(Math.abs(offset - timex.value().tai)).toBeLessThan(0.01)
  })

  it('measures the cost of one read and derives an NTP precision exponent from it', () => {
    expect(native.readCostNs('realtime', 3, 200)).toBeGreaterThan(0)
    const p = native.precisionExponent()
    expect(Number.isInteger(p) && p >= -32 && p <= -10).toBe(true)
  })

  it('stamps REALTIME and MONOTONIC_RAW together', () => {
    const s = native.stamp()
    expect(s.rawNs).toBeTypeOf('bigint')
  })
})

describe('adjtimex is read-only by construction', () => {
  it('exposes a reader that takes no arguments, and nothing else from the binding', () => {
    const timex = native.platform.readTimex
    if (!timex.ok) throw new Error(timex.reason)
    expect(timex.value.length).toBe(0)
    expect(Object.keys(linuxBinding)).toEqual(['linuxTime'])
  })

  it('reads the same discipline state twice: reading changes nothing', () => {
    const timex = native.platform.readTimex
    if (!timex.ok) throw new Error(timex.reason)
    const a = timex.value()
    const b = timex.value()
    expect({ ...b, maxerror: 0, esterror: 0 }).toEqual({ ...a, maxerror: 0, esterror: 0 })
    expect(a.state).toBeGreaterThanOrEqual(0)
    expect(a.state).toBeLessThanOrEqual(5)
  })
})

describe('the fallback without a native binding', () => {
  it('keeps the wall clock (whole ms) and monotonic, and says why the others are missing', () => {
    expect(fallback.backend).toBe('Node only (CLOCKLAB_NATIVE=off)')
    const status = Object.fromEntries(fallback.status().map((s) => [s.id, s]))
    expect(status.realtime.available && status.monotonic.available).toBe(true)
    for (const id of ['monotonic-raw', 'boottime', 'tai'] as const) {
      expect(status[id].available).toBe(false)
      expect(status[id].reason).toMatch(/needs a native binding/)
    }
    expect(fallback.readNs('realtime') % 1_000_000n).toBe(0n)
    expect(fallback.platform.readTimex.ok).toBe(false)
  })

  it('throws ClockUnavailableError with the reason when a missing clock is read', () => {
    expect(() => fallback.readNs('tai')).toThrow(ClockUnavailableError)
    expect(() => fallback.readNs('tai')).toThrow(/tai: needs a native binding/)
    expect(fallback.stamp().rawNs).toBeUndefined()
  })

  it('falls back on a platform without a binding, and names it', () => {
    const aix = new Clocks(loadPlatformTime('aix', {}))
    expect(aix.backend).toBe('Node only (no binding for aix)')
    expect(
      aix
        .status()
        .filter((s) => s.available)
        .map((s) => s.id),
    ).toEqual(['realtime', 'monotonic'])
  })

  it('falls back when the binding fails to load (here: a Windows binding on Linux)', () => {
    const broken = new Clocks(loadPlatformTime('win32', {}))
    expect(broken.backend).toMatch(/^Node only \(native clocks failed to load: /)
    expect(CLOCK_IDS.filter((id) => broken.has(id))).toEqual(['realtime', 'monotonic'])
  })
})
