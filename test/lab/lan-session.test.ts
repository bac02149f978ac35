// The engine's handle on the live lab (the LAN view's API): an engine and two more peers
// join a loopback lab, see each other, start an experiment through the validated API,
// watch its merged trace grow, set faults at run time and get verdicts, a recording and a
// simulator replay.
import { afterAll, describe, expect, it } from 'vitest'
import { callApi } from '../../src/lab/api'
import type {
  LanExperimentInfo,
  LanExperimentView,
  LanStatus,
  RunInfo,
  RunPage,
} from '../../src/lab/api-types'
import { createEngineApi } from '../../src/lab/engine-api'
import { LanSession } from '../../src/lab/lan-session'
import { freePorts, until } from '../net/lab-harness'

const PASSPHRASE = 'a secret the room shares'
const api = createEngineApi({ version: 'test' })
const others = [new LanSession(), new LanSession()]

const call = <T>(method: string, ...args: unknown[]) => callApi(api, method, args) as Promise<T>

afterAll(async () => {
  await Promise.all(others.map((s) => s.close()))
  api.close()
})

async function waitView(
  id: string,
  done: (v: LanExperimentView) => boolean,
  seen: { version: number; events: number },
): Promise<LanExperimentView> {
  for (;;) {
    const v = await call<LanExperimentView>('lanExperiment', id, seen.version)
    if (v.events !== undefined) seen.events = (v.from ?? 0) + v.events.length
    seen.version = v.version
    if (done(v)) return v
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe('the LAN session behind the LAN view', () => {
  let ports: number[] = []

  it('joins a loopback lab and lists the peers, never echoing the passphrase', async () => {
    ports = await freePorts(3)
    const common = { lab: 'session-test', passphrase: PASSPHRASE, seeds: ports, heartbeatMs: 100 }
    const status = await call<LanStatus>('lanJoin', { ...common, name: 'engine', port: ports[0] })
    expect(status).toMatchObject({ joined: true, lab: 'session-test', mode: 'loopback' })
    expect(JSON.stringify(status)).not.toContain(PASSPHRASE)
    await others[0].join({ ...common, name: 'bea', port: ports[1], timeoutMs: 600 })
    await others[1].join({ ...common, name: 'cal', port: ports[2], timeoutMs: 600 })
    let peers: LanStatus['peers'] = []
    await until(() => {
      void call<LanStatus>('lanStatus').then((s) => (peers = s.peers))
      return peers.filter((p) => p.health === 'alive').length === 3
    }, 100)
    expect(peers.map((p) => p.name).sort()).toEqual(['bea', 'cal', 'engine'])
    expect(peers.find((p) => p.self)).toMatchObject({ name: 'engine', port: ports[0] })
    for (const p of peers) expect(p.epoch).toMatch(/^[0-9a-f]{8}$/)
  }, 20_000)

  it('rejects a second join, and a bad request before it reaches the engine', async () => {
    await expect(
      call('lanJoin', { lab: 'x', passphrase: PASSPHRASE, seeds: ports, port: ports[0] }),
    ).rejects.toThrow(/already in lab session-test/)
    await expect(call('lanJoin', { lab: 'x', passphrase: 'short' })).rejects.toThrow(
      /at least 8 characters/,
    )
    await expect(
      call('lanStart', { algorithm: 'no-such-thing', durationMs: 1000 }),
    ).rejects.toThrow(/unknown algorithm/)
  })

  it('runs an experiment across the peers: the trace grows, faults apply, verdicts come', async () => {
    const info = await call<LanExperimentInfo>('lanStart', {
      algorithm: 'ricart-agrawala',
      durationMs: 2500,
      workloadRate: 4,
      seed: 3,
    })
    expect(info).toMatchObject({ startedHere: true, state: 'running', nodes: expect.any(Array) })
    expect([...info.nodes].sort()).toEqual(['bea', 'cal', 'engine'])
    // The others took part, each as its own node.
    await until(() => others.every((s) => s.status().experiments.some((x) => x.id === info.id)))
    const theirs = others.map((s) => s.status().experiments.find((x) => x.id === info.id)!)
    expect(theirs.map((x) => x.startedHere)).toEqual([false, false])
    expect(new Set(theirs.map((x) => x.selfNode)).size).toBe(2)

    const seen = { version: 0, events: 0 }
    // Chunks stream in during the run: the merged view has events before the run is over.
    const live = await waitView(info.id, (v) => seen.events > 0 || v.info.state !== 'running', seen)
    expect(live.info.state).toBe('running')
    expect(seen.events).toBeGreaterThan(0)

    // A fault at run time: node 0 cuts its link to node 1 both ways; another peer may only
    // touch its own node.
    await call('lanFault', info.id, { node: 0, link: { to: 1, faults: { cut: 'both' } } })
    const other = theirs[0].selfNode!
    expect(() => others[0].fault(info.id, { node: (other + 1) % 3, crash: true })).toThrow(
      /only the workstation that started/,
    )
    // Delay with random jitter on another link (the LAN view's "Jitter (ms)").
    await call('lanFault', info.id, {
      node: 0,
      link: { to: 2, faults: { delayMs: 2, jitterMs: 10 } },
    })
    const withFault = await call<LanExperimentView>('lanExperiment', info.id, seen.version)
    expect(withFault.faults).toEqual({
      '0': { '1': { cut: 'both' }, '2': { delayMs: 2, jitterMs: 10 } },
    })

    const done = await waitView(
      info.id,
      (v) => v.info.state !== 'running' && v.info.state !== 'collecting',
      seen,
    )
    expect(done.info.state).toBe('done')
    expect(done.verdicts?.length).toBeGreaterThan(0)
    const verdict = (name: string) => done.verdicts!.find((v) => v.checker === name)
    // Safety holds whatever the network does; the cut link stalls a request, and the
    // progress checker says so, naming the partition.
    expect(verdict('mutual-exclusion')?.ok).toBe(true)
    expect(verdict('causality')?.ok).toBe(true)
    const progress = verdict('progress')
    if (progress?.ok === false) expect(progress.violations[0].message).toMatch(/partition/)
    // The view's trace is the merged one, local times counted from the run's start.
    const full = await call<LanExperimentView>('lanExperiment', info.id, 0)
    expect(full.events!.length).toBe(seen.events)
    expect(full.events!.some((e) => e.kind === 'drop' && e.reason === 'partition')).toBe(true)
    const locals = full.events!.flatMap((e) => ('local' in e ? [e.local] : []))
    expect(Math.min(...locals)).toBeGreaterThan(-1000)
    expect(Math.max(...locals)).toBeLessThan(30_000)
  }, 40_000)

  it('opens a finished experiment in Recordings and replays it in the simulator', async () => {
    const id = (await call<LanStatus>('lanStatus')).experiments[0].id
    const rec = await call<RunInfo>('lanRecording', id)
    expect(rec.origin).toBe('recording')
    expect(rec.meta).toMatchObject({ source: 'live', algorithm: 'ricart-agrawala' })
    const replay = await call<RunInfo>('lanReplay', id)
    expect(replay).toMatchObject({ origin: 'simulation' })
    let page: RunPage | undefined
    await until(() => {
      void call<RunPage>('runPage', replay.id, 0, 10).then((p) => (page = p))
      return page?.done === true
    }, 100)
    expect(page!.total).toBeGreaterThan(0)
    expect(page!.error).toBeUndefined()
  }, 30_000)

  it('shows a peer that leaves as left, and one that vanishes as crashed', async () => {
    await others[0].leave()
    others[1].status() // still in
    let status: LanStatus | undefined
    await until(() => {
      void call<LanStatus>('lanStatus').then((s) => (status = s))
      return status?.peers.some((p) => p.name === 'bea' && p.health === 'left') === true
    }, 50)
    // cal's process "dies": its peer stops without a goodbye.
    ;(others[1] as unknown as { joined: { node: { kill(): void } } }).joined.node.kill()
    await until(() => {
      void call<LanStatus>('lanStatus').then((s) => (status = s))
      return status?.peers.some((p) => p.name === 'cal' && p.health === 'crashed') === true
    }, 50)
    expect(status!.log.some((l) => /bea left/.test(l))).toBe(true)
    expect(status!.log.some((l) => /cal crashed/.test(l))).toBe(true)
  }, 20_000)
})
