// The time commands end to end: `clocklab clocks` (one table of every clock, the RTC and the
// kernel state; --json; --watch; the fallback without the native binding) and `clocklab ntp`
// (query one-shot and continuous against a ClockLab server, serve unsynchronized, and the
// one-line errors for bad input).
import { createSocket } from 'node:dgram'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NtpServer } from '../../src/time/ntp/server'
import { unixNsToNtp } from '../../src/time/ntp/timestamp'
import { freeUdpPort, start, waitFor } from './peers'
import { clocklabAsync } from './run'
import { fileURLToPath } from 'node:url'

const BIN = fileURLToPath(new URL('../../bin/clocklab.mjs', import.meta.url))

/** One line on stderr, exit code 2, and nothing that looks like a stack trace. */
async function expectInputError(args: string[], pattern: RegExp): Promise<void> {
  const r = await clocklabAsync(args)
  expect(r.code, r.stderr).toBe(2)
  const lines = r.stderr.trim().split('\n')
  expect(lines).toHaveLength(1)
  expect(lines[0]).toMatch(/^clocklab: /)
  expect(lines[0]).toMatch(pattern)
}

describe('clocklab clocks', () => {
  it('prints every clock, the RTC and the kernel state in one table', async () => {
    const r = await clocklabAsync(['clocks'])
    expect(r.code).toBe(0)
    const lines = r.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^Clocks via koffi → libc\.so\.6/)
    expect(lines[1]).toMatch(/^SOURCE\s+VALUE\s+DETAIL$/)
    const rows = lines.slice(2).map((l) => l.split(/\s{2,}/)[0])
    expect(rows).toEqual([
      'realtime',
      'monotonic',
      'monotonic-raw',
      'boottime',
      'tai',
      expect.stringMatching(/^rtc/),
      'kernel state',
      'kernel offset',
      'kernel frequency',
      'kernel error',
      'kernel TAI offset',
      'monotonic vs raw',
    ])
    expect(r.stdout).toMatch(
      /^realtime\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z\s+res 1 ns · read \d+ ns · clock_gettime\(CLOCK_REALTIME\)$/m,
    )
    expect(r.stdout).toMatch(
      /^monotonic vs raw\s+[-+]\d+\.\d{3} ppm\s+± \d+\.\d{3} ppm over \d+ ms/m,
    )
  })

  it('says what is missing and why without the native binding', async () => {
    const r = await clocklabAsync(['clocks'], { ...process.env, CLOCKLAB_NATIVE: 'off' })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^Clocks via Node only \(CLOCKLAB_NATIVE=off\)/)
    expect(r.stdout).toMatch(/^realtime .*Date\.now\(\) \(whole milliseconds\)$/m)
    for (const row of ['monotonic-raw', 'boottime', 'tai', 'kernel state'])
      expect(r.stdout).toMatch(
        new RegExp(`^${row}\\s+not available\\s+needs a native binding`, 'm'),
      )
  })

  it('--json gives the same data to programs', async () => {
    const r = await clocklabAsync(['clocks', '--json'])
    const data = JSON.parse(r.stdout)
    expect(data.clocks.map((c: { id: string }) => c.id)).toEqual([
      'realtime',
      'monotonic',
      'monotonic-raw',
      'boottime',
      'tai',
    ])
    expect(typeof data.rtc.visible).toBe('boolean')
    expect(data.kernel.ok).toBe(true)
    expect(BigInt(data.clocks[0].ns) > 1_600_000_000_000_000_000n).toBe(true)
  })

  it('--watch refreshes the table (here twice)', async () => {
    const r = await clocklabAsync(['clocks', '--watch', '--count', '2', '--interval', '100'])
    expect(r.code).toBe(0)
    expect(r.stdout.match(/^Clocks via /gm)).toHaveLength(2)
    expect(r.stdout).toMatch(/over 1\d\d ms/)
  })

  it('rejects a bad interval in one line', () =>
    expectInputError(['clocks', '--watch', '--interval', '0'], /interval/))
})

