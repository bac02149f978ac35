// End to end, in Chromium against `clocklab web`: a large recording is shown from its first
// window while the engine checks the rest; one whose problem lies past that window is then let
// go, the page comes back to Recordings with the one-line reason, and the run shown before is
// on show again. About 10 s.
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recordRun, startApp, type App } from './harness'

/** Polls as long as a loaded machine may need (expect.poll's own default is one second). */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 20_000, interval: 100 })

let app: App
let page: Page
let small: string
let large: string

beforeAll(async () => {
  ;[small, large] = await Promise.all([recordRun(4, 300, 1e6), recordRun(4, 20_000, 1e6)])
  app = await startApp(15_000)
  page = app.page
}, 120_000)

afterAll(() => app?.close())

const title = async () => (await page.locator('.run-title').first().textContent())?.trim()

async function open(name: string, text: string): Promise<void> {
  await page.getByLabel('Choose a trace file to open').setInputFiles({
    name,
    mimeType: 'application/json',
    buffer: Buffer.from(text),
  })
}

describe('opening a large recording', () => {
  it('shows a good one whole, and lets a corrupt one go with one line, keeping the run on show', async () => {
    await page.goto(app.web.url.replace(/#.*/, '') + '#/recordings')
    await open('small.json', small)
    await poll(title).toMatch(/^small\.json · vector/)

    await page.getByRole('link', { name: 'Recordings' }).click()
    await open('large.json', large)
    await poll(title).toMatch(/^large\.json · vector/)
    await page.getByRole('link', { name: 'Recordings' }).click()
    const row = page.locator('table.recordings tbody tr', { hasText: 'large.json' })
    await poll(async () => (await row.locator('td').nth(2).textContent())?.trim()).toMatch(
      /^20,00\d$/,
    )

    // A receive whose send is not earlier, far past the first window.
    const trace = JSON.parse(large) as { events: { kind: string; cause?: number }[] }
    const k = trace.events.findIndex((e, i) => i > 15_000 && e.kind === 'receive')
    trace.events[k].cause = k + 1
    await page.getByRole('link', { name: 'Simulator' }).click()
    await poll(title).toMatch(/^large\.json/)
    await page.getByRole('link', { name: 'Recordings' }).click()
    await page.locator('table.recordings').waitFor()
    const rows = await page.locator('table.recordings tbody tr').count()
    await page.getByRole('button', { name: 'Show' }).last().click() // small.json, on show again
    await poll(title).toMatch(/^small\.json/)
    await page.getByRole('link', { name: 'Recordings' }).click()
    await open('late.json', JSON.stringify(trace))

    await poll(async () => (await page.getByTestId('open-error').textContent())?.trim()).toBe(
      `late.json could not be opened: events[${k}].cause: event ${k + 1} is not an earlier send`,
    )
    expect(await page.locator('table.recordings tbody tr').count()).toBe(rows)
    await page.getByRole('link', { name: 'Simulator' }).click()
    await poll(title).toMatch(/^small\.json/)
  })
})
