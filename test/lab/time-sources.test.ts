// The Clocks view's live time sources on the engine, against real peers: a GPS receiver
// played from a shipped NMEA log through a socat pseudo-terminal pair (killed mid-read, then
// started again at the same path), and chronyd (-x, 127.0.0.1, never the system clock) as an
// NTP server the lab clock follows; adding, removing and bad input.
import { afterEach, describe, expect, it } from 'vitest'
import { InputError } from '../../src/core/errors'
import { TimeSources } from '../../src/lab/time-sources'
import { feedNmea } from './nmea-feed'
import { startChronydServer, startPtyPair, tempDir, waitFor, type Peer } from '../time/peers'

const cleanup: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})

function sources(): TimeSources {
  const s = new TimeSources({ retryMs: 100, ntpIntervalMs: 250 })
  cleanup.push(() => s.close())
  return s
}

describe('live time sources', () => {
  it('follows a GPS on a serial port, says so when it disappears, keeps its data, and reconnects', async () => {
    const dir = tempDir('live-gps')
    cleanup.push(() => dir.remove())
    let pty: Peer & { a: string; b: string } = await startPtyPair(dir.path)
    cleanup.push(() => pty.stop())
    const live = sources()
    const id = await live.add({ kind: 'gps', path: pty.b })
    const gps = () => live.report().sources.find((s) => s.id === id)!
    await waitFor('the port to open', () => (gps().state === 'running' ? true : undefined))

    const feed = feedNmea(pty.a, 100)
    cleanup.push(() => feed.stop())

    await waitFor('four samples', () => (gps().samples >= 4 ? true : undefined))
    const before = gps()
    expect(before).toMatchObject({ kind: 'gps', stratum: 0, refid: 'GPS', followed: true })
    expect(before.points.length).toBe(before.samples)
    expect(before.lastSampleAgeS).toBeLessThan(5)
    expect(before.drift?.points).toBeGreaterThanOrEqual(3)
    // The lab clock follows it: the log's dates are long past, so its first correction is a step.
    const lab = live.report().labClock
    expect(lab).toMatchObject({ following: id, stratum: 1 })
    expect(lab.points[0]).toMatchObject({ action: 'step', source: id })
    expect(lab.steps).toBeGreaterThanOrEqual(1)
    expect(live.graph('here').map((n) => [n.id, n.stratum, n.parent])).toEqual([
      [id, 0, undefined],
      ['lab-clock', 1, id],
    ])

    await pty.stop()
    await waitFor('the source to notice', () => (gps().state === 'lost' ? true : undefined))
    const lost = gps()
    expect(lost.problem).toMatch(new RegExp(`^GPS on ${pty.b} disappeared: `))
    expect(lost.errors['device-lost']).toBe(1)
    expect(lost.points.length).toBeGreaterThanOrEqual(before.points.length)
    expect(lost.points.slice(0, before.points.length)).toEqual(before.points)

    pty = await startPtyPair(dir.path)
    cleanup.push(() => pty.stop())
    feed.reopen(pty.a)
    await waitFor('the port to reopen', () => (gps().state === 'running' ? true : undefined))
    const samples = gps().samples
    await waitFor('samples again', () => (gps().samples >= samples + 2 ? true : undefined))
    expect(gps().problem).toBeUndefined()
  }, 60_000)

  it('follows chronyd on loopback: its stratum, a small offset, the lab clock one stratum below', async () => {
    const dir = tempDir('live-ntp')
    cleanup.push(() => dir.remove())
    const chronyd = await startChronydServer(dir.path, 8)
    cleanup.push(() => chronyd.stop())
    const live = sources()
    const id = await live.add({ kind: 'ntp', address: `127.0.0.1:${chronyd.port}` })
    expect(id).toBe(`ntp 127.0.0.1:${chronyd.port}`)
    const ntp = () => live.report().sources.find((s) => s.id === id)!
    await waitFor('three samples', () => (ntp().samples >= 3 ? true : undefined))
    const s = ntp()
    expect(s).toMatchObject({ kind: 'ntp', state: 'running', stratum: 8, followed: true })
    // chronyd serves this machine's own clock: the offset is the loopback's noise.
    expect(Math.abs(s.offsetMs!)).toBeLessThan(20)
    expect(s.delayMs).toBeGreaterThanOrEqual(0)
    expect(s.jitterMs).toBeGreaterThanOrEqual(0)
    const lab = live.report().labClock
    expect(lab).toMatchObject({ following: id, stratum: 9, steps: 0 })
    expect(lab.points.every((p) => p.action !== 'step')).toBe(true)

    // Only newer points come when asked for.
    const { seq } = live.report()
    expect(live.report(seq).sources[0].points).toEqual([])

    await live.remove(id)
    expect(live.report().sources).toEqual([])
    expect(live.report().labClock.following).toBeUndefined()
  }, 60_000)

  it('refuses bad input with a message that says what is wrong', async () => {
    const live = sources()
    await expect(live.add({ kind: 'ntp', address: 'a:b:c' })).rejects.toThrow(InputError)
    await expect(live.add({ kind: 'gpsd', address: '127.0.0.1:99999' })).rejects.toThrow(
      /not HOST, HOST:PORT/,
    )
    await expect(live.add({ kind: 'gps', path: 'ttyUSB0' })).rejects.toThrow(/is not a serial port/)
    await expect(live.remove('ntp nowhere:123')).rejects.toThrow(/no time source/)
    expect(() => live.setReference('gps /dev/none')).toThrow(/no time source/)
    const id = await live.add({ kind: 'gps', path: '/dev/clocklab-no-such-port' })
    await expect(live.add({ kind: 'gps', path: '/dev/clocklab-no-such-port' })).rejects.toThrow(
      /already a source/,
    )
    await waitFor('a failed open', () =>
      live.report().sources[0].state === 'lost' ? true : undefined,
    )
    expect(live.report().sources[0].problem).toMatch(
      /^GPS on \/dev\/clocklab-no-such-port cannot be opened: /,
    )
    await live.remove(id)
  })
})