describe('clocklab ntp', () => {
  let server: NtpServer

  beforeAll(async () => {
    server = await NtpServer.start({
      port: 0,
      reference: () => ({
        leap: 0,
        stratum: 1,
        referenceId: 0x47505300,
        referenceTimestamp: unixNsToNtp(BigInt(Date.now()) * 1_000_000n),
        rootDelay: 0,
        rootDispersion: 0.0001,
      }),
    })
  })
  afterAll(() => server.close())

  it('query: offset, delay, stratum and refid of one exchange', async () => {
    const r = await clocklabAsync(['ntp', 'query', `127.0.0.1:${server.address().port}`])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^server {11}127\.0\.0\.1:\d+ \(NTPv4\)$/m)
    expect(r.stdout).toMatch(/^offset {11}[-+]\d\.\d{9} s$/m)
    expect(r.stdout).toMatch(/^stratum {10}1$/m)
    expect(r.stdout).toMatch(/^refid {12}GPS$/m)
  })

  it('query --json and --ntp-version 3', async () => {
    const r = await clocklabAsync([
      'ntp',
      'query',
      `127.0.0.1:${server.address().port}`,
      '--json',
      '--ntp-version',
      '3',
    ])
    const [m] = JSON.parse(r.stdout)
    expect(m).toMatchObject({
      version: 3,
      stratum: 1,
      refid: 'GPS',
      server: `127.0.0.1:${server.address().port}`,
    })
    expect(typeof m.t1).toBe('string')
  })

  it('query --continuous: rounds through the filter and selection, with a system peer', async () => {
    const at = `127.0.0.1:${server.address().port}`
    const r = await clocklabAsync([
      'ntp',
      'query',
      at,
      at,
      at,
      '--continuous',
      '--count',
      '3',
      '--interval',
      '50',
    ])
    expect(r.code).toBe(0)
    expect(r.stdout.match(/^round \d$/gm)).toEqual(['round 1', 'round 2', 'round 3'])
    expect(r.stdout).toMatch(
      /^ {2}\* 127\.0\.0\.1:\d+ +offset [-+]\d\.\d{9} s {2}delay \d\.\d{6} s {2}stratum 1 {2}filtered/m,
    )
    expect(r.stdout).toMatch(/^ {2}combined offset [-+]\d\.\d{9} s {2}stratum 2 if followed/m)
  })

  it('query: exit 1 with the reason when nothing answers', async () => {
    const port = await freeUdpPort()
    const r = await clocklabAsync(['ntp', 'query', `127.0.0.1:${port}`, '--timeout', '200'])
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/^error {12}no reply from 127\.0\.0\.1:\d+ in 200 ms$/m)
  })

  it('rejects bad input in one line', async () => {
    await expectInputError(
      ['ntp', 'query', 'host:99999'],
      /host:99999: 'host:99999' is not HOST, HOST:PORT or \[IPv6\]:PORT/,
    )
    await expectInputError(['ntp', 'query', 'x', '--ntp-version', '5'], /ntp-version/)
    await expectInputError(
      ['ntp', 'query', 'no-such-host.invalid'],
      /cannot resolve no-such-host\.invalid/,
    )
    await expectInputError(['ntp', 'serve', '--port', '70000'], /port/)
    await expectInputError(
      ['ntp', 'serve', '--port', String(server.address().port)],
      /is in use on 127\.0\.0\.1/,
    )
    await expectInputError(
      ['ntp', 'serve', '--port', '0', '--bind', '192.0.2.1'],
      /--bind 192\.0\.2\.1: not an address of this machine/,
    )
  })

  it('serve without a source: answers, unsynchronized, and clients refuse it', async () => {
    const port = await freeUdpPort()
    const serve = start(process.execPath, [BIN, 'ntp', 'serve', '--port', String(port)])
    try {
      await waitFor('the server', () =>
        /listening on 127\.0\.0\.1:\d+; sources: none/.test(serve.output()) ? true : undefined,
      )
      expect(serve.output()).toMatch(/unsynchronized \(leap 3, stratum 16\): no usable source/)
      const r = await clocklabAsync(['ntp', 'query', `127.0.0.1:${port}`])
      expect(r.code).toBe(1)
      expect(r.stdout).toMatch(/error {12}the server says it is unsynchronized/)
      // Garbage is dropped and counted.
      const s = createSocket('udp4')
      await new Promise((resolve) => s.send('garbage', port, '127.0.0.1', resolve))
      s.close()
    } finally {
      await serve.stop()
    }
    expect(serve.output()).toMatch(/served 1 of 2 requests; dropped \{ "truncated": 1 \}/)
  })
})
