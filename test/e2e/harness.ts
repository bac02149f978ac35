// Drives the app in a real browser: starts `clocklab web` on a free loopback port (stopped by
// its PID) and Debian's Chromium through playwright-core, in a fresh profile; records a run
// to open, and joins a loopback lab from the LAN view's form. Shared by the end-to-end tests,
// scripts/screenshots.ts and bench/ui.ts.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { createEngineApi } from '../../src/lab/engine-api'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const CHROMIUM = process.env.CLOCKLAB_CHROMIUM ?? '/usr/bin/chromium'

export interface WebProcess {
  url: string
  pid: number
  stop(): Promise<void>
}

/**
 * Starts `clocklab web --port 0` (it builds the page first if needed), with `env` added to
 * its environment; resolves with its URL.
 */
export function startWeb(env: Record<string, string> = {}): Promise<WebProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(ROOT, 'bin', 'clocklab.mjs'), 'web', '--port', '0', '--bind', '127.0.0.1'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  )
  const pid = child.pid!
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    process.kill(pid, 'SIGTERM')
    const timer = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL')
    }, 5000)
    await exited
    clearTimeout(timer)
  }
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /served at (http:\/\/\S+)/.exec(out)
      if (m) resolve({ url: m[1], pid, stop })
    })
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
    child.once('exit', (code) => reject(new Error(`clocklab web exited (${code}): ${err.trim()}`)))
  })
}

export interface Browser {
  context: BrowserContext
  page: Page
  close(): Promise<void>
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** Chromium with a fresh profile in a temporary directory, removed on close. */
export async function launchChromium(
  viewport = { width: 1440, height: 900 },
  colorScheme: 'light' | 'dark' = 'light',
): Promise<Browser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'clocklab-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    colorScheme,
    acceptDownloads: true,
  })
  const page = context.pages()[0] ?? (await context.newPage())
  return {
    context,
    page,
    async close() {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

/** `clocklab web` and Chromium on it, for one test file (its afterAll calls close). */
export interface App {
  web: WebProcess
  browser: Browser
  page: Page
  close(): Promise<void>
}

/** Starts `clocklab web` and Chromium; the page waits up to `timeoutMs` for each action. */
export async function startApp(timeoutMs: number): Promise<App> {
  const web = await startWeb()
  const browser = await launchChromium().catch(async (err: unknown) => {
    await web.stop()
    throw err
  })
  browser.page.setDefaultTimeout(timeoutMs)
  return {
    web,
    browser,
    page: browser.page,
    async close() {
      await browser.close()
      await web.stop()
    },
  }
}

/**
 * A vector-clock run of `nodes` nodes (a command per node every 50 ms, at most `maxEvents`
 * events), simulated by the engine in this process and exported as a recording's JSON.
 */
export async function recordRun(nodes: number, maxEvents: number, until: number): Promise<string> {
  const api = createEngineApi()
  try {
    const info = await api.startRun({
      algorithm: 'vector',
      nodes,
      until,
      workloadRate: 20,
      maxEvents,
    })
    while (!(await api.runPage(info.id, 0, 1)).done) await new Promise((go) => setTimeout(go, 20))
    return await api.exportRun(info.id, 'json')
  } finally {
    api.close()
  }
}

/** Joins a loopback lab from the LAN view's form: this page's engine takes the first port. */
export async function joinLabInPage(
  page: Page,
  lab: { name: string; passphrase: string; self: string; ports: number[] },
): Promise<void> {
  const view = page.locator('.lan-layout')
  await view.getByLabel('Lab name').fill(lab.name)
  await view.getByLabel('Passphrase (at least 8 characters)').fill(lab.passphrase)
  await view.getByLabel('Your name in the lab (optional)').fill(lab.self)
  await view.getByText('More: network interface, time reference, loopback').click()
  await view.getByLabel('Loopback mode (one machine, no multicast: for tests)').check()
  await view.getByLabel("Ports of the lab's peers on 127.0.0.1").fill(lab.ports.join(', '))
  await view.getByLabel("This workstation's port (one of them)").fill(String(lab.ports[0]))
  await view.getByRole('button', { name: 'Join the lab' }).click()
}
