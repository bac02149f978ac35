// The simulator's contract with algorithms: crash loses volatile state and
// timers, stable storage survives; messages to a crashed node are drops; a
// duplicated message is received twice; timers measure the node's local time;
// a timer name is re-armed, not doubled; maxEvents and until stop the run; an
// annotation lands on the event being handled.
import { describe, expect, it } from 'vitest'
import { defineAlgorithm, type NodeId } from '../../src/core/process'
import type { JsonValue } from '../../src/core/json'
import type { DropEvent, ProcessEvent, TraceEvent } from '../../src/core/trace'
import { ScenarioSchema, type ScenarioInput } from '../../src/sim/scenario'
import { Simulator } from '../../src/sim/simulator'

type Cmd =
  | { kind: 'send'; to: NodeId }
  | { kind: 'remember'; value: number }
  | { kind: 'timer'; name: string; afterMs: number }
  | { kind: 'cancel'; name: string }
  | { kind: 'note' }

interface Stable {
  boots: number
  remembered: number[]
}

/** A probe algorithm: reports what it sees through annotations; it ticks a 100 ms timer. */
const probe = defineAlgorithm<
  { ticks: number },
  { hello: number },
  Cmd,
  Record<string, never>,
  Stable
>({
  name: 'probe',
  family: 'test',
  summary: 'test probe',
  stable: () => ({ boots: 0, remembered: [] }),
  init: () => ({ ticks: 0 }),
  onStart(s, ctx) {
    ctx.stable.boots++
    ctx.annotate('boot', {
      incarnation: ctx.incarnation,
      boots: ctx.stable.boots,
      ticks: s.ticks,
      remembered: [...ctx.stable.remembered],
      now: ctx.now(),
    })
    ctx.setTimer('tick', 100)
  },
  onTimer(s, name, ctx) {
    if (name !== 'tick') return ctx.annotate('fired', name)
    s.ticks++
    ctx.annotate('tick', s.ticks)
    ctx.setTimer('tick', 100)
  },
  onCommand(_s, cmd, ctx) {
    switch (cmd.kind) {
      case 'send':
        ctx.send(cmd.to, { hello: ctx.self })
        ctx.annotate('sent')
        return
      case 'remember':
        ctx.stable.remembered.push(cmd.value)
        return
      case 'timer':
        return ctx.setTimer(cmd.name, cmd.afterMs)
      case 'cancel':
        return ctx.cancelTimer(cmd.name)
      case 'note':
        return ctx.annotate('now', ctx.now())
    }
  },
  onMessage(_s, from, m, ctx) {
    ctx.annotate('got', { from, hello: m.hello })
  },
})

function simulate(input: Omit<ScenarioInput, 'algorithm'>) {
  const events: TraceEvent[] = []
  const sim = new Simulator(
    ScenarioSchema.parse({ algorithm: 'probe', workload: false, ...input }),
    probe,
    { sinks: [(e) => events.push(e)] },
  )
  const stats = sim.run()
  return { events, stats, sim }
}

const notes = (e: TraceEvent, kind: string): JsonValue[] =>
  'notes' in e ? (e.notes ?? []).filter((n) => n.kind === kind).map((n) => n.data ?? null) : []
const on = (events: TraceEvent[], node: NodeId) =>
  events.filter((e): e is ProcessEvent => 'node' in e && e.node === node)

const constantDelay = { default: { delay: { dist: 'constant', ms: 5 } } } as const

