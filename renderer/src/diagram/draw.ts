// Draws the space-time diagram: one lane per process, an arrow per delivered message, a cross
// per lost copy, crashes (the lane goes dashed while the node is down), partitions (shaded),
// notes, snapshot cuts, the playback head and the selected event. Only what falls inside the
// window is visited (binary searches on time); when events are denser than the pixels, one
// mark per pixel is drawn, so a frame costs about the same at 500 or 500,000 events.
import { K, type TraceIndex } from '../trace/trace-index'
import type { Surface } from './surface'
import { AXIS, GUTTER, formatMs, timeTicks, type Viewport } from './viewport'

export interface DiagramColors {
  background: string
  text: string
  muted: string
  grid: string
  lane: string
  send: string
  receive: string
  local: string
  crash: string
  note: string
  message: string
  drop: string
  partition: string
  cut: string
  cursor: string
  selection: string
}

export interface DrawOptions {
  /** Events at positions below this are shown (the playback position). */
  cursor: number
  /** Time of the playback head (ms): in-flight messages are drawn up to it. */
  now: number
  /** Trace position of the selected event, or -1. */
  selected: number
  colors: DiagramColors
  font: string
}

export interface DrawStats {
  events: number
  messages: number
}

/** Above this many visible events, marks are merged per pixel and labels left out. */
const DETAIL_EVENTS = 1000
const LABEL_EVENTS = 250
const ARROW_MESSAGES = 600

export function drawDiagram(
  s: Surface,
  index: TraceIndex,
  view: Viewport,
  o: DrawOptions,
): DrawStats {
  const c = o.colors
  const { width, height } = view
  const n = index.nodeCount
  const time = index.time
  const cursor = Math.min(o.cursor, index.length)
  const lane = view.laneHeight
  const r = Math.max(2, Math.min(4.5, lane / 6))
  const stats = { events: 0, messages: 0 }

  s.save()
  s.fillStyle = c.background
  s.fillRect(0, 0, width, height)

  // Lanes that are on screen.
  const firstLane = Math.max(0, Math.floor(view.y0 / lane))
  const lastLane = Math.min(n - 1, Math.ceil((view.y0 + height - AXIS) / lane))

  // Everything in the plot area is clipped to it.
  s.save()
  s.beginPath()
  s.rect(GUTTER, AXIS, width - GUTTER, height - AXIS)
  s.clip()

  drawPartitions(s, index, view, o, cursor)
  drawGrid(s, view, c)
  drawLanes(s, index, view, o, firstLane, lastLane)
  stats.messages = drawMessages(s, index, view, o, cursor, r)
  drawCuts(s, index, view, c, cursor)
  stats.events = drawEvents(s, index, view, o, cursor, r, firstLane, lastLane)
  s.restore()

  drawAxis(s, view, c, o.font)
  drawNames(s, index, view, c, o.font, firstLane, lastLane)

  // The playback head.
  if (o.now >= view.t0 && o.now <= view.t1 && time.length > 0) {
    const x = view.x(o.now)
    s.strokeStyle = c.cursor
    s.lineWidth = 1.5
    s.setLineDash([])
    s.beginPath()
    s.moveTo(x, AXIS - 6)
    s.lineTo(x, height)
    s.stroke()
  }
  s.restore()
  return stats
}

function drawPartitions(
  s: Surface,
  index: TraceIndex,
  view: Viewport,
  o: DrawOptions,
  cursor: number,
): void {
  s.fillStyle = o.colors.partition
  for (const p of index.partitions) {
    if (p.at >= cursor) break
    const end = Math.min(p.end, o.now)
    if (end < view.t0 || p.start > view.t1) continue
    const x0 = Math.max(GUTTER, view.x(p.start))
    const x1 = Math.min(view.width, view.x(end))
    s.fillRect(x0, AXIS, Math.max(2, x1 - x0), view.height - AXIS)
    s.fillStyle = o.colors.muted
    s.font = o.font
    s.textAlign = 'left'
    s.textBaseline = 'top'
    s.fillText(
      'partition ' + p.groups.map((g) => g.map((m) => index.meta.nodes[m]).join(',')).join(' | '),
      x0 + 4,
      AXIS + 3,
    )
    s.fillStyle = o.colors.partition
  }
}

