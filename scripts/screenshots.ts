// Screenshots of each view for the README: starts `clocklab web`, drives the app in Chromium
// and saves PNGs to docs/screenshots/. Run: npx tsx scripts/screenshots.ts
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { launchChromium, ROOT, startWeb } from '../test/e2e/harness'

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

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true })
  const web = await startWeb()
  try {
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

        await page.getByRole('link', { name: 'Clocks' }).click()
        await page.locator('[data-clock="realtime"]').waitFor()
        await page.waitForTimeout(8000)
        await page.screenshot({ path: path.join(OUT, 'clocks.png'), fullPage: true })
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
