// Real peers for the time tests: free ports, a temporary directory, and chronyd (always -x,
// its own config, 127.0.0.1, unprivileged ports), socat pseudo-terminal pairs and gpsfake,
// each started as a child process that stop() ends by its PID.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `clocklab-${prefix}-`))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

/** A UDP port that was free a moment ago (bound to 0 by the kernel, then released). */
export async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  const { port } = socket.address()
  await new Promise<void>((resolve) => socket.close(() => resolve()))
  return port
}

export async function freeTcpPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return typeof address === 'object' && address !== null ? address.port : 0
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `check` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

export interface Peer {
  process: ChildProcess
  output: () => string
  stop: () => Promise<void>
}

/** Spawns a program, keeps its output, and stops it by PID (SIGTERM, then SIGKILL). */
export function start(command: string, args: string[]): Peer {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout?.on('data', (d) => (output += d))
  child.stderr?.on('data', (d) => (output += d))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    process: child,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    },
  }
}

/**
 * chronyd as an NTP server on 127.0.0.1:port, "local stratum 8", started with -x so it never
 * touches the system clock.
 */
export async function startChronydServer(
  dir: string,
  stratum = 8,
): Promise<Peer & { port: number }> {
  const port = await freeUdpPort()
  mkdirSync(join(dir, 'log'), { recursive: true })
  const conf = join(dir, 'server.conf')
  writeFileSync(
    conf,
    [
      `port ${port}`,
      'bindaddress 127.0.0.1',
      'allow 127.0.0.1',
      `local stratum ${stratum}`,
      'cmdport 0',
      `driftfile ${join(dir, 'server.drift')}`,
      `pidfile ${join(dir, 'server.pid')}`,
      `logdir ${join(dir, 'log')}`,
    ].join('\n') + '\n',
  )
  const peer = start('chronyd', ['-x', '-d', '-u', 'root', '-f', conf])
  await waitFor('chronyd to listen', () =>
    /Disabled control of system clock/.test(peer.output()) ? true : undefined,
  )
  await sleep(200)
  return { ...peer, port }
}

/**
 * chronyd as a long-running client of 127.0.0.1:serverPort (also -x), polling every 0.25 s,
 * with a UDP command port for chronyc.
 */
export async function startChronydClient(
  dir: string,
  serverPort: number,
): Promise<Peer & { chronyc: (command: string) => string }> {
  const cmdport = await freeUdpPort()
  const conf = join(dir, 'client.conf')
  writeFileSync(
    conf,
    [
      `server 127.0.0.1 port ${serverPort} iburst minpoll -2 maxpoll -2`,
      'port 0',
      `cmdport ${cmdport}`,
      'bindcmdaddress 127.0.0.1',
      `driftfile ${join(dir, 'client.drift')}`,
      `pidfile ${join(dir, 'client.pid')}`,
    ].join('\n') + '\n',
  )
  const peer = start('chronyd', ['-x', '-d', '-u', 'root', '-f', conf])
  await waitFor('chronyd client to start', () =>
    /Disabled control of system clock/.test(peer.output()) ? true : undefined,
  )
  const chronyc = (command: string) =>
    spawnSync('chronyc', ['-h', '127.0.0.1', '-p', String(cmdport), '-n', '-c', command], {
      encoding: 'utf8',
      timeout: 10_000,
    }).stdout
  return { ...peer, chronyc }
}

/** A socat pseudo-terminal pair: write NMEA to `a`, open `b` as a serial port. */
export async function startPtyPair(dir: string): Promise<Peer & { a: string; b: string }> {
  const a = join(dir, 'ttyA')
  const b = join(dir, 'ttyB')
  const peer = start('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`])
  await waitFor('socat to link both ends', () =>
    (peer.output().match(/PTY is/g) ?? []).length >= 2 ? true : undefined,
  )
  await waitFor('socat to start transferring', () =>
    /starting data transfer loop/.test(peer.output()) ? true : undefined,
  )
  return { ...peer, a, b }
}

/** gpsfake replaying an NMEA log into a gpsd listening on 127.0.0.1:port. */
export function startGpsfake(log: string, port: number, cycleSeconds = 0.2): Peer {
  return start('gpsfake', ['-1', '-q', '-c', String(cycleSeconds), '-P', String(port), log])
}
