// End to end, in Chromium against `clocklab web`: a student starts a simulation and watches
// the diagram fill, pauses, steps, crashes a node, reads the checker's verdict and jumps to
// the bad event, exports the run for ShiViz; a corrupt recording is refused without losing
// the run; the Clocks view shows this machine's clocks; every control has a name; a
// token-guarded server asks for its token. About 20 s (plus a build of the page if it is stale).
import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEngineApi } from '../../src/lab/engine-api'
import { startWebServer } from '../../src/lab/web-server'
import { ROOT, startApp, type App } from './harness'

let app: App
let page: Page

beforeAll(async () => {
  app = await startApp(10_000)
  page = app.page
}, 120_000)

afterAll(() => app?.close())

const position = async (): Promise<number> =>
  Number(
    (await page.getByTestId('position').textContent())!
      .match(/event ([\d,]+)/)![1]
      .replace(/,/g, ''),
  )
const drawnEvents = async (): Promise<number> =>
  Number(await page.locator('canvas.diagram').getAttribute('data-events'))
/** An element's text, trimmed, read anew each time (for expect.poll). */
const text = (selector: string | Locator) => async () =>
  (
    await (typeof selector === 'string' ? page.locator(selector) : selector).first().textContent()
  )?.trim()
const visible = (l: Locator) => l.first().waitFor({ state: 'visible' })

