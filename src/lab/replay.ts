// Record and replay: turns a live run's merged trace into a simulator scenario that
// replays it deterministically. The scenario keeps the run's algorithm, parameters,
// nodes and the exact commands each node got (at the local times they came, the
// workload off), its crashes and recoveries, and per directed link the message delays
// measured in the run (an empirical `table` distribution: receive minus send local
// time, so on machines whose clocks disagree it includes their offset, clamped at 0)
// and the loss and duplication rates seen. Forking is editing the scenario (params,
// nodes, seed) and running it again.
import type { NodeId } from '../core/process'
import { isProcessEvent, type SendEvent, type Trace } from '../core/trace'
import type { ScenarioInput } from '../sim/scenario'

export function scenarioFromLiveTrace(trace: Trace, name = 'live-replay'): ScenarioInput {
  const { meta, events } = trace
  const n = meta.nodes.length
  const times = events.filter(isProcessEvent).map((e) => e.local)
  const t0 = times.length > 0 ? Math.min(...times) : 0
  const t1 = times.length > 0 ? Math.max(...times) : 0
  const at = (local: number) => Math.max(0, Math.round((local - t0) * 1000) / 1000)
  const sends = new Map<number, SendEvent>()
  const link = (from: NodeId, to: NodeId) => from * n + to
  const delays = new Map<number, number[]>()
  const copies = new Map<number, { sent: number; lost: number; dup: number }>()
  const stats = (from: NodeId, to: NodeId) => {
    const k = link(from, to)
    let s = copies.get(k)
    if (s === undefined) copies.set(k, (s = { sent: 0, lost: 0, dup: 0 }))
    return s
  }
  const faults: ScenarioInput['faults'] = []
  const commands: ScenarioInput['commands'] = []
  for (const e of events) {
    switch (e.kind) {
      case 'send':
        sends.set(e.i, e)
        for (const to of e.to) stats(e.node, to).sent++
        break
      case 'receive': {
        const s = sends.get(e.cause)
        if (s === undefined) break
        const list = delays.get(link(s.node, e.node)) ?? []
        list.push(Math.max(0, Math.round((e.local - s.local) * 1000) / 1000))
        delays.set(link(s.node, e.node), list)
        break
      }
      case 'drop':
        if (e.reason === 'loss') stats(e.from, e.to).lost++
        break
      case 'duplicate':
        stats(e.from, e.to).dup++
        break
      case 'crash':
        faults.push({ at: at(e.local), crash: e.node })
        break
      case 'recover':
        faults.push({ at: at(e.local), recover: e.node })
        break
      case 'command':
        commands.push({ at: at(e.local), node: e.node, command: e.command })
    }
  }
  const all = [...delays.values()].flat()
  const links: NonNullable<NonNullable<ScenarioInput['network']>['links']> = []
  for (let from = 0; from < n; from++)
    for (let to = 0; to < n; to++) {
      const d = delays.get(link(from, to))
      const s = copies.get(link(from, to))
      if (d === undefined && s === undefined) continue
      links.push({
        from,
        to,
        ...(d !== undefined ? { delay: { dist: 'table' as const, samples: d } } : {}),
        ...(s && s.sent > 0 && s.lost > 0 ? { loss: s.lost / s.sent } : {}),
        ...(s && s.sent > 0 && s.dup > 0 ? { duplicate: s.dup / s.sent } : {}),
      })
    }
  return {
    name,
    description: `Replay of a live ${meta.algorithm} run on ${n} nodes (${meta.nodes.join(', ')})`,
    algorithm: meta.algorithm,
    params: meta.params as Record<string, unknown>,
    nodes: n,
    ...(uniqueWords(meta.nodes) ? { names: meta.nodes } : {}),
    seed: meta.seed ?? 1,
    until: Math.max(1, Math.ceil(t1 - t0) + 1),
    network: {
      ...(all.length > 0 ? { default: { delay: { dist: 'table', samples: all } } } : {}),
      links,
    },
    faults,
    commands,
    workload: false,
  }
}

/** Whether the names can name the scenario's nodes: one word each, all different. */
function uniqueWords(names: string[]): boolean {
  return new Set(names).size === names.length && names.every((s) => /^\S+$/.test(s))
}
