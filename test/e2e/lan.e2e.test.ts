// End to end, in Chromium against `clocklab web`: the LAN view. Two `clocklab lan join`
// processes and the web engine form a loopback lab; a student joins it from the page (the
// passphrase is not left in the page), sees the peers, starts an experiment, watches the
// merged diagram fill while it runs, gets the verdicts, opens the run in Recordings; a
// clock-sync run fills the sync table. About 25 s (plus a build of the page if it is stale).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePorts } from '../net/lab-harness'
import { clocklabProc, stopAll } from '../net/processes'
import { joinLabInPage, startApp, type App } from './harness'

const PASSPHRASE = 'e2e lab passphrase'
let app: App
let page: Page
let ports: number[]
const stateDir = mkdtempSync(path.join(tmpdir(), 'clocklab-lan-e2e-'))

beforeAll(async () => {
  ports = await freePorts(3)
  for (const k of [1, 2])
    clocklabProc(
      [
        'lan',
        'join',
        '--lab',
        'e2e-lab',
        '--seeds',
        ports.join(','),
        '--port',
        String(ports[k]),
        '--state-dir',
        path.join(stateDir, `peer${k}`),
        '--heartbeat-ms',
        '100',
        '--name',
        k === 1 ? 'bea' : 'cal',
      ],
      [],
      { CLOCKLAB_LAB_PASSPHRASE: PASSPHRASE },
    )
  app = await startApp(15_000)
  page = app.page
}, 120_000)

afterAll(async () => {
  await app?.close()
  await stopAll()
  rmSync(stateDir, { recursive: true, force: true })
})

/** The LAN view (the Simulator stays mounted, hidden, with controls of the same names). */
const lanView = () => page.locator('.lan-layout')
const drawnEvents = async (): Promise<number> =>
  Number((await lanView().locator('canvas.diagram').getAttribute('data-events')) ?? 0)

describe('the LAN view', () => {
  it('says what to do before a lab is joined, then joins one and lists its peers', async () => {
    await page.goto(`${app.web.url}#/lan`)
    await expect.poll(() => page.getByTestId('connection').textContent()).toBe('Connected')
    await page.getByRole('heading', { name: 'No lab joined yet' }).waitFor()
    await joinLabInPage(page, { name: 'e2e-lab', passphrase: PASSPHRASE, self: 'ada', ports })

    await page.getByRole('heading', { name: 'Lab e2e-lab' }).waitFor()
    const alive = page.locator('[data-testid="lan-peers"] tr[data-health="alive"]')
    await expect.poll(() => alive.count()).toBe(3)
    for (const name of ['ada', 'bea', 'cal'])
      await page.locator(`tr[data-peer="${name}"]`).waitFor()
    // The passphrase went to the engine, and is nowhere in the page or its storage.
    const storage = await page.evaluate(
      `JSON.stringify([{ ...localStorage }, { ...sessionStorage },
        [...document.querySelectorAll('input')].map((i) => i.value)])`,
    )
    const leftovers = [await page.content(), String(storage)].some((t) => t.includes(PASSPHRASE))
    expect(leftovers).toBe(false)
  })

  it('starts an experiment; the merged diagram fills while it runs; verdicts come at the end', async () => {
    await lanView().getByLabel('Algorithm', { exact: true }).selectOption('ricart-agrawala')
    await page.getByLabel('Duration (s)').fill('4')
    await page.getByRole('button', { name: 'Start on 3 peers' }).click()
    const title = page.getByTestId('lan-run-title')
    await expect.poll(() => title.textContent()).toMatch(/ricart-agrawala · 3 nodes .* running/)
    await lanView().locator('canvas.diagram').waitFor()
    // Chunks stream in during the run: events are drawn before it is over.
    await expect.poll(drawnEvents).toBeGreaterThan(0)
    expect(await title.textContent()).toMatch(/running|collecting/)
    // A run-time fault from the page: node 0 drops half of what it sends to node 1, and
    // delays the rest by up to 5 ms at random.
    const faults = page.locator('.lan-faults')
    await faults.getByLabel('From node').selectOption('0')
    await faults.getByLabel('To node').selectOption('1')
    await faults.getByLabel('Drop %').fill('50')
    await faults.getByLabel('Jitter (ms)').fill('5')
    await page.getByRole('button', { name: 'Apply to link 0 → 1' }).click()
    // Every control of the view (the fault controls included) has a name a screen reader says.
    const controls = (await lanView().ariaSnapshot())
      .split('\n')
      .filter((l) => /^\s*- (button|textbox|combobox|spinbutton|checkbox|radio|link)\b/.test(l))
    expect(controls.length).toBeGreaterThan(15)
    expect(controls.filter((l) => !/^\s*- \w+ "[^"]+"/.test(l))).toEqual([])
    await expect
      .poll(() => page.getByTestId('faults-in-force').textContent())
      .toMatch(/link 0 → 1: drops 50%, jitter up to 5 ms/)

    await page.locator('[data-testid="lan-verdicts"] [data-checker="mutual-exclusion"]').waitFor({
      timeout: 30_000,
    })
    await expect.poll(() => title.textContent()).toMatch(/finished/)
    expect(await page.locator('[data-checker="mutual-exclusion"] .badge').textContent()).toContain(
      'holds',
    )
    expect(await drawnEvents()).toBeGreaterThan(10)
    expect(await page.getByTestId('lan-received').textContent()).toMatch(/node 2 [1-9]/)
  }, 60_000)

  it('opens the finished run in Recordings', async () => {
    await page.getByRole('button', { name: 'Open in Recordings' }).click()
    await expect.poll(() => page.url()).toMatch(/#\/recordings$/)
    await page
      .getByText(/lan-ricart-agrawala-/)
      .first()
      .waitFor()
  })

  it('charts a clock-sync run across the peers (and lists it as a table)', async () => {
    await page.getByRole('link', { name: 'LAN' }).click()
    await lanView().getByLabel('Algorithm', { exact: true }).selectOption('cristian')
    await page.getByLabel('Time server (the other nodes ask it)').selectOption({ index: 1 })
    await page.getByLabel('Duration (s)').fill('3')
    await page.getByLabel('Workload (commands/s per node)').fill('0')
    await page.getByLabel('Parameters (JSON, optional)').fill('{"periodMs": 300}')
    await page.getByRole('button', { name: 'Start on 3 peers' }).click()
    await page.getByRole('heading', { name: 'Clock sync across the peers, live' }).waitFor()
    await page
      .getByRole('group', { name: 'Show clock sync as' })
      .getByRole('button', { name: 'Table' })
      .click()
    const table = page.getByTestId('sync-table')
    // Node 1 is the time server; the two others sample it and say so.
    await expect
      .poll(async () => (await table.locator('tr[data-node="0"] td').nth(0).textContent())?.trim())
      .toMatch(/^[1-9]\d*$/)
    await expect
      .poll(() => page.getByTestId('lan-run-title').textContent(), { timeout: 30_000 })
      .toMatch(/finished/)
    expect(await table.locator('tr[data-node="2"]').textContent()).toContain('node 1 ·')
    // Without a reference peer there is no stratum, and the view says why.
    expect(await page.getByTestId('no-hierarchy').textContent()).toMatch(/No reference peer/)
  }, 60_000)

  it('leaves the lab and shows the empty state again', async () => {
    await page.getByRole('button', { name: 'Leave the lab' }).click()
    await page.getByRole('heading', { name: 'No lab joined yet' }).waitFor()
  })
})