describe('Simulator: crash and recovery', () => {
  const run = () =>
    simulate({
      nodes: 2,
      until: 1000,
      network: constantDelay,
      commands: [
        { at: 50, node: 0, command: { kind: 'remember', value: 7 } },
        { at: 500, node: 1, command: { kind: 'send', to: 0 } },
        { at: 520, node: 0, command: { kind: 'remember', value: 8 } }, // while down: never happens
      ],
      faults: [
        { at: 250, crash: 0 },
        { at: 700, recover: 0 },
      ],
    })

  it('loses volatile state and timers, keeps stable storage', () => {
    const { events } = run()
    const n0 = on(events, 0)
    expect(n0.map((e) => e.kind)).toEqual([
      'start',
      'command',
      'timer',
      'timer',
      'crash',
      'recover',
      'timer',
      'timer',
      'timer',
    ])
    const [start, recover] = n0.filter((e) => e.kind === 'start' || e.kind === 'recover')
    expect(notes(start, 'boot')).toEqual([
      { incarnation: 0, boots: 1, ticks: 0, remembered: [], now: 0 },
    ])
    // Fresh volatile state, same stable storage, one more incarnation.
    expect(notes(recover, 'boot')).toEqual([
      { incarnation: 1, boots: 2, ticks: 0, remembered: [7], now: 700 },
    ])
    // No timer fires while down; the ticks count again from 1 after recovery.
    const timers = n0.filter((e) => e.kind === 'timer')
    expect(timers.map((e) => e.time)).toEqual([100, 200, 800, 900, 1000])
    expect(timers.map((e) => notes(e, 'tick')[0])).toEqual([1, 2, 1, 2, 3])
  })

  it('a timer armed before a crash does not fire after a quick recovery', () => {
    const { events } = simulate({
      nodes: 1,
      until: 500,
      faults: [
        { at: 250, crash: 0 },
        { at: 260, recover: 0 }, // before the old timer's 300 ms deadline
      ],
    })
    const times = on(events, 0)
      .filter((e) => e.kind === 'timer')
      .map((e) => e.time)
    expect(times).toEqual([100, 200, 360, 460])
  })

  it("records messages to a crashed node as drops with reason 'crashed'", () => {
    const { events, stats } = run()
    const send = events.find((e) => e.kind === 'send')!
    expect(send).toMatchObject({ node: 1, time: 500, to: [0] })
    const drops = events.filter((e): e is DropEvent => e.kind === 'drop')
    expect(drops).toEqual([
      expect.objectContaining({
        msg: (send as { msg: number }).msg,
        from: 1,
        to: 0,
        reason: 'crashed',
        time: 505,
      }),
    ])
    expect(events.some((e) => e.kind === 'receive')).toBe(false)
    expect(stats.dropped).toBe(1)
    expect(stats.delivered).toBe(0)
  })

  it('crash and recover are no-ops on a node already down or up', () => {
    const { events } = simulate({
      nodes: 1,
      until: 150,
      faults: [
        { at: 10, recover: 0 },
        { at: 20, crash: 0 },
        { at: 30, crash: 0 },
        { at: 40, recover: 0 },
        { at: 50, recover: 0 },
      ],
    })
    expect(on(events, 0).map((e) => `${e.kind}@${e.time}`)).toEqual([
      'start@0',
      'crash@20',
      'recover@40',
      'timer@140',
    ])
  })
})

describe('Simulator: network effects', () => {
  it('a duplicated message produces two receives of one message id, both caused by its one send', () => {
    const { events, stats } = simulate({
      nodes: 2,
      until: 100,
      network: { default: { delay: { dist: 'constant', ms: 5 }, duplicate: 1 } },
      commands: [{ at: 10, node: 0, command: { kind: 'send', to: 1 } }],
    })
    const send = events.find((e) => e.kind === 'send')!
    const receives = events.filter((e) => e.kind === 'receive')
    expect(receives).toHaveLength(2)
    for (const r of receives)
      expect(r).toMatchObject({
        msg: (send as { msg: number }).msg,
        cause: send.i,
        from: 0,
        node: 1,
      })
    expect(events.filter((e) => e.kind === 'duplicate')).toEqual([
      expect.objectContaining({ msg: (send as { msg: number }).msg, from: 0, to: 1 }),
    ])
    expect(stats).toMatchObject({ messages: 1, delivered: 2, duplicated: 1 })
  })
})

describe('Simulator: timers', () => {
  for (const skewPpm of [100_000, -500_000, 250]) {
    it(`fire after afterMs of local time on a clock skewed by ${skewPpm} ppm`, () => {
      const rate = 1 + skewPpm * 1e-6
      const { events } = simulate({
        nodes: 1,
        until: 10_000,
        clocks: { default: { skewPpm, offset: 123 } },
        commands: [{ at: 5, node: 0, command: { kind: 'timer', name: 'x', afterMs: 1000 } }],
      })
      const n0 = on(events, 0)
      const armed = n0.find((e) => e.kind === 'command')!
      const fired = n0.find((e) => e.kind === 'timer' && e.timer === 'x')!
      expect(fired.local - armed.local).toBeCloseTo(1000, 6)
      expect(fired.time! - armed.time!).toBeCloseTo(1000 / rate, 6)
      // The 100 ms tick, too, is measured on the local clock.
      const ticks = n0.filter((e) => e.kind === 'timer' && e.timer === 'tick')
      for (let k = 1; k < ticks.length; k++)
        expect(ticks[k].local - ticks[k - 1].local).toBeCloseTo(100, 6)
    })
  }

  it('setTimer with a name already armed replaces it; cancelTimer disarms', () => {
    const { events } = simulate({
      nodes: 1,
      until: 1000,
      commands: [
        { at: 0, node: 0, command: { kind: 'timer', name: 'x', afterMs: 100 } },
        { at: 50, node: 0, command: { kind: 'timer', name: 'x', afterMs: 200 } }, // due at 250, not 100
        { at: 0, node: 0, command: { kind: 'timer', name: 'y', afterMs: 300 } },
        { at: 290, node: 0, command: { kind: 'cancel', name: 'y' } },
      ],
    })
    const fired = events.filter((e) => e.kind === 'timer' && e.timer !== 'tick')
    expect(fired.map((e) => [(e as { timer: string }).timer, e.time])).toEqual([['x', 250]])
  })

  it('rejects a negative delay', () => {
    expect(() =>
      simulate({
        nodes: 1,
        until: 100,
        commands: [{ at: 1, node: 0, command: { kind: 'timer', name: 'x', afterMs: -1 } }],
      }),
    ).toThrow(RangeError)
  })
})

