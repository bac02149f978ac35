// The engine's run store behind the API: runs go to a worker thread and come back in pages
// with the checkers' verdicts; recordings are validated before they are held; exports match
// the run; bad requests fail with one line naming the field.
import { afterAll, describe, expect, it } from 'vitest'
import { ApiInputError, callApi, type RunInfo, type RunPage } from '../../src/lab/api'
import { createEngineApi } from '../../src/lab/engine-api'

const api = createEngineApi({ version: 'test' })
afterAll(() => api.close())

async function finish(info: RunInfo): Promise<{ events: RunPage['events']; last: RunPage }> {
  const events: RunPage['events'] = []
  for (;;) {
    const page = (await callApi(api, 'runPage', [info.id, events.length, 5000])) as RunPage
    events.push(...page.events)
    if (page.done && events.length >= page.total) return { events, last: page }
    if (page.events.length === 0) await new Promise((go) => setTimeout(go, 20))
  }
}

describe('runs in a worker, read in pages', () => {
  it('runs an algorithm and pages the whole trace back, in order, with stats and verdicts', async () => {
    const info = (await callApi(api, 'startRun', [
      { algorithm: 'lamport', nodes: 3, seed: 4, until: 2000 },
    ])) as RunInfo
    expect(info).toMatchObject({ label: 'lamport', origin: 'simulation', until: 2000 })
    expect(info.meta.nodes).toEqual(['n0', 'n1', 'n2'])
    const { events, last } = await finish(info)
    expect(events.map((e) => e.i)).toEqual(events.map((_, k) => k))
    expect(last.stats?.events).toBe(events.length)
    expect(last.verdicts?.map((v) => v.checker)).toContain('clock-condition')
    expect(last.error).toBeUndefined()
  })

  it('replays the same prefix when a crash is added, and the checker flags the recovered clock', async () => {
    const base = { algorithm: 'lamport', nodes: 4, seed: 3, until: 1000, workloadRate: 20 }
    const plain = await finish((await api.startRun(base)) as RunInfo)
    const crashed = await finish(
      await api.startRun({
        ...base,
        faults: [
          { at: 300, crash: 1 },
          { at: 500, recover: 1 },
        ],
      }),
    )
    const before = (e: { time?: number }) => (e.time ?? 0) < 300
    expect(crashed.events.filter(before)).toEqual(plain.events.filter(before))
    const verdict = crashed.last.verdicts?.find((v) => v.checker === 'clock-condition')
    expect(verdict?.ok).toBe(false)
    expect(verdict?.violations[0].at).toBeGreaterThan(0)
  })

  it('runs a shipped scenario with the form’s changes on top', async () => {
    const info = await api.startRun({ scenario: 'lamport-crash', seed: 9, until: 400 })
    expect(info.label).toBe('lamport-crash')
    expect(info.meta).toMatchObject({ algorithm: 'lamport', seed: 9, scenario: 'lamport-crash' })
    expect(info.observe).toMatch(/crash/)
    const { events } = await finish(info)
    expect(events.some((e) => e.kind === 'crash')).toBe(true)
    expect(Math.max(...events.map((e) => e.time ?? 0))).toBeLessThanOrEqual(400)
  })

  it('stops at maxEvents (finishing the step that reaches it)', async () => {
    const { events } = await finish(
      await api.startRun({ algorithm: 'vector', nodes: 5, until: 1e6, maxEvents: 300 }),
    )
    expect(events.length).toBeGreaterThanOrEqual(300)
    expect(events.length).toBeLessThan(310)
  })

  it('exports a run as ShiViz, one host line per process event', async () => {
    const info = await api.startRun({ algorithm: 'vector', nodes: 3, seed: 2, until: 500 })
    const { events } = await finish(info)
    const text = await api.exportRun(info.id, 'shiviz')
    const hostLines = text.split('\n').filter((l) => /^n\d \{/.test(l))
    expect(hostLines).toHaveLength(events.filter((e) => 'node' in e).length)
  })
})

describe('recordings', () => {
  it('opens an exported trace as a recording with the same events', async () => {
    const run = await api.startRun({ algorithm: 'vector', nodes: 3, seed: 5, until: 800 })
    const original = await finish(run)
    const json = await api.exportRun(run.id, 'json')
    const rec = await api.openTrace(json, 'saved.json')
    expect(rec).toMatchObject({ label: 'saved.json', origin: 'recording' })
    const reopened = await finish(rec)
    expect(reopened.events).toEqual(original.events)
    expect(reopened.last.verdicts?.every((v) => v.ok)).toBe(true)
  })

  it.each([
    ['not JSON', '{"format": ', /broken\.json: not JSON/],
    ['another format', '{"format": "pcap"}', /not a ClockLab trace/],
    [
      'a bad field',
      '{"format":"clocklab-trace","version":1,"meta":{"source":"sim","algorithm":"x","params":{},"nodes":["a"],"vectorTime":false},"events":[{"i":0,"kind":"start","node":3,"seq":0,"lamport":1,"local":0,"incarnation":0}]}',
      /events\[0\]\.node: node 3 does not exist/,
    ],
  ])('rejects %s with a line naming the problem', async (_what, text, message) => {
    await expect(api.openTrace(text, 'broken.json')).rejects.toThrow(message)
  })
})

describe('bad requests', () => {
  it.each([
    ['both an algorithm and a scenario', { algorithm: 'lamport', scenario: 'lamport-basics' }],
    ['neither', { nodes: 3 }],
    ['half a delay range', { algorithm: 'lamport', network: { delayMin: 3 } }],
    ['a loss above 1', { algorithm: 'lamport', network: { loss: 2 } }],
    ['a fault with two kinds', { algorithm: 'lamport', faults: [{ at: 1, crash: 0, heal: true }] }],
  ])('rejects %s before the engine sees it', async (_what, req) => {
    await expect(callApi(api, 'startRun', [req])).rejects.toBeInstanceOf(ApiInputError)
  })

  it('names the field of a scenario the request breaks', async () => {
    await expect(
      api.startRun({ algorithm: 'lamport', nodes: 3, faults: [{ at: 5, crash: 7 }] }),
    ).rejects.toThrow('lamport: faults[0].crash: node 7 does not exist (nodes: 0..2)')
  })

  it('says which scenarios exist when the name is unknown', async () => {
    await expect(api.startRun({ scenario: 'no-such' })).rejects.toThrow(
      /unknown scenario 'no-such' \(shipped: .*lamport-basics/,
    )
  })

  it('says a run id is unknown', async () => {
    await expect(api.runPage('nope', 0, 10)).rejects.toThrow(/no run nope/)
  })
})

describe('scenarios and clocks', () => {
  it('lists the shipped scenarios with what to observe', async () => {
    const list = await api.listScenarios()
    expect(list.find((s) => s.name === 'lamport-crash')).toMatchObject({
      algorithm: 'lamport',
      nodes: 4,
      observe: expect.stringMatching(/crash/),
    })
  })

  it('reads the wall clock and a monotonic clock of this machine', async () => {
    const before = Date.now()
    const report = await api.readClocks()
    const wall = report.clocks.find((c) => c.id === 'realtime')
    expect(wall?.available).toBe(true)
    expect(Math.abs(wall!.ms! - before)).toBeLessThan(5000)
    expect(report.clocks.find((c) => c.id === 'monotonic')?.available).toBe(true)
    for (const c of report.clocks) expect(c.available || (c.reason ?? '') !== '').toBe(true)
    expect(report.rtc.available || report.rtc.reason).toBeTruthy()
    expect(report.kernel.available || report.kernel.reason).toBeTruthy()
  })
})
