// End to end, in Chromium against `clocklab web`: the Clocks view's live time sources. A GPS
// receiver on a socat pseudo-terminal fed from a shipped NMEA log: its readings appear, and
// when socat is killed the view says the device disappeared and keeps the chart's data; an
// NTP source on a chronyd the test starts (-x, 127.0.0.1: the system clock is never touched)
// shows its stratum and offset, and the lab clock and the stratum graph follow it. About 15 s.
import { realpathSync } from 'node:fs'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { feedNmea, type NmeaFeed } from '../lab/nmea-feed'
import { startChronydServer, startPtyPair, tempDir, type Peer } from '../time/peers'
import { startApp, type App } from './harness'

/** Polls as long as a loaded machine may need (expect.poll's own default is one second). */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 20_000, interval: 100 })

let app: App
let page: Page
const cleanup: (() => unknown)[] = []

beforeAll(async () => {
  app = await startApp(15_000)
  page = app.page
}, 120_000)

afterAll(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
  await app?.close()
})

const text = (l: Locator) => async () => (await l.first().textContent())?.trim()
/** Rows of a SeriesChart's table view. */
const tableRows = (testid: string) => page.getByTestId(testid).locator('tbody tr')

async function addSource(kind: 'ntp' | 'gps' | 'gpsd', target: string): Promise<void> {
  await page.getByLabel('Kind of time source').selectOption(kind)
  await page.getByLabel(kind === 'gps' ? 'Serial port' : 'Server (HOST[:PORT])').fill(target)
  await page.getByRole('button', { name: 'Add source' }).click()
}

describe('the Clocks view with live time sources', () => {
  it('reads a GPS on a serial port, says when it disappears, and keeps its chart', async () => {
    const dir = tempDir('e2e-gps')
    cleanup.push(() => dir.remove())
    const pty: Peer & { a: string; b: string } = await startPtyPair(dir.path)
    cleanup.push(() => pty.stop())
    // The user picks the device itself, /dev/pts/N, as a USB receiver's /dev/ttyUSB0.
    const device = realpathSync(pty.b)
    const feed: NmeaFeed = feedNmea(pty.a, 500)
    cleanup.push(() => feed.stop())

    await page.goto(app.web.url + '#/clocks')
    await page.getByRole('link', { name: 'Clocks' }).click()
    await page.getByLabel('Kind of time source').selectOption('gps')
    await poll(text(page.getByTestId('port-hint'))).toMatch(/Ports found|No serial port/)
    await addSource('gps', device)

    const row = page.locator(`tr[data-source="gps ${device}"]`)
    await poll(text(row.locator('[data-field="state"]'))).toBe('running')
    await poll(text(row.locator('[data-field="stratum"]'))).toBe('0')
    expect(await text(row.locator('[data-field="refid"]'))()).toBe('GPS')
    await poll(async () =>
      Number((await text(row.locator('[data-field="age"]'))())?.match(/\((\d+) in all\)/)?.[1]),
    ).toBeGreaterThanOrEqual(4)
    await poll(text(row.locator('[data-field="drift"]'))).toMatch(/±/)
    await poll(text(page.getByTestId('lab-clock'))).toContain(`GPS ${device}`)

    const chart = page.getByTestId('source-offset-chart')
    await chart.getByRole('button', { name: 'Table' }).click()
    await poll(() => tableRows('source-offset-chart').count()).toBeGreaterThanOrEqual(4)
    const kept = await tableRows('source-offset-chart').count()

    await pty.stop() // socat ends: the pseudo-terminal vanishes mid-read
    const problem = page.locator(`[data-problem="gps ${device}"]`)
    await poll(text(problem)).toMatch(new RegExp(`^GPS on ${device} disappeared: `))
    await poll(text(row.locator('[data-field="state"]'))).toBe('lost')
    await poll(text(row.locator('[data-field="errors"]'))).toMatch(/1 device-lost/)
    // What was collected stays on show.
    expect(await tableRows('source-offset-chart').count()).toBeGreaterThanOrEqual(kept)
    await chart.getByRole('button', { name: 'Chart' }).click()
    await page.getByTestId('source-offset-chart').locator('canvas').waitFor()

    await page.getByRole('button', { name: `Remove GPS ${device}` }).click()
    await poll(() => row.count()).toBe(0)
  })

  it('shows the stratum and offset of chronyd as an NTP source, and the lab clock below it', async () => {
    const dir = tempDir('e2e-ntp')
    cleanup.push(() => dir.remove())
    const chronyd = await startChronydServer(dir.path, 8)
    cleanup.push(() => chronyd.stop())
    const address = `127.0.0.1:${chronyd.port}`
    await addSource('ntp', address)

    const row = page.locator(`tr[data-source="ntp ${address}"]`)
    await poll(text(row.locator('[data-field="stratum"]'))).toBe('8')
    const offset = Number(await text(row.locator('[data-field="offset"]'))())
    expect(Math.abs(offset)).toBeLessThan(20)
    await poll(text(page.getByTestId('lab-clock'))).toMatch(/Stratum of this host\s*9/)

    await page.getByText('The hierarchy as text').click()
    await poll(text(page.getByTestId('stratum-list'))).toMatch(
      new RegExp(
        `NTP ${address}: stratum 8[\\s\\S]*lab clock of .*: stratum 9, follows NTP ${address}`,
      ),
    )

    // A bad address is refused in one line, and nothing else changes.
    await addSource('ntp', 'a:b:c')
    await poll(text(page.getByTestId('add-source-error'))).toMatch(/is not HOST, HOST:PORT/)
    expect(await page.locator('tr[data-source]').count()).toBe(1)
  })
})