describe('Simulator: stopping', () => {
  it('maxEvents stops at the first handling that reaches the budget', () => {
    for (const maxEvents of [1, 7, 50, 333]) {
      const events: TraceEvent[] = []
      const sim = new Simulator(
        ScenarioSchema.parse({
          algorithm: 'probe',
          nodes: 3,
          until: 1e9,
          maxEvents,
          workload: false,
        }),
        probe,
        { sinks: [(e) => events.push(e)] },
      )
      let before = 0
      while (sim.stepOnce()) {
        // Only a step that began under the budget may run.
        expect(before).toBeLessThan(maxEvents)
        before = events.length
      }
      // The run never stops short of the budget while there is work left (three timers run forever).
      expect(events.length).toBeGreaterThanOrEqual(maxEvents)
      expect(sim.getStats().events).toBe(events.length)
      expect(sim.getStats().quiescent).toBe(false)
    }
  })

  it('until stops the run: nothing after it happens, things at it do', () => {
    const { events, stats } = simulate({ nodes: 2, until: 1000 })
    const times = events.map((e) => e.time!)
    expect(Math.max(...times)).toBe(1000) // the 10th tick of each node falls exactly on until
    expect(events.filter((e) => e.kind === 'timer')).toHaveLength(20)
    expect(stats.time).toBe(1000)
    expect(stats.quiescent).toBe(false)
  })

  it('a run with nothing left to do ends quiescent', () => {
    const nothing = defineAlgorithm<null, never, never>({
      name: 'idle',
      family: 'test',
      summary: 'idle',
      init: () => null,
    })
    const sim = new Simulator(
      ScenarioSchema.parse({ algorithm: 'idle', nodes: 2, workload: false }),
      nothing,
    )
    expect(sim.run()).toMatchObject({ quiescent: true, events: 2 })
  })
})

describe('Simulator: annotations and events', () => {
  it('annotations attach to the event being handled (a send inside a command stays unannotated)', () => {
    const { events } = simulate({
      nodes: 2,
      until: 150,
      network: constantDelay,
      commands: [{ at: 10, node: 0, command: { kind: 'send', to: 1 } }],
    })
    const kinds = (e: TraceEvent) => ('notes' in e ? (e.notes ?? []).map((n) => n.kind) : [])
    for (const e of events) {
      if (e.kind === 'start') expect(kinds(e)).toEqual(['boot'])
      if (e.kind === 'timer') expect(kinds(e)).toEqual(['tick'])
      if (e.kind === 'command') expect(kinds(e)).toEqual(['sent'])
      if (e.kind === 'send') expect(kinds(e)).toEqual([])
      if (e.kind === 'receive') expect(notes(e, 'got')).toEqual([{ from: 0, hello: 0 }])
    }
    expect(events.map((e) => e.kind)).toContain('receive')
  })

  it('ctx.now() is the local clock reading recorded on the event', () => {
    const { events } = simulate({
      nodes: 1,
      until: 5000,
      clocks: { default: { offset: -40, skewPpm: 300 } },
      commands: [1, 2, 3].map((k) => ({ at: k * 1000, node: 0, command: { kind: 'note' } })),
    })
    const cmds = events.filter((e): e is ProcessEvent => e.kind === 'command')
    expect(cmds).toHaveLength(3)
    for (const e of cmds) {
      expect(notes(e, 'now')).toEqual([e.local])
      expect(e.local).toBeCloseTo(-40 + e.time! * (1 + 300e-6), 6)
    }
  })

  it('a per-node clock override changes only the fields it names; the rest come from clocks.default', () => {
    const { events } = simulate({
      nodes: 2,
      until: 2000,
      clocks: { default: { offset: 7, skewPpm: 400 }, nodes: { '1': { offset: 150 } } },
      commands: [0, 1].map((node) => ({ at: 1500, node, command: { kind: 'note' } })),
    })
    const [c0, c1] = events.filter((e): e is ProcessEvent => e.kind === 'command')
    expect(c0.local).toBeCloseTo(7 + 1500 * (1 + 400e-6), 6)
    expect(c1.local).toBeCloseTo(150 + 1500 * (1 + 400e-6), 6)
  })

  it('numbers events 0.. in trace order and each node 0.. in its own order', () => {
    const { events } = simulate({
      nodes: 3,
      until: 500,
      network: { default: { loss: 0.3, duplicate: 0.3 } },
      commands: Array.from({ length: 30 }, (_, k) => ({
        at: k * 10,
        node: k % 3,
        command: { kind: 'send', to: (k + 1) % 3 },
      })),
    })
    expect(events.map((e) => e.i)).toEqual(events.map((_, k) => k))
    for (const node of [0, 1, 2])
      expect(on(events, node).map((e) => e.seq)).toEqual(on(events, node).map((_, k) => k))
  })
})
