// Rendering benchmark in Chromium (`npm run bench:ui`): frame times while zooming and panning
// the space-time diagram of a 50,000-event run (target: p95 under 20 ms), measured with
// requestAnimationFrame timestamps in the page; and the time from choosing a 100,000-event
// recording to the first frame of its diagram, and to all of it loaded: as the app opens it
// (the first window shown while the engine checks the rest), and, for comparison, checked
// whole before anything is shown (a second server with CLOCKLAB_OPEN_PREVIEW=off).
import type { Page } from 'playwright-core'
import { createEngineApi } from '../src/lab/engine-api'
import { launchChromium, startWeb } from '../test/e2e/harness'

const FRAMES_EVENTS = Number(process.env.CLOCKLAB_BENCH_UI_EVENTS ?? 50_000)
const RECORDING_EVENTS = Number(process.env.CLOCKLAB_BENCH_UI_RECORDING ?? 100_000)

// Code run in the page, as source text (this file is compiled for Node, without the DOM).
const IN_PAGE_FRAMES = `(async () => {
  const canvas = document.querySelector('canvas.diagram')
  const r = canvas.getBoundingClientRect()
  const at = { clientX: r.left + r.width * 0.6, clientY: r.top + r.height / 2 }
  const plan = [
    ...Array.from({ length: 45 }, () => ({ ...at, deltaY: -120 })),
    ...Array.from({ length: 30 }, () => ({ ...at, deltaY: 120 })),
    ...Array.from({ length: 90 }, (_, k) => ({ ...at, deltaY: k < 45 ? 60 : -60, shiftKey: true })),
    ...Array.from({ length: 15 }, () => ({ ...at, deltaY: 120 })),
  ]
  const stamps = []
  const drawn = []
  const lines = []
  await new Promise((done) => {
    let k = 0
    const frame = (ts) => {
      stamps.push(ts)
      drawn.push(Number(canvas.dataset.events))
      lines.push(Number(canvas.dataset.messages))
      if (k < plan.length) {
        canvas.dispatchEvent(new WheelEvent('wheel', { bubbles: true, cancelable: true, ...plan[k++] }))
        requestAnimationFrame(frame)
      } else done()
    }
    requestAnimationFrame(frame)
  })
  return { deltas: stamps.slice(2).map((t, k) => t - stamps[k + 1]), drawn, lines }
})()`

/** Notes when a file is chosen, and when the diagram first draws events after that. */
const IN_PAGE_WATCH_PAINT = `(() => {
  window.bench = {}
  document.addEventListener('change', () => (window.bench.chosen = performance.now()), true)
  new MutationObserver(() => {
    const c = document.querySelector('canvas.diagram')
    if (window.bench.painted === undefined && c && Number(c.dataset.events) > 0)
      window.bench.painted = performance.now()
  }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-events'] })
})()`

const position = async (page: Page) =>
  (await page.getByTestId('position').textContent())!.replace(/\s+/g, ' ').trim()

/** Waits until the run on show is completely loaded; returns its event count. */
async function loaded(page: Page): Promise<number> {
  for (;;) {
    const m = /of ([\d,]+)(…?)/.exec(await position(page))
    if (m && m[2] === '') return Number(m[1].replace(/,/g, ''))
    await page.waitForTimeout(100)
  }
}

function stats(frames: number[]): string {
  const s = [...frames].sort((a, b) => a - b)
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]
  return `frames=${s.length}  p50=${q(0.5).toFixed(1)} ms  p95=${q(0.95).toFixed(1)} ms  max=${s[s.length - 1].toFixed(1)} ms`
}

async function frameTimes(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Algorithm', exact: true }).click()
  await page.getByLabel('Algorithm', { exact: true }).selectOption('vector')
  await page.getByRole('spinbutton', { name: 'Nodes' }).fill('8')
  await page.getByRole('spinbutton', { name: 'Run for (ms)' }).fill('1000000')
  await page.getByText('Network and workload').click()
  await page.getByLabel('Commands per node per s').fill('20')
  await page.getByLabel('At most (events)').fill(String(FRAMES_EVENTS))
  await page.getByRole('button', { name: 'Run', exact: true }).click()
  await page.locator('canvas.diagram').waitFor()
  await page.keyboard.press('End')
  const events = await loaded(page)
  await page.keyboard.press('End')
  await page.locator('canvas.diagram').focus()
  await page.keyboard.press('0')
  await page.waitForTimeout(500)

  // Each frame: one wheel event on the canvas (zoom in, zoom out, then pan), and the frame's
  // requestAnimationFrame timestamp. The diagram redraws in the frame after the event.
  const result = (await page.evaluate(IN_PAGE_FRAMES)) as {
    deltas: number[]
    drawn: number[]
    lines: number[]
  }
  console.log(`pan and zoom, ${events.toLocaleString('en-US')}-event run (8 nodes):`)
  console.log(`  ${stats(result.deltas)}  (target p95 < 20 ms)`)
  console.log(
    `  marks drawn per frame: ${Math.min(...result.drawn)} to ${Math.max(...result.drawn)} events, ` +
      `${Math.min(...result.lines)} to ${Math.max(...result.lines)} messages`,
  )
  if (process.env.CLOCKLAB_BENCH_UI_FRAMES)
    result.deltas.forEach((d, k) =>
      console.log(k, d.toFixed(1), result.drawn[k + 2], result.lines[k + 2]),
    )
}

async function firstPaint(page: Page, url: string, recording: string, how: string): Promise<void> {
  await page.goto(url.replace(/#.*/, '') + '#/recordings')
  await page.reload()
  await page.getByLabel('Choose a trace file to open').waitFor({ state: 'attached' })
  await page.evaluate(IN_PAGE_WATCH_PAINT)
  await page.getByLabel('Choose a trace file to open').setInputFiles({
    name: 'recording.json',
    mimeType: 'application/json',
    buffer: Buffer.from(recording),
  })
  let ttfp: number | undefined
  while (ttfp === undefined) {
    await page.waitForTimeout(50)
    ttfp = (await page.evaluate(
      'window.bench.painted === undefined ? undefined : window.bench.painted - window.bench.chosen',
    )) as number | undefined
  }
  const t0 = Date.now()
  const events = await loaded(page)
  console.log(
    `recording of ${events.toLocaleString('en-US')} events (${(recording.length / 1e6).toFixed(1)} MB), ${how}: ` +
      `first paint ${(ttfp / 1000).toFixed(2)} s after choosing the file, ` +
      `all loaded ${((ttfp + Date.now() - t0) / 1000).toFixed(2)} s`,
  )
}

async function makeRecording(): Promise<string> {
  const api = createEngineApi()
  try {
    const info = await api.startRun({
      algorithm: 'vector',
      nodes: 8,
      until: 1e7,
      workloadRate: 20,
      maxEvents: RECORDING_EVENTS,
    })
    while (!(await api.runPage(info.id, 0, 1)).done) await new Promise((go) => setTimeout(go, 50))
    return await api.exportRun(info.id, 'json')
  } finally {
    api.close()
  }
}

const web = await startWeb()
const whole = await startWeb({ CLOCKLAB_OPEN_PREVIEW: 'off' })
const browser = await launchChromium({ width: 1440, height: 900 })
try {
  browser.page.setDefaultTimeout(60_000)
  await browser.page.goto(web.url)
  await frameTimes(browser.page)
  const recording = await makeRecording()
  await firstPaint(browser.page, whole.url, recording, 'checked whole first (before)')
  await firstPaint(browser.page, web.url, recording, 'first window shown while checking (now)')
} finally {
  await browser.close()
  await web.stop()
  await whole.stop()
}
