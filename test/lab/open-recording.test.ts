// Opening a large recording: its first window is held (and can be shown) before the whole file
// is checked, the rest follows once parseTrace has checked all of it as strictly as ever, and a
// problem found late ends the run with parseTrace's own one line. Over the web view's socket,
// the file goes as one binary message (a JSON header, then the text), validated like any call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseTrace } from '../../src/core/trace-schema'
import type { RunInfo, RunPage } from '../../src/lab/api'
import { createEngineApi } from '../../src/lab/engine-api'
import { encodeTextCall, CLOSE_BAD_MESSAGE } from '../../src/lab/web-protocol'
import { startWebServer, type WebServer } from '../../src/lab/web-server'
import { closed, connect } from './ws-connect'

const api = createEngineApi({ version: 'test' })
let server: WebServer
let recording: string

beforeAll(async () => {
  server = await startWebServer({ api, rendererDir: '/nonexistent', host: '127.0.0.1', port: 0 })
  const info = await api.startRun({
    algorithm: 'vector',
    nodes: 4,
    until: 1e6,
    workloadRate: 20,
    maxEvents: 12_000,
  })
  while (!(await api.runPage(info.id, 0, 1)).done) await new Promise((go) => setTimeout(go, 20))
  recording = await api.exportRun(info.id, 'json')
})
afterAll(async () => {
  await server.close()
  api.close()
})

async function all(info: RunInfo): Promise<{ events: RunPage['events']; last: RunPage }> {
  const events: RunPage['events'] = []
  for (;;) {
    const page = await api.runPage(info.id, events.length, 5000)
    events.push(...page.events)
    if (page.done && events.length >= page.total) return { events, last: page }
    if (page.events.length === 0) await new Promise((go) => setTimeout(go, 20))
  }
}

/** The recording with event `at`'s `cause` pointing at no send: a link only the whole file shows. */
function corruptAt(text: string, at: number): string {
  const trace = JSON.parse(text) as { events: { kind: string; cause?: number }[] }
  const k = trace.events.findIndex((e, i) => i >= at && e.kind === 'receive')
  trace.events[k].cause = k + 1
  return JSON.stringify(trace)
}

describe('a large recording', () => {
  it('loads every event, as in the file, with the verdicts', async () => {
    const expected = parseTrace(recording).events
    expect(expected.length).toBeGreaterThan(10_000)
    const { events, last } = await all(await api.openTrace(recording, 'big.json'))
    expect(last.error).toBeUndefined()
    expect(last.verdicts?.length).toBeGreaterThan(0)
    expect(events).toEqual(expected)
  })

  it('ends with parseTrace’s one line when a problem lies past the first window', async () => {
    const bad = corruptAt(recording, 9000)
    const expected = (() => {
      try {
        parseTrace(bad, 'late.json')
      } catch (err) {
        return (err as Error).message
      }
    })()
    expect(expected).toMatch(/^late\.json: events\[\d+\]\.cause: .*not an earlier send/)
    const info = await api.openTrace(bad, 'late.json')
    const { events, last } = await all(info)
    expect(last.error).toBe(expected)
    // Only the first window, checked on its own, was ever handed out.
    expect(events.length).toBeLessThan(9000)
  })

  it('is refused at once when the problem lies in the first window', async () => {
    await expect(api.openTrace(corruptAt(recording, 10), 'early.json')).rejects.toThrow(
      /^early\.json: events\[\d+\]\.cause: /,
    )
  })
})

describe('a recording over the web view’s socket', () => {
  /** A socket past the server's hello and ready. */
  async function connected() {
    const c = await connect(server)
    await c.next() // hello
    await c.next() // ready
    return c
  }

  it('goes as one binary message and is opened like any call', async () => {
    const c = await connected()
    c.ws.send(
      encodeTextCall(
        { type: 'call', id: 3, method: 'openTrace', args: ['over-ws.json'] },
        recording,
      ),
    )
    const r = await c.next()
    expect(r).toMatchObject({ type: 'result', id: 3, ok: true })
    expect(r.type === 'result' && r.ok && (r.value as RunInfo).label).toBe('over-ws.json')
    c.ws.send(
      encodeTextCall({ type: 'call', id: 4, method: 'openTrace', args: ['cut.json'] }, '{"form'),
    )
    const bad = await c.next()
    expect(bad.type === 'result' && !bad.ok && bad.error).toMatch(/^cut\.json: not JSON/)
    c.ws.close()
  })

  it('closes the connection on a binary message that is not a call', async () => {
    const c = await connected()
    const closing = closed(c.ws)
    c.ws.send(Buffer.from([0, 0, 0, 99, 1, 2, 3]))
    expect(await closing).toBe(CLOSE_BAD_MESSAGE)
  })
})