function drawGrid(s: Surface, view: Viewport, c: DiagramColors): void {
  s.strokeStyle = c.grid
  s.lineWidth = 1
  s.setLineDash([])
  s.beginPath()
  for (const t of timeTicks(view.t0, view.t1, view.plotWidth)) {
    const x = Math.round(view.x(t)) + 0.5
    s.moveTo(x, AXIS)
    s.lineTo(x, view.height)
  }
  s.stroke()
}

function drawAxis(s: Surface, view: Viewport, c: DiagramColors, font: string): void {
  s.fillStyle = c.background
  s.fillRect(GUTTER, 0, view.width - GUTTER, AXIS)
  s.fillStyle = c.muted
  s.font = font
  s.textAlign = 'center'
  s.textBaseline = 'middle'
  for (const t of timeTicks(view.t0, view.t1, view.plotWidth)) {
    const x = view.x(t)
    if (x > GUTTER + 20 && x < view.width - 20) s.fillText(formatMs(t, view.span), x, AXIS / 2)
  }
  s.strokeStyle = c.grid
  s.beginPath()
  s.moveTo(GUTTER, AXIS - 0.5)
  s.lineTo(view.width, AXIS - 0.5)
  s.stroke()
}

function drawNames(
  s: Surface,
  index: TraceIndex,
  view: Viewport,
  c: DiagramColors,
  font: string,
  firstLane: number,
  lastLane: number,
): void {
  s.fillStyle = c.background
  s.fillRect(0, 0, GUTTER, view.height)
  s.fillStyle = c.text
  s.font = font
  s.textAlign = 'right'
  s.textBaseline = 'middle'
  if (view.laneHeight < 12) return
  for (let k = firstLane; k <= lastLane; k++) {
    const y = view.laneY(k)
    if (y < AXIS) continue
    const name = index.meta.nodes[k]
    s.fillText(name.length > 9 ? name.slice(0, 8) + '…' : name, GUTTER - 10, y)
  }
}

function drawLanes(
  s: Surface,
  index: TraceIndex,
  view: Viewport,
  o: DrawOptions,
  firstLane: number,
  lastLane: number,
): void {
  const x0 = Math.max(GUTTER, view.x(0))
  const xEnd = Math.min(view.width, view.x(o.now))
  s.lineWidth = 1.5
  s.strokeStyle = o.colors.lane
  s.setLineDash([])
  s.beginPath()
  for (let k = firstLane; k <= lastLane; k++) {
    const y = Math.round(view.laneY(k)) + 0.5
    s.moveTo(x0, y)
    s.lineTo(xEnd, y)
  }
  s.stroke()
  // While a node is down its lane is drawn dashed over the background.
  for (let k = firstLane; k <= lastLane; k++) {
    const y = Math.round(view.laneY(k)) + 0.5
    for (const down of index.crashes[k]) {
      if (down.start > o.now) break
      const a = Math.max(GUTTER, view.x(down.start))
      const b = Math.min(xEnd, view.x(Math.min(down.end, o.now)))
      if (b <= a) continue
      s.strokeStyle = o.colors.background
      s.lineWidth = 3
      s.setLineDash([])
      s.beginPath()
      s.moveTo(a, y)
      s.lineTo(b, y)
      s.stroke()
      s.strokeStyle = o.colors.crash
      s.lineWidth = 1
      s.setLineDash([3, 4])
      s.beginPath()
      s.moveTo(a, y)
      s.lineTo(b, y)
      s.stroke()
    }
  }
  s.setLineDash([])
}

