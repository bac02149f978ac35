// Screenshots of each view for the README: starts `clocklab web`, drives the app in Chromium
// and saves PNGs to docs/screenshots/. Run: npx tsx scripts/screenshots.ts
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { joinLabInPage, launchChromium, ROOT, startWeb } from '../test/e2e/harness'
import { freePorts } from '../test/net/lab-harness'
import { clocklabProc, stopAll } from '../test/net/processes'
import { startChronydServer, tempDir } from '../test/time/peers'

const OUT = path.join(ROOT, 'docs', 'screenshots')

async function runScenario(page: Page, scenario: string): Promise<void> {
  await page.getByRole('link', { name: 'Simulator' }).click()
  await page.getByRole('button', { name: 'Teaching scenario' }).click()
  await page.getByLabel('Scenario', { exact: true }).selectOption(scenario)
  await page.getByRole('button', { name: 'Run', exact: true }).click()
  await page.locator('canvas.diagram').waitFor()
  await page.keyboard.press('End')
  await page.locator('.verdict-list').waitFor()
}

/**
 * The LAN view: two `clocklab lan join` processes and the page's engine on loopback, one of
 * them the reference peer of a chronyd (-x, loopback; it never sets the clock); a
 * Ricart-Agrawala run with its verdicts (lan.png), then a Cristian run served by the
 * reference peer: sync charts and the stratum hierarchy (lan-sync.png).
 */
async function lanShots(web: { url: string }): Promise<void> {
  const ports = await freePorts(3)
  const state = mkdtempSync(path.join(tmpdir(), 'clocklab-shots-'))
  const browser = await launchChromium({ width: 1440, height: 960 }, 'light')
  const page = browser.page
  page.setDefaultTimeout(30_000)
  const chrony = await startChronydServer(state)
  try {
    for (const [k, name] of [
      [1, 'bea'],
      [2, 'cal'],
    ] as const)
      clocklabProc(
        [
          'lan',
          'join',
          '--lab',
          'physics-101',
          '--seeds',
          ports.join(','),
          '--port',
          String(ports[k]),
          '--state-dir',
          path.join(state, name),
          '--name',
          name,
          ...(name === 'bea' ? ['--reference', `ntp:127.0.0.1:${chrony.port}`] : []),
        ],
        [],
        { CLOCKLAB_LAB_PASSPHRASE: 'screenshot passphrase' },
      )
    await page.goto(`${web.url}#/lan`)
    const lan = page.locator('.lan-layout')
    await joinLabInPage(page, {
      name: 'physics-101',
      passphrase: 'screenshot passphrase',
      self: 'ada',
      ports,
    })
    await lan.getByRole('button', { name: 'Start on 3 peers' }).waitFor()
    await lan.getByLabel('Algorithm', { exact: true }).selectOption('ricart-agrawala')
    await lan.getByLabel('Duration (s)').fill('4')
    await lan.getByRole('button', { name: 'Start on 3 peers' }).click()
    await lan.locator('[data-checker="mutual-exclusion"]').waitFor()
    await page.waitForTimeout(500)
    await page.screenshot({ path: path.join(OUT, 'lan.png'), fullPage: true })
    await lan.getByLabel('Algorithm', { exact: true }).selectOption('cristian')
    const server = lan.getByLabel('Time server (the other nodes ask it)')
    const options = await server.locator('option').allTextContents()
    await server.selectOption({ index: options.findIndex((o) => o.includes('bea')) })
    await lan.getByLabel('Duration (s)').fill('6')
    await lan.getByLabel('Workload (commands/s per node)').fill('0')
    await lan.getByLabel('Parameters (JSON, optional)').fill('{"periodMs": 250}')
    await lan.getByRole('button', { name: 'Start on 3 peers' }).click()
    await lan
      .getByTestId('lan-run-title')
      .filter({ hasText: /cristian .* finished/ })
      .waitFor()
    await page.waitForTimeout(500)
    // The sticky header would cover the panel's top in an element shot.
    await page.evaluate("document.querySelector('.app-header').style.position = 'static'")
    await lan.locator('.lan-sync').screenshot({ path: path.join(OUT, 'lan-sync.png') })
  } finally {
    await browser.close()
    await stopAll()
    await chrony.stop()
    rmSync(state, { recursive: true, force: true })
  }
}

/**
 * The Clocks view with live sources: two chronyd on loopback (-x: they never set the clock),
 * at strata 2 and 8, added as NTP sources; the lab clock follows the stratum-2 one.
 */
async function clocksShot(page: Page): Promise<void> {
  const dirs = [tempDir('shots-ntp'), tempDir('shots-ntp')]
  const servers = [
    await startChronydServer(dirs[0].path, 2),
    await startChronydServer(dirs[1].path, 8),
  ]
  try {
    await page.getByRole('link', { name: 'Clocks' }).click()
    await page.locator('[data-clock="realtime"]').waitFor()
    for (const s of servers) {
      await page.getByLabel('Server (HOST[:PORT])').fill(`127.0.0.1:${s.port}`)
      await page.getByRole('button', { name: 'Add source' }).click()
    }
    await page.waitForTimeout(20_000)
    await page.screenshot({ path: path.join(OUT, 'clocks.png'), fullPage: true })
    for (const s of servers)
      await page.getByRole('button', { name: `Remove NTP 127.0.0.1:${s.port}` }).click()
  } finally {
    for (const s of servers) await s.stop()
    for (const d of dirs) d.remove()
  }
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true })
  const web = await startWeb()
  try {
    // `npx tsx scripts/screenshots.ts lan`: the LAN view's only.
    if (process.argv.includes('lan')) return await lanShots(web)
    // `npx tsx scripts/screenshots.ts clocks`: the Clocks view's only.
    if (process.argv.includes('clocks')) {
      const browser = await launchChromium({ width: 1440, height: 960 }, 'light')
      await browser.page.goto(web.url)
      return await clocksShot(browser.page).finally(() => browser.close())
    }
    await lanShots(web)
    for (const theme of ['light', 'dark'] as const) {
      const browser = await launchChromium({ width: 1440, height: 960 }, theme)
      const page = browser.page
      page.setDefaultTimeout(20_000)
      try {
        await page.goto(web.url)
        await runScenario(page, 'mutex-ricart-agrawala-crash')
        // Zoom into the first part of the run and select an event, as a student would.
        const canvas = page.locator('canvas.diagram')
        await canvas.focus()
        for (let k = 0; k < 3; k++) await page.keyboard.press('+')
        for (let k = 0; k < 12; k++) await page.keyboard.press('Shift+ArrowLeft')
        const jump = page.getByRole('button', { name: /Go to event #\d+/ }).first()
        if (await jump.count()) await jump.click()
        await page.waitForTimeout(300)
        await page.screenshot({ path: path.join(OUT, `simulator-${theme}.png`) })
        if (theme === 'dark') continue

        await runScenario(page, 'snapshot-chandy-lamport')
        await page.waitForTimeout(300)
        await page.screenshot({ path: path.join(OUT, 'simulator-snapshot.png') })

        await page.getByRole('link', { name: 'Recordings' }).click()
        await page.locator('table.recordings').waitFor()
        await page.screenshot({ path: path.join(OUT, 'recordings.png') })

        await clocksShot(page)
      } finally {
        await browser.close()
      }
    }
    console.log(`screenshots saved to ${path.relative(process.cwd(), OUT) || '.'}`)
  } finally {
    await web.stop()
  }
}

await main()
