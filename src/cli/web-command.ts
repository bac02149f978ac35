// `clocklab web`: serves the app in a browser (the built page and the typed API over a
// WebSocket), building the page first when it is missing or older than its sources. Runs
// until interrupted. Loopback by default; another address prints a link with a token.
import { spawnSync } from 'node:child_process'
import { InvalidArgumentError, type Command } from 'commander'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { networkInterfaces } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { InputError } from '../core/errors'
import { createEngineApi } from '../lab/engine-api'
import { isLoopback, newToken } from '../lab/web-auth'
import { startWebServer } from '../lab/web-server'

export interface WebFlags {
  port: number
  bind: string
}

export const DEFAULT_WEB_PORT = 4780

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const rendererDir = path.join(root, 'out', 'renderer')
/** What the built page is made from; if any is newer than the build, it is rebuilt. */
const sources = [
  'renderer',
  'src/lab/api-methods.ts',
  'src/lab/web-protocol.ts',
  'electron.vite.config.ts',
]

function newestMtime(p: string): number {
  const s = statSync(p, { throwIfNoEntry: false })
  if (s === undefined) return 0
  if (!s.isDirectory()) return s.mtimeMs
  return Math.max(s.mtimeMs, ...readdirSync(p).map((f) => newestMtime(path.join(p, f))))
}

/** Builds the page if it is missing or stale (in a checkout, where its sources are). */
export function ensureRendererBuilt(log: (line: string) => void): string {
  const index = path.join(rendererDir, 'index.html')
  const built = existsSync(index) ? statSync(index).mtimeMs : 0
  const haveSources = existsSync(path.join(root, 'renderer'))
  if (
    built > 0 &&
    (!haveSources || Math.max(...sources.map((s) => newestMtime(path.join(root, s)))) <= built)
  )
    return rendererDir
  if (!haveSources)
    throw new InputError(`the app's page is not built and its sources are missing (${index})`)
  const bin = path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js')
  if (!existsSync(bin))
    throw new InputError(
      "the app's page needs building, but electron-vite is not installed (npm ci installs it)",
    )
  log(
    built === 0
      ? "clocklab web: building the app's page (npx electron-vite build), a few seconds…"
      : "clocklab web: the app's sources changed; rebuilding its page (npx electron-vite build)…",
  )
  const r = spawnSync(process.execPath, [bin, 'build'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  if (r.status !== 0 || !existsSync(index))
    throw new InputError(`building the app's page failed; run npx electron-vite build to see why`)
  return rendererDir
}

/** Whether this machine can listen on `address`: a wildcard, a loopback name, or its own. */
function isLocalAddress(address: string): boolean {
  const host = address.replace(/^\[(.*)\]$/, '$1')
  if (host === '0.0.0.0' || host === '::' || isLoopback(host)) return true
  return Object.values(networkInterfaces()).some((list) =>
    (list ?? []).some((i) => i.address === host),
  )
}

export async function webCommand(flags: WebFlags): Promise<number> {
  if (!isLocalAddress(flags.bind))
    throw new InputError(
      `--bind ${flags.bind}: not an address of this machine (use 127.0.0.1, 0.0.0.0 or one of its interfaces)`,
    )
  const dir = ensureRendererBuilt((line) => process.stderr.write(line + '\n'))
  const loopback = isLoopback(flags.bind)
  const api = createEngineApi()
  let server
  try {
    server = await startWebServer({
      api,
      rendererDir: dir,
      host: flags.bind,
      port: flags.port,
      ...(loopback ? {} : { token: newToken() }),
    })
  } catch (err) {
    api.close()
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE')
      throw new InputError(`--port ${flags.port}: in use (--port 0 picks a free one)`)
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      throw new InputError(`--bind ${flags.bind}: not an address of this machine`)
    if (code === 'EACCES')
      throw new InputError(`--port ${flags.port}: not allowed (try one above 1023)`)
    throw err
  }
  api.warm()
  console.log(`ClockLab is served at ${server.url}`)
  if (loopback) console.log('Only this machine can connect. Stop with Ctrl+C.')
  else
    console.log(
      'Anyone who can reach this address and has the link (its token) can use the lab.\n' +
        'Open the link above, or give the token when the page asks. Stop with Ctrl+C.',
    )
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  await server.close()
  api.close()
  return 0
}

function port(value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value.trim()) || n > 65535)
    throw new InvalidArgumentError('expected a port number, 0 to 65535 (0: any free port)')
  return n
}

/** Adds `clocklab web` to the program; `exit.code` is set when the server stops. */
export function registerWebCommand(program: Command, exit: { code: number }): void {
  program
    .command('web')
    .description('serve the app to a browser: the same lab, over HTTP and a WebSocket')
    .option('-p, --port <port>', 'port to listen on (0: any free port)', port, DEFAULT_WEB_PORT)
    .option(
      '-b, --bind <address>',
      'address to listen on; anything but loopback prints a link with a token',
      '127.0.0.1',
    )
    .addHelpText(
      'after',
      `
Examples:
  clocklab web                      # http://127.0.0.1:${DEFAULT_WEB_PORT}/ on this machine only
  clocklab web --bind 0.0.0.0       # watch a headless box from a laptop (token required)`,
    )
    .action(async (flags: WebFlags) => {
      exit.code = await webCommand(flags)
    })
}
