// Where the client's T1 and T4 come from: on Linux the kernel's transmit timestamp
// (SO_TIMESTAMPING, read back from the socket's error queue) and receive timestamp
// (SIOCGSTAMPNS); elsewhere, or when asked, the clock read just before the send. Checks that
// the kernel's T1 lies between the clock readings that bracket the send, that a stale stamp
// is never taken for a newer datagram, that receive timestamps keep working with transmit
// stamps on, and that the fallback paths give sane samples and say so.
import { createSocket, type Socket } from 'node:dgram'
import { afterEach, describe, expect, it } from 'vitest'
import { Clocks } from '../../src/time/clocks'
import { loadPlatformTime, type PlatformTime } from '../../src/time/native/index'
import { queryNtp } from '../../src/time/ntp/client'
import { NtpServer } from '../../src/time/ntp/server'
import { preciseUdp } from '../../src/time/precise-udp'
import { clocklabAsync } from './run'
import { syncedReference } from './ntp-fixtures'

const platform = loadPlatformTime()
const clocks = new Clocks(platform)
const txStamps = platform.socketTxTimestamps
const kernelWhy = txStamps.ok ? '' : txStamps.reason
if (!txStamps.ok)
  console.log(`kernel transmit timestamps absent here (${kernelWhy}): kernel-path tests skipped`)

const REFERENCE = syncedReference(2)

const cleanup: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c()
})

async function server(): Promise<number> {
  const s = await NtpServer.start({ port: 0, reference: () => REFERENCE, clocks })
  cleanup.push(() => s.close())
  return s.address().port
}

/** A connected pair on loopback: `a` sends to `b`, which echoes. */
async function pair(): Promise<{ a: Socket; b: Socket }> {
  const b = createSocket('udp4')
  await new Promise<void>((resolve) => b.bind(0, '127.0.0.1', resolve))
  b.on('message', (msg, rinfo) => b.send(msg, rinfo.port, rinfo.address))
  const a = createSocket('udp4')
  await new Promise<void>((resolve) => a.connect(b.address().port, '127.0.0.1', resolve))
  cleanup.push(
    () => new Promise<void>((resolve) => a.close(() => resolve())),
    () => new Promise<void>((resolve) => b.close(() => resolve())),
  )
  return { a, b }
}

describe('kernel transmit timestamps (Linux)', () => {
  it.skipIf(!txStamps.ok)(
    'T1 from the kernel lies between the clock readings around the send; a stale stamp is dropped',
    async () => {
      const { a } = await pair()
      const io = preciseUdp(a, clocks, { txTimestamps: true })!
      expect(io.txStamping).toBe(true)
      const data = Buffer.alloc(48)
      for (let i = 0; i < 5; i++) {
        const before = clocks.readNs('realtime')
        expect(io.send(data)).toBe(true)
        const after = clocks.readNs('realtime')
        const t1 = io.txTime(before)
        expect(t1, 'a stamp after the send').toBeDefined()
        expect(t1! >= before && t1! <= after).toBe(true)
        await new Promise((resolve) => a.once('message', resolve))
      }
      // Two sends before one read: the stamp given is the second datagram's, not the first's.
      io.send(data)
      const second = clocks.readNs('realtime')
      io.send(data)
      const t1 = io.txTime(second)
      expect(t1 !== undefined && t1 >= second).toBe(true)
      // Nothing is left: a later read finds no stamp.
      expect(io.txTime(0n, 3)).toBeUndefined()
    },
  )

  it.skipIf(!txStamps.ok)(
    'receive timestamps still work with transmit stamps on: T1 <= T4, both from the kernel',
    async () => {
      const { a } = await pair()
      const io = preciseUdp(a, clocks, { txTimestamps: true })!
      const before = clocks.readNs('realtime')
      io.send(Buffer.alloc(48))
      const t1 = io.txTime(before)!
      await new Promise((resolve) => a.once('message', resolve))
      const t4 = io.rxTime()!
      const handed = clocks.readNs('realtime')
      expect(t4 > t1).toBe(true)
      expect(t4 <= handed).toBe(true)
    },
  )

  it.skipIf(!txStamps.ok)(
    'queryNtp takes T1 and T4 from the kernel and is right within δ/2 + ε',
    async () => {
      const port = await server()
      for (let i = 0; i < 5; i++) {
        const before = clocks.readNs('realtime')
        const m = await queryNtp({ host: '127.0.0.1', port }, { clocks })
        const after = clocks.readNs('realtime')
        expect(m.stampSources).toEqual({ t1: 'kernel', t4: 'kernel' })
        expect(m.t1 >= before && m.t1 < m.t4 && m.t4 <= after).toBe(true)
        expect(Math.abs(m.offset)).toBeLessThanOrEqual(m.delay / 2 + m.dispersion)
      }
    },
  )
})

describe('the user-space fallback for T1', () => {
  it('when forced (kernelTxTimestamps: false): T1 read before the send, still right', async () => {
    const port = await server()
    const m = await queryNtp({ host: '127.0.0.1', port }, { clocks, kernelTxTimestamps: false })
    expect(m.stampSources?.t1).toBe('user')
    expect(Math.abs(m.offset)).toBeLessThanOrEqual(m.delay / 2 + m.dispersion)
  })

  it('on a platform without SO_TIMESTAMPING: T1 from user space, T4 still from the kernel where it has one', async () => {
    const without: PlatformTime = {
      ...platform,
      socketTxTimestamps: { ok: false, reason: 'as on an OS without SO_TIMESTAMPING' },
    }
    const port = await server()
    const m = await queryNtp({ host: '127.0.0.1', port }, { clocks: new Clocks(without) })
    expect(m.stampSources).toEqual({
      t1: 'user',
      t4: platform.socketRxTimestamp.ok ? 'kernel' : 'user',
    })
    expect(Math.abs(m.offset)).toBeLessThanOrEqual(m.delay / 2 + m.dispersion)
  })

  it('without the native binding at all (CLOCKLAB_NATIVE=off): both from user space', async () => {
    const port = await server()
    const m = await queryNtp(
      { host: '127.0.0.1', port },
      { clocks: new Clocks(loadPlatformTime(process.platform, { CLOCKLAB_NATIVE: 'off' })) },
    )
    expect(m.stampSources).toEqual({ t1: 'user', t4: 'user' })
    // Whole-millisecond clock on the client: the bound widens by its precision.
    expect(Math.abs(m.offset)).toBeLessThanOrEqual(m.delay / 2 + m.dispersion)
  })

  it('clocklab ntp query -v says which path took T1 and T4', async () => {
    const port = await server()
    const r = await clocklabAsync(['ntp', 'query', `127.0.0.1:${port}`, '-v'])
    expect(r.code, r.stderr).toBe(0)
    const kernel = txStamps.ok ? "the kernel's socket timestamp" : 'clock read in user space'
    expect(r.stdout).toMatch(new RegExp(`^T1 \\(sent\\) +\\S+ +${kernel}$`, 'm'))
    expect(r.stdout).toMatch(/^T2 \(server rx\) +\S+$/m)
    const forced = await clocklabAsync([
      'ntp',
      'query',
      `127.0.0.1:${port}`,
      '-v',
      '--no-kernel-timestamps',
    ])
    expect(forced.stdout).toMatch(/^T1 \(sent\) +\S+ +clock read in user space$/m)
  })
})
