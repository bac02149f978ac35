// Drives the app in a real browser: starts `clocklab web` on a free loopback port (stopped by
// its PID) and Debian's Chromium through playwright-core, in a fresh profile. Shared by the
// end-to-end tests, scripts/screenshots.ts and bench/ui.ts.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'

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
