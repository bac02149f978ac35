// Turns a serialized trace into chart series: per node, (event index, Lamport time) for each
// event on that node's line. Network-only events (drops, partitions) have no node and are
// skipped.

export interface Point {
  x: number
  y: number
}

export interface NodeSeries {
  node: number
  name: string
  points: Point[]
}

interface RawEvent {
  i?: unknown
  node?: unknown
  lamport?: unknown
  kind?: unknown
}

export function lamportSeries(traceJson: string): NodeSeries[] {
  const trace = JSON.parse(traceJson) as { events?: unknown; meta?: { nodes?: unknown } }
  const events = Array.isArray(trace.events) ? (trace.events as RawEvent[]) : []
  const names = Array.isArray(trace.meta?.nodes) ? (trace.meta.nodes as unknown[]) : []
  const byNode = new Map<number, Point[]>()
  events.forEach((e, index) => {
    if (typeof e.node !== 'number' || typeof e.lamport !== 'number') return
    const x = typeof e.i === 'number' ? e.i : index
    let points = byNode.get(e.node)
    if (!points) byNode.set(e.node, (points = []))
    points.push({ x, y: e.lamport })
  })
  return [...byNode.entries()]
    .sort(([a], [b]) => a - b)
    .map(([node, points]) => {
      const name = names[node]
      return { node, name: typeof name === 'string' ? name : `n${node}`, points }
    })
}