describe('the Simulator', () => {
  it('starts a run from the form and the diagram fills as it plays', async () => {
    await page.goto(app.web.url)
    await expect.poll(() => page.getByTestId('connection').textContent()).toBe('Connected')
    await page.getByLabel('Algorithm', { exact: true }).selectOption('lamport')
    await page.getByRole('spinbutton', { name: 'Nodes' }).fill('4')
    await page.getByRole('spinbutton', { name: 'Seed' }).fill('3')
    await page.getByRole('spinbutton', { name: 'Run for (ms)' }).fill('1000')
    await page.getByText('Network and workload').click()
    await page.getByLabel('Commands per node per s').fill('20')
    await page.getByLabel('Playback speed').selectOption('0.1')
    await page.getByRole('button', { name: 'Run', exact: true }).click()

    await expect.poll(drawnEvents, { timeout: 10_000 }).toBeGreaterThan(4)
    const early = await drawnEvents()
    await expect.poll(drawnEvents, { timeout: 10_000 }).toBeGreaterThan(early + 10)
  })

  it('pauses, and steps one event at a time', async () => {
    await page.getByRole('button', { name: 'Pause (Space)' }).click()
    const paused = await position()
    await page.waitForTimeout(300)
    expect(await position()).toBe(paused)

    await page.keyboard.press('Home')
    await expect.poll(position).toBe(0)
    for (let k = 0; k < 30; k++) await page.keyboard.press('ArrowRight')
    await expect.poll(position).toBe(30)
    await expect.poll(text(page.getByTestId('selected-event'))).toMatch(/^#29 · /)
    await page.keyboard.press('ArrowLeft')
    await expect.poll(position).toBe(29)
  })

  it('crashes a node at the playback head; the checker flags the recovered clock', async () => {
    await page.getByLabel('Node to crash').selectOption({ label: 'n1' })
    await page.getByLabel('Recover after this many ms').fill('150')
    await page.getByRole('button', { name: 'Crash now' }).click()
    // The run is made again with the same seed and the crash just after the head: the head
    // stays where it was, and the crash follows within the events of that same instant.
    await expect.poll(() => page.getByLabel('Fault 2: kind').count()).toBe(1)
    expect(await page.getByLabel('Fault 1: kind').inputValue()).toBe('crash')
    expect(await page.getByLabel('Fault 2: kind').inputValue()).toBe('recover')
    await expect.poll(position).toBe(29)
    const seen: string[] = []
    while (seen.length < 5 && !seen.at(-1)?.endsWith('n1 crashes')) {
      await page.keyboard.press('ArrowRight')
      seen.push((await text(page.getByTestId('selected-event'))())!)
    }
    expect(seen.at(-1)).toMatch(/^#(29|3\d) · n1 crashes$/)
    const n1 = page.getByTestId('node-table').locator('tbody tr').nth(1).locator('td')
    await expect.poll(text(n1.nth(0))).toBe('crashed')

    await page.keyboard.press('End')
    const verdict = page.locator('[data-checker="clock-condition"]')
    await expect.poll(text(verdict)).toContain('✗ violated')
    await expect.poll(text('[data-checker="causality"]')).toContain('✓ holds')

    const jump = verdict.getByRole('button', { name: /Go to event #\d+/ }).first()
    const at = Number((await jump.textContent())!.match(/#(\d+)/)![1])
    await jump.click()
    await expect.poll(position).toBe(at + 1)
    await expect.poll(text(page.getByTestId('selected-event'))).toMatch(new RegExp(`^#${at} · `))
    // By then node 1 has come back: up again, in its second incarnation.
    await expect.poll(text(n1.nth(0))).toBe('up')
    expect(await text(n1.nth(1))()).toBe('1')
  })

  it('exports the run for ShiViz', async () => {
    await page.getByRole('link', { name: 'Recordings' }).click()
    const download = page.waitForEvent('download')
    await page
      .getByRole('button', { name: /Export lamport for ShiViz/ })
      .first()
      .click()
    const file = await (await download).path()
    const shiviz = readFileSync(file, 'utf8')
    const lines = shiviz.split('\n')
    expect(lines[0]).toBe(String.raw`(?<event>.*)\n(?<host>\S*) (?<clock>{.*})`)
    expect(lines[1]).toBe('')
    const hosts = lines.filter((l) => /^n\d \{/.test(l))
    expect(new Set(hosts.map((l) => l.split(' ')[0]))).toEqual(new Set(['n0', 'n1', 'n2', 'n3']))
    for (const h of hosts) expect(() => JSON.parse(h.slice(3))).not.toThrow()
    expect(shiviz).toMatch(/^crash\nn1 \{/m)
    expect(shiviz).toMatch(/^recover \(incarnation 1\)\nn1 \{/m)
  })

  it('refuses a corrupt recording, says why, and keeps the run', async () => {
    const rows = await page.locator('table.recordings tbody tr').count()
    await page.getByLabel('Choose a trace file to open').setInputFiles({
      name: 'broken.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"format":"clocklab-trace","version":1,"meta":{"source":"sim"'),
    })
    await expect
      .poll(text(page.getByTestId('open-error')))
      .toMatch(/^broken\.json could not be opened: not JSON/)
    expect(await page.locator('table.recordings tbody tr').count()).toBe(rows)
    await page.getByRole('link', { name: 'Simulator' }).click()
    await expect.poll(text('.run-title')).toMatch(/^lamport · 4 nodes · seed 3/)
  })

  it('opens a recording saved from a run and shows it in the simulator', async () => {
    await page.getByRole('link', { name: 'Recordings' }).click()
    const download = page.waitForEvent('download')
    await page
      .getByRole('button', { name: /Save lamport as JSON/ })
      .first()
      .click()
    const saved = readFileSync(await (await download).path(), 'utf8')
    await page.getByLabel('Choose a trace file to open').setInputFiles({
      name: 'saved-run.json',
      mimeType: 'application/json',
      buffer: Buffer.from(saved),
    })
    await expect.poll(text('.run-title')).toMatch(/^saved-run\.json · lamport/)
    await page.keyboard.press('End')
    await expect.poll(drawnEvents).toBeGreaterThan(10)
  })
})

describe('the Clocks view', () => {
  it('shows this machine’s clocks, read live', async () => {
    await page.getByRole('link', { name: 'Clocks' }).click()
    const wall = page.getByTestId('clock-table').locator('tr[data-clock="realtime"] td').first()
    await expect.poll(text(wall)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC$/)
    const shown = Date.parse((await wall.textContent())!.replace(' UTC', 'Z').replace(' ', 'T'))
    expect(Math.abs(shown - Date.now())).toBeLessThan(10_000)
    const mono = page.getByTestId('clock-table').locator('tr[data-clock="monotonic"] td').first()
    const first = await mono.textContent()
    await expect.poll(() => mono.textContent(), { timeout: 5000 }).not.toBe(first)
    await page.getByRole('button', { name: 'Table' }).click()
    await visible(page.locator('.offset-chart tbody tr'))
  })
})

describe('accessibility', () => {
  it('names every control in every view, and offers the charts as tables', async () => {
    for (const view of ['Simulator', 'Recordings', 'Clocks']) {
      await page.getByRole('link', { name: view }).click()
      await page.waitForTimeout(300)
      const tree = await page.locator('body').ariaSnapshot()
      const controls = tree
        .split('\n')
        .filter((l) =>
          /^\s*- (button|textbox|combobox|spinbutton|checkbox|radio|slider|link)\b/.test(l),
        )
      expect(controls.length, view).toBeGreaterThan(3)
      const unnamed = controls.filter((l) => !/^\s*- \w+ "[^"]+"/.test(l))
      expect(unnamed, view).toEqual([])
    }
    // The diagram and the offset chart each have a table view.
    await page.getByRole('link', { name: 'Simulator' }).click()
    await page.getByRole('button', { name: 'Table' }).click()
    await visible(page.getByRole('table').filter({ hasText: 'What happened' }))
    await page.getByRole('button', { name: 'Diagram' }).click()
  })
})

describe('a server that needs a token', () => {
  it('asks for the token, refuses a wrong one and connects with the right one', async () => {
    const api = createEngineApi()
    const server = await startWebServer({
      api,
      rendererDir: path.join(ROOT, 'out', 'renderer'),
      host: '127.0.0.1',
      port: 0,
      token: 'c0ffee'.repeat(4),
    })
    try {
      const plain = server.url.replace(/#.*/, '')
      await page.goto(plain)
      await visible(page.getByRole('heading', { name: 'This lab needs its token' }))
      await page.getByLabel('Token', { exact: true }).fill('wrong')
      await page.getByRole('button', { name: 'Connect' }).click()
      await expect.poll(text(page.getByRole('alert'))).toContain('wrong token')
      await page.getByLabel('Token', { exact: true }).fill('c0ffee'.repeat(4))
      await page.getByRole('button', { name: 'Connect' }).click()
      await expect.poll(() => page.getByTestId('connection').textContent()).toBe('Connected')

      // A link with the token connects at once, and the token leaves the address bar.
      await page.goto('about:blank')
      await page.goto(server.url)
      await expect.poll(() => page.getByTestId('connection').textContent()).toBe('Connected')
      expect(page.url()).not.toContain('token')
    } finally {
      await server.close()
      api.close()
    }
  })
})