function drawMessages(
  s: Surface,
  index: TraceIndex,
  view: Viewport,
  o: DrawOptions,
  cursor: number,
  r: number,
): number {
  const time = index.time
  const nodeOf = index.node
  const send = index.msgSendAt
  const recv = index.msgRecvAt
  const { t0, t1 } = view
  const tMax = t1 + index.maxMessageSpan
  const start = index.firstMessageReceivedAt(t0)
  const count = index.messageCount
  // Count first: the style depends on how many there are.
  let visible = 0
  for (let m = start; m < count && time[recv[m]] <= tMax; m++)
    if (send[m] < cursor && time[send[m]] <= t1) visible++
  const arrows = visible <= ARROW_MESSAGES
  const n = index.nodeCount
  // Many messages: one line per (from, to, 3-pixel column of send, of receipt).
  const dedupe = !arrows && n <= 128
  const lastA = dedupe ? new Int32Array(n * n).fill(-1) : undefined
  const lastB = dedupe ? new Int32Array(n * n).fill(-1) : undefined

  s.strokeStyle = o.colors.message
  s.lineWidth = arrows ? 1.2 : 1
  s.globalAlpha = arrows ? 0.9 : 0.55
  s.beginPath()
  const heads: number[] = []
  let drawn = 0
  for (let m = start; m < count && time[recv[m]] <= tMax; m++) {
    const a = send[m]
    if (a >= cursor || time[a] > t1) continue
    const b = recv[m]
    const from = nodeOf[a]
    const to = nodeOf[b]
    const xa = view.x(time[a])
    const ya = view.laneY(from)
    let xb = view.x(time[b])
    let yb = view.laneY(to)
    const arrived = b < cursor
    if (!arrived) {
      // Still in flight at the playback head: draw it up to where it is now.
      const f = time[b] > time[a] ? (o.now - time[a]) / (time[b] - time[a]) : 1
      xb = xa + (xb - xa) * f
      yb = ya + (yb - ya) * f
    }
    if (lastA && lastB) {
      const key = from * n + to
      const pa = (xa / 3) | 0
      const pb = (xb / 3) | 0
      if (lastA[key] === pa && lastB[key] === pb) continue
      lastA[key] = pa
      lastB[key] = pb
    }
    s.moveTo(xa, ya)
    s.lineTo(xb, yb)
    drawn++
    if (arrows && arrived) heads.push(xa, ya, xb, yb)
  }
  s.stroke()
  s.globalAlpha = 1
  if (heads.length > 0) {
    s.fillStyle = o.colors.message
    s.beginPath()
    for (let k = 0; k < heads.length; k += 4) {
      const [xa, ya, xb, yb] = [heads[k], heads[k + 1], heads[k + 2], heads[k + 3]]
      const angle = Math.atan2(yb - ya, xb - xa)
      const tipX = xb - Math.cos(angle) * r
      const tipY = yb - Math.sin(angle) * r
      const size = 7
      s.moveTo(tipX, tipY)
      s.lineTo(tipX - size * Math.cos(angle - 0.4), tipY - size * Math.sin(angle - 0.4))
      s.lineTo(tipX - size * Math.cos(angle + 0.4), tipY - size * Math.sin(angle + 0.4))
      s.closePath()
    }
    s.fill()
  }
  drawn += drawDrops(s, index, view, o, cursor)
  return drawn
}

function drawDrops(
  s: Surface,
  index: TraceIndex,
  view: Viewport,
  o: DrawOptions,
  cursor: number,
): number {
  const time = index.time
  const nodeOf = index.node
  const { t0, t1 } = view
  const tMax = t1 + index.maxMessageSpan
  const sendAt = index.dropSendAt
  const dropAt = index.dropEventAt
  const target = index.dropTarget
  s.strokeStyle = o.colors.drop
  s.lineWidth = 1.2
  s.setLineDash([4, 3])
  s.beginPath()
  const crosses: number[] = []
  let drawn = 0
  for (let k = index.firstDropAt(t0); k < index.dropCount && time[dropAt[k]] <= tMax; k++) {
    const a = sendAt[k]
    if (dropAt[k] >= cursor || time[a] > t1) continue
    const xa = view.x(time[a])
    const ya = view.laneY(nodeOf[a])
    const xb = Math.max(view.x(time[dropAt[k]]), xa + 12)
    const yb = ya + (view.laneY(target[k]) - ya) * 0.6
    s.moveTo(xa, ya)
    s.lineTo(xb, yb)
    crosses.push(xb, yb)
    drawn++
  }
  s.stroke()
  s.setLineDash([])
  s.lineWidth = 1.8
  s.beginPath()
  for (let k = 0; k < crosses.length; k += 2) cross(s, crosses[k], crosses[k + 1], 4)
  s.stroke()
  return drawn
}

