// Interoperability with chrony on loopback, both ways (every chronyd runs with -x, so the
// system clock is never touched, with its own config on unprivileged ports):
// chronyd serving and ClockLab querying (one-shot and continuous), and `clocklab ntp serve`
// following that chronyd and serving chronyd -Q and a long-running chronyd client, which
// accept it as a source and report its stratum.
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NtpClientSource, queryNtp } from '../../src/time/ntp/client'
import {
  freeUdpPort,
  start,
  startChronydClient,
  startChronydServer,
  tempDir,
  waitFor,
  type Peer,
} from './peers'

const BIN = fileURLToPath(new URL('../../bin/clocklab.mjs', import.meta.url))

let dir: ReturnType<typeof tempDir>
let chrony: Peer & { port: number }

beforeAll(async () => {
  dir = tempDir('chrony')
  chrony = await startChronydServer(dir.path, 8)
})

afterAll(async () => {
  await chrony?.stop()
  dir?.remove()
})

describe('chronyd serving, ClockLab querying', () => {
  it('one-shot: stratum 8, refid 127.127.1.1, offset within δ/2 + ε of the truth (0)', async () => {
    for (let i = 0; i < 5; i++) {
      const m = await queryNtp({ host: '127.0.0.1', port: chrony.port })
      expect(m).toMatchObject({ stratum: 8, refid: '127.127.1.1', leap: 0, version: 4 })
      expect(Math.abs(m.offset)).toBeLessThanOrEqual(m.delay / 2 + m.dispersion)
    }
  })

  it('continuous: filtered and selected samples from two associations with chronyd', async () => {
    const source = await NtpClientSource.start(
      [
        { host: '127.0.0.1', port: chrony.port },
        { host: '127.0.0.1', port: chrony.port },
      ],
      { intervalMs: 50, rounds: 5 },
    )
    const offsets: number[] = []
    for await (const s of source.samples()) {
      expect(s).toMatchObject({ stratum: 8, refid: '127.127.1.1', address: '127.0.0.1' })
      offsets.push(s.offset)
    }
    expect(offsets.length).toBeGreaterThanOrEqual(4)
    expect(source.status().errors).toEqual({})
  })
})

describe('ClockLab serving (clocklab ntp serve --upstream chronyd), chrony querying', () => {
  let serve: Peer
  let port: number

  beforeAll(async () => {
    port = await freeUdpPort()
    serve = start(process.execPath, [
      BIN,
      'ntp',
      'serve',
      '--port',
      String(port),
      '--upstream',
      `127.0.0.1:${chrony.port}`,
      '--upstream-interval',
      '250',
    ])
    await waitFor('clocklab to follow chronyd', () =>
      /stratum 9, refid 127\.0\.0\.1/.test(serve.output()) ? true : undefined,
    )
  })

  afterAll(async () => {
    await serve?.stop()
  })

  it('chronyd -Q accepts ClockLab as a source and measures its offset', () => {
    const q = start('chronyd', [
      '-Q',
      '-t',
      '10',
      '-u',
      'root',
      `server 127.0.0.1 port ${port} iburst maxsamples 4`,
    ])
    return waitFor('chronyd -Q to finish', () =>
      q.process.exitCode !== null ? true : undefined,
    ).then(() => {
      const m = /System clock wrong by (-?[\d.]+) seconds/.exec(q.output())
      expect(m, q.output()).not.toBeNull()
      expect(Math.abs(Number(m![1]))).toBeLessThan(0.01)
    })
  })

  it('a chronyd -x client selects ClockLab and reports its stratum (9) and its own (10)', async () => {
    const clientDir = tempDir('chrony-client')
    const client = await startChronydClient(clientDir.path, port)
    try {
      const row = await waitFor(
        'chronyd to select ClockLab',
        () =>
          client
            .chronyc('sources')
            .split('\n')
            .find((l) => /^\^,\*,127\.0\.0\.1,/.test(l)),
        30_000,
      )
      expect(row.split(',')[3]).toBe('9')
      const tracking = client.chronyc('tracking').split(',')
      expect(tracking[0]).toBe('7F000001')
      expect(tracking[2]).toBe('10')
    } finally {
      await client.stop()
      clientDir.remove()
    }
  })

  it('stops cleanly, reporting what it served', async () => {
    await serve.stop()
    expect(serve.output()).toMatch(/served \d+ of \d+ requests; dropped \{/)
    expect(serve.output()).not.toMatch(/\n\s+at /)
  })
})
