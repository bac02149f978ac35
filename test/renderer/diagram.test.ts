// The space-time diagram's geometry and drawing: pan and zoom keep the point under the
// pointer still; drawing visits only the visible window, hides what the playback has not
// reached, merges marks that share a pixel; the SVG export is a well-formed document.
import { describe, expect, it } from 'vitest'
import { drawDiagram, eventAt, type DiagramColors } from '../../renderer/src/diagram/draw'
import { SvgSurface } from '../../renderer/src/diagram/surface'
import { GUTTER, Viewport, timeTicks } from '../../renderer/src/diagram/viewport'
import { TraceIndex } from '../../renderer/src/trace/trace-index'
import { TraceBuilder, meta } from './trace-builder'

const colors = new Proxy({} as DiagramColors, { get: (_t, name) => `var(--${String(name)})` })

function view(t0: number, t1: number, nodes: number): Viewport {
  const v = new Viewport()
  v.resize(800 + GUTTER, 400, nodes)
  v.show(t0, t1)
  return v
}

/** A ping-pong between two nodes: one message every ms, each taking 0.5 ms. */
function pingPong(messages: number): TraceIndex {
  const b = new TraceBuilder(2)
  b.start(0)
  b.start(1)
  for (let k = 0; k < messages; k++) {
    const from = k % 2
    const s = b.send(from, [1 - from], k + 1)
    b.receive(1 - from, s, k + 1.5)
  }
  const index = new TraceIndex(meta(2))
  index.append(b.events)
  return index
}

function draw(index: TraceIndex, v: Viewport, cursor = index.length) {
  const svg = new SvgSurface(v.width, v.height)
  const stats = drawDiagram(svg, index, v, {
    cursor,
    now: index.lastTime,
    selected: -1,
    colors,
    font: '11px sans-serif',
  })
  return { stats, text: svg.toString() }
}

describe('Viewport', () => {
  it('zooms around the pointer and pans by pixels', () => {
    const v = view(0, 1000, 4)
    const x = GUTTER + 200
    const before = v.timeAt(x)
    v.zoom(4, x)
    expect(v.span).toBeCloseTo(250)
    expect(v.timeAt(x)).toBeCloseTo(before)
    v.pan(400)
    // 250 ms now span 800 px: 400 px is 125 ms.
    expect(v.t0).toBeCloseTo(before - 250 / 4 + 125)
  })

  it('scrolls lanes only as far as there are lanes', () => {
    const v = view(0, 10, 100)
    v.pan(0, 1e6)
    expect(v.y0).toBe(v.maxScroll)
    expect(v.laneAt(v.laneY(99))).toBe(99)
    v.pan(0, -1e6)
    expect(v.y0).toBe(0)
  })

  it('puts ticks on round values', () => {
    expect(timeTicks(0, 1000, 900)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000])
    expect(timeTicks(0.013, 0.031, 200)).toEqual([0.02, 0.03])
  })
})

describe('drawDiagram', () => {
  it('draws every message in a zoomed-in window, with arrowheads', () => {
    const index = pingPong(20)
    const { stats, text } = draw(index, view(0, 30, 2))
    expect(stats).toEqual({ events: 42, messages: 20 })
    expect(text.startsWith('<?xml')).toBe(true)
    expect(text.trimEnd().endsWith('</svg>')).toBe(true)
    expect(text).toContain('<text')
  })

  it('visits only the window, and nothing beyond the playback head', () => {
    const index = pingPong(1000)
    expect(draw(index, view(100, 110, 2)).stats.messages).toBeLessThan(15)
    const { stats } = draw(index, view(0, 1001, 2), 21)
    expect(stats.events).toBeLessThanOrEqual(21)
  })

  it('merges marks that touch into bars when events outnumber pixels', () => {
    const index = pingPong(50_000)
    const { stats } = draw(index, view(0, 50_001, 2))
    // Every lane is one unbroken run per colour: 2 lanes, 3 colours.
    expect(stats.events).toBeLessThanOrEqual(2 * 3)
    // One line per pair of 3-pixel columns and direction, at most.
    expect(stats.messages).toBeLessThanOrEqual((800 / 3 + 2) * 2 * 2)
    // Zoomed in, each event is its own mark again: sends at 100..110, receipts at 100.5..109.5.
    expect(draw(index, view(100, 110, 2)).stats.events).toBe(21)
  })

  it('finds the event under the pointer, but not one the playback has not reached', () => {
    const index = pingPong(10)
    const v = view(0, 12, 2)
    const send = 2
    const x = v.x(index.time[send])
    const y = v.laneY(index.node[send])
    expect(eventAt(index, v, index.length, x + 2, y + 3)).toBe(send)
    expect(eventAt(index, v, send, x, y)).toBe(-1)
    expect(eventAt(index, v, index.length, x, y + v.laneHeight / 2 - 1)).toBe(-1)
  })

  it('escapes text in the SVG export', () => {
    const b = new TraceBuilder(1)
    b.note(0, 1, '<script>&')
    const index = new TraceIndex({ ...meta(1), nodes: ['a"b'] })
    index.append(b.events)
    const { text } = draw(index, view(0, 2, 1))
    expect(text).not.toContain('<script>')
    expect(text).toContain('&#60;script&#62;&#38;')
  })
})