/** A run of merged marks on a lane, from x0 to x1. */
function bar(s: Surface, x0: number, x1: number, y: number): void {
  s.rect(x0 - 1.5, y - 3, x1 - x0 + 3, 6)
}

function cross(s: Surface, x: number, y: number, size: number): void {
  s.moveTo(x - size, y - size)
  s.lineTo(x + size, y + size)
  s.moveTo(x + size, y - size)
  s.lineTo(x - size, y + size)
}

function drawCuts(
  s: Surface,
  index: TraceIndex,
  view: Viewport,
  c: DiagramColors,
  cursor: number,
): void {
  s.strokeStyle = c.cut
  s.lineWidth = 2
  s.setLineDash([6, 4])
  for (const [id, at] of index.cuts) {
    const shown = at.filter((i) => i < cursor).sort((a, b) => index.node[a] - index.node[b])
    if (shown.length === 0) continue
    s.beginPath()
    shown.forEach((i, k) => {
      const x = view.x(index.time[i])
      const y = view.laneY(index.node[i])
      if (k === 0) s.moveTo(x, y - view.laneHeight / 2)
      s.lineTo(x, y)
    })
    const last = shown[shown.length - 1]
    s.lineTo(view.x(index.time[last]), view.laneY(index.node[last]) + view.laneHeight / 2)
    s.stroke()
    s.fillStyle = c.cut
    s.textAlign = 'left'
    s.textBaseline = 'bottom'
    s.fillText(`cut ${id}`, view.x(index.time[shown[0]]) + 3, view.laneY(index.node[shown[0]]) - 6)
  }
  s.setLineDash([])
}

function kindColor(k: number, c: DiagramColors): string {
  switch (k) {
    case K.Send:
      return c.send
    case K.Receive:
      return c.receive
    case K.Crash:
      return c.crash
    default:
      return c.local
  }
}

