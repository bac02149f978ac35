// A reference peer on loopback: chronyd (-x: it never touches the system clock; "local
// stratum 8") is the NTP reference of one `clocklab lan join --reference` process. That
// peer says stratum 9; a Cristian run started from the engine's LAN session, with the
// reference peer as the time server, shows the other peers at stratum 10, their offsets
// and drift from the run's sync notes, and the peers list keeps the strata.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LanExperimentView } from '../../src/lab/api-types'
import { LanSession } from '../../src/lab/lan-session'
import { ReferenceClock, parseReferenceSpec } from '../../src/net/reference'
import { freePorts, until } from '../net/lab-harness'
import { clocklabProc, stopAll } from '../net/processes'
import { startChronydServer, tempDir, type Peer } from '../time/peers'

const PASSPHRASE = 'reference test passphrase'
const dir = tempDir('lan-reference')
let chrony: Peer & { port: number }
const sessions: LanSession[] = []

beforeAll(async () => {
  chrony = await startChronydServer(join(dir.path, 'chrony'), 8)
}, 30_000)

afterAll(async () => {
  await Promise.all(sessions.map((s) => s.close()))
  await stopAll()
  await chrony?.stop()
  dir.remove()
})

describe('parseReferenceSpec', () => {
  it('reads the three kinds and rejects the rest with the expected form', () => {
    expect(parseReferenceSpec('ntp:127.0.0.1:11123')).toEqual({
      kind: 'ntp',
      host: '127.0.0.1',
      port: 11123,
    })
    expect(parseReferenceSpec('ntp:time.example')).toMatchObject({ port: 123 })
    expect(parseReferenceSpec('gps:/dev/ttyUSB0')).toEqual({ kind: 'gps', path: '/dev/ttyUSB0' })
    expect(parseReferenceSpec('gpsd')).toEqual({ kind: 'gpsd', host: '127.0.0.1', port: 2947 })
    expect(parseReferenceSpec('gpsd:127.0.0.1:3000')).toMatchObject({ port: 3000 })
    for (const bad of ['chrony', 'gps:ttyUSB0', 'ntp:', 'ntp:host:99999'])
      expect(() => parseReferenceSpec(bad)).toThrow(/expected ntp:HOST\[:PORT\]/)
  })
})

describe('a reference peer', () => {
  it('disciplines its lab clock to chronyd and says stratum 9 (chrony 8 + 1)', async () => {
    const ref = await ReferenceClock.open(`ntp:127.0.0.1:${chrony.port}`, { intervalMs: 200 })
    try {
      await until(() => ref.status().samples >= 3, 50)
      const s = ref.status()
      expect(s).toMatchObject({ sourceStratum: 8, stratum: 9, state: 'running' })
      const r = ref.read()!
      // chronyd serves this machine's own clock: the reference is the wall clock, within ms.
      expect(Math.abs(r.time - Date.now())).toBeLessThan(50)
      expect(r.error).toBeGreaterThanOrEqual(0)
      expect(Math.abs(ref.clock.now() - r.time)).toBeLessThan(50)
    } finally {
      await ref.close()
    }
  }, 20_000)

  it('in a loopback lab: the reference peer is stratum 9, the peers it serves are 10', async () => {
    const ports = await freePorts(3)
    const env = { CLOCKLAB_LAB_PASSPHRASE: PASSPHRASE }
    const common = (k: number) => {
      const state = join(dir.path, `peer${k}`)
      mkdirSync(state, { recursive: true })
      return [
        'lan',
        'join',
        '--lab',
        'ref-lab',
        '--seeds',
        ports.join(','),
        '--port',
        String(ports[k]),
        '--state-dir',
        state,
        '--heartbeat-ms',
        '100',
        '--name',
        `peer${k}`,
      ]
    }
    const refPeer = clocklabProc(
      [...common(1), '--reference', `ntp:127.0.0.1:${chrony.port}`],
      [],
      env,
    )
    clocklabProc(common(2), [], env)
    const joinedLine = await refPeer.line(/joined lab ref-lab/)
    const refId = /\(([0-9a-f]{16})\)/.exec(joinedLine)![1]
    await refPeer.line(/reference ntp 127\.0\.0\.1:\d+: stratum 9 \(source stratum 8/)

    const session = new LanSession()
    sessions.push(session)
    await session.join({
      lab: 'ref-lab',
      passphrase: PASSPHRASE,
      seeds: ports,
      port: ports[0],
      name: 'starter',
      heartbeatMs: 100,
    })
    await until(() => session.status().peers.filter((p) => p.health === 'alive').length === 3, 50)
    const ids = session
      .status()
      .peers.map((p) => p.id)
      .sort()
    const server = ids.indexOf(refId)
    const info = session.start({
      algorithm: 'cristian',
      params: { server, periodMs: 250 },
      durationMs: 3000,
      workloadRate: 0,
    })
    let view: LanExperimentView | undefined
    await until(() => {
      view = session.view(info.id, 0)
      return view.info.state === 'done' || view.info.state === 'failed'
    }, 100)
    expect(view!.info.state).toBe('done')
    const sync = view!.sync!
    expect(sync.hasReference).toBe(true)
    const byNode = sync.nodes
    expect(byNode[server]).toMatchObject({ stratum: 9, reference: expect.stringMatching(/^ntp /) })
    for (const n of byNode.filter((x) => x.node !== server)) {
      expect(n).toMatchObject({ stratum: 10, parent: server })
      expect(n.samples).toBeGreaterThan(3)
      // Loopback, one machine: every clock is the same oscillator, so offsets stay small.
      expect(Math.abs(n.offsetMs!)).toBeLessThan(20)
      expect(n.drift.length).toBeGreaterThan(0)
    }
    // The peers list keeps what the run showed.
    const strata = Object.fromEntries(session.status().peers.map((p) => [p.id, p.stratum]))
    expect(strata[refId]).toBe(9)
    expect(Object.values(strata).sort()).toEqual([10, 10, 9])
  }, 60_000)

  it('the engine itself can be the reference peer (the LAN view\'s "time reference" field)', async () => {
    const ports = await freePorts(1)
    const session = new LanSession()
    sessions.push(session)
    const status = await session.join({
      lab: 'solo-ref',
      passphrase: PASSPHRASE,
      seeds: ports,
      port: ports[0],
      reference: `ntp:127.0.0.1:${chrony.port}`,
    })
    expect(status.reference).toMatchObject({ spec: `ntp:127.0.0.1:${chrony.port}` })
    await until(() => session.status().reference?.stratum !== undefined, 50)
    const after = session.status()
    expect(after.reference).toMatchObject({ stratum: 9, sourceStratum: 8 })
    expect(after.peers.find((p) => p.self)?.stratum).toBe(9)
    await session.leave()
    expect(session.status().joined).toBe(false)
  }, 20_000)
})
