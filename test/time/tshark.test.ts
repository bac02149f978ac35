// tshark's NTP dissector decodes ClockLab's packets without warnings: client requests (v4 and
// v3), a synchronized server's replies and an unsynchronized server's, captured on loopback.
import { spawnSync } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { queryNtp } from '../../src/time/ntp/client'
import { NtpServer } from '../../src/time/ntp/server'
import { unixNsToNtp } from '../../src/time/ntp/timestamp'
import { freeUdpPort, start, tempDir, waitFor } from './peers'

let dir: ReturnType<typeof tempDir>
let capture: string
let ports: number[]

const tshark = (...args: string[]) =>
  spawnSync(
    'tshark',
    ['-r', capture, ...ports.flatMap((p) => ['-d', `udp.port==${p},ntp`]), ...args],
    {
      encoding: 'utf8',
      timeout: 30_000,
    },
  )

beforeAll(async () => {
  dir = tempDir('tshark')
  capture = join(dir.path, 'ntp.pcapng')
  ports = [await freeUdpPort(), await freeUdpPort()]
  const probePort = await freeUdpPort()
  const filter = [...ports, probePort].map((p) => `udp port ${p}`).join(' or ')
  // -P -l: also print each packet as it is captured, so we know when all are in.
  const sniffer = start('tshark', ['-i', 'lo', '-f', filter, '-w', capture, '-P', '-l'])
  try {
    // tshark says "Capturing on" a little before it captures: probe until it sees a packet.
    const probe = createSocket('udp4')
    try {
      await waitFor('tshark to capture', () => {
        probe.send('probe', probePort, '127.0.0.1')
        return / UDP \d+ /.test(sniffer.output()) ? true : undefined
      })
    } finally {
      probe.close()
    }
    const synced = await NtpServer.start({
      port: ports[0],
      reference: () => ({
        leap: 0,
        stratum: 2,
        referenceId: 0xc0000201,
        referenceTimestamp: unixNsToNtp(BigInt(Date.now()) * 1_000_000n),
        rootDelay: 0.0012,
        rootDispersion: 0.0034,
      }),
    })
    const unsynced = await NtpServer.start({ port: ports[1] })
    try {
      await queryNtp({ host: '127.0.0.1', port: ports[0] })
      await queryNtp({ host: '127.0.0.1', port: ports[0] }, { version: 3 })
      await queryNtp({ host: '127.0.0.1', port: ports[1] }).catch(() => undefined)
      const ntpPacket = new RegExp(
        `(UDP \\d+ (${ports.join('|')}) →|→ (${ports.join('|')}) Len)`,
        'g',
      )
      await waitFor('six packets in the capture', () =>
        (sniffer.output().match(ntpPacket) ?? []).length >= 6 ? true : undefined,
      )
    } finally {
      await synced.close()
      await unsynced.close()
    }
  } finally {
    await sniffer.stop()
  }
})

afterAll(() => dir?.remove())

describe("tshark's NTP dissector", () => {
  it('decodes every ClockLab packet as NTP, with the fields we sent', () => {
    const r = tshark(
      '-Y',
      'ntp',
      '-T',
      'fields',
      '-e',
      'ntp.flags.vn',
      '-e',
      'ntp.flags.mode',
      '-e',
      'ntp.flags.li',
      '-e',
      'ntp.stratum',
      '-e',
      'ntp.refid',
    )
    expect(r.status).toBe(0)
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('\t'))
    expect(rows).toEqual([
      ['4', '3', '0', '0', '00000000'],
      ['4', '4', '0', '2', 'c0000201'],
      ['3', '3', '0', '0', '00000000'],
      ['3', '4', '0', '2', 'c0000201'],
      ['4', '3', '0', '0', '00000000'],
      ['4', '4', '3', '16', '00000000'],
    ])
  })

  it('raises no expert warnings or errors and finds nothing malformed', () => {
    const expert = tshark('-q', '-z', 'expert,ntp')
    expect(expert.status).toBe(0)
    expect(expert.stdout).not.toMatch(/Errors|Warnings|Malformed/)
    const verbose = tshark('-Y', 'ntp', '-V')
    expect(
      verbose.stdout.match(/Network Time Protocol \(NTP Version \d, (client|server)\)/g),
    ).toHaveLength(6)
    expect(verbose.stdout).not.toMatch(/Malformed|Expert Info/)
  })
})