function drawEvents(
  s: Surface,
  index: TraceIndex,
  view: Viewport,
  o: DrawOptions,
  cursor: number,
  r: number,
  firstLane: number,
  lastLane: number,
): number {
  const c = o.colors
  const time = index.time
  const nodeOf = index.node
  const kind = index.kind
  const pad = 10 / view.scale
  const lo = index.firstAt(view.t0 - pad, cursor)
  const hi = index.countUpTo(view.t1 + pad, cursor)
  const dense = hi - lo > DETAIL_EVENTS
  // Process events in three colour groups (send, receive, everything else on a lane). When
  // dense, a lane's marks that touch merge into one bar: a run of pixels, one rectangle.
  const groups = [K.Send, K.Receive, -1]
  const runStart = dense ? new Float64Array(index.nodeCount) : undefined
  const runEnd = dense ? new Float64Array(index.nodeCount) : undefined
  let drawn = 0
  for (let g = 0; g < groups.length; g++) {
    const want = groups[g]
    s.fillStyle = want === -1 ? c.local : kindColor(want, c)
    s.beginPath()
    if (runStart && runEnd) {
      runStart.fill(NaN)
      runEnd.fill(NaN)
    }
    for (let i = lo; i < hi; i++) {
      const node = nodeOf[i]
      if (node < firstLane || node > lastLane) continue
      const k = kind[i]
      if (k === K.Crash) continue
      const inGroup = want === -1 ? k !== K.Send && k !== K.Receive : k === want
      if (!inGroup) continue
      const x = view.x(time[i])
      if (runStart && runEnd) {
        if (x <= runEnd[node] + 3) {
          runEnd[node] = x
          continue
        }
        if (!Number.isNaN(runStart[node])) {
          bar(s, runStart[node], runEnd[node], view.laneY(node))
          drawn++
        }
        runStart[node] = runEnd[node] = x
      } else {
        const y = view.laneY(node)
        s.moveTo(x + r, y)
        s.arc(x, y, r, 0, Math.PI * 2)
        drawn++
      }
    }
    if (runStart && runEnd)
      for (let node = firstLane; node <= lastLane; node++)
        if (!Number.isNaN(runStart[node])) {
          bar(s, runStart[node], runEnd[node], view.laneY(node))
          drawn++
        }
    s.fill()
  }

  // Crashes: a cross on the lane; recoveries: a ring.
  s.strokeStyle = c.crash
  s.lineWidth = 2
  s.beginPath()
  for (let i = lo; i < hi; i++) {
    const node = nodeOf[i]
    if (node < firstLane || node > lastLane) continue
    if (kind[i] === K.Crash) cross(s, view.x(time[i]), view.laneY(node), r + 2)
  }
  s.stroke()

  if (!dense) {
    // Notes: a small marker above the event, and its first note as a label when there is room.
    const noted = index.noted
    const labels = hi - lo <= LABEL_EVENTS && view.laneHeight >= 28
    // Where the last label on each lane ends, so labels never overprint each other.
    const labelEnd = new Float64Array(index.nodeCount).fill(-Infinity)
    s.fillStyle = c.note
    s.font = o.font
    s.textAlign = 'left'
    s.textBaseline = 'bottom'
    for (let k = 0; k < noted.length; k++) {
      const i = noted.data[k]
      if (i < lo || i >= hi) continue
      const node = nodeOf[i]
      if (node < firstLane || node > lastLane) continue
      const x = view.x(time[i])
      const y = view.laneY(node) - r - 3
      s.beginPath()
      s.moveTo(x, y - 4)
      s.lineTo(x + 3, y)
      s.lineTo(x, y + 2)
      s.lineTo(x - 3, y)
      s.closePath()
      s.fill()
      if (labels) {
        const e = index.events[i]
        const note = 'notes' in e ? e.notes?.[0] : undefined
        if (note && x + 4 > labelEnd[node]) {
          const text = noteLabel(note.kind, note.data)
          s.fillText(text, x + 4, y - 1)
          labelEnd[node] = x + 4 + text.length * 6.2 + 4
        }
      }
    }
  }

  if (o.selected >= 0 && o.selected < cursor && nodeOf[o.selected] >= 0) {
    const i = o.selected
    s.strokeStyle = c.selection
    s.lineWidth = 2.5
    s.beginPath()
    s.arc(view.x(time[i]), view.laneY(nodeOf[i]), r + 4, 0, Math.PI * 2)
    s.stroke()
  }
  return drawn
}

/** A note as a short label: its kind, and its value when that is a number or a short word. */
function noteLabel(kind: string, data: unknown): string {
  const value =
    typeof data === 'number' || (typeof data === 'string' && data.length <= 8) ? ` ${data}` : ''
  const text = kind + value
  return text.length > 20 ? text.slice(0, 19) + '…' : text
}

/** The process event drawn nearest to (x, y), within a few pixels, or -1. */
export function eventAt(
  index: TraceIndex,
  view: Viewport,
  cursor: number,
  x: number,
  y: number,
): number {
  const node = view.laneAt(y)
  if (node < 0 || Math.abs(y - view.laneY(node)) > Math.max(8, view.laneHeight / 3)) return -1
  const tol = 6 / view.scale
  const t = view.timeAt(x)
  const list = index.nodeEvents[node]
  const time = index.time
  // Binary search this node's events for the first at or after t - tol.
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (time[list.data[mid]] < t - tol) lo = mid + 1
    else hi = mid
  }
  let best = -1
  let bestDist = Infinity
  for (let k = lo; k < list.length; k++) {
    const i = list.data[k]
    if (time[i] > t + tol) break
    if (i >= cursor) break
    const d = Math.abs(time[i] - t)
    if (d < bestDist) {
      best = i
      bestDist = d
    }
  }
  return best
}
