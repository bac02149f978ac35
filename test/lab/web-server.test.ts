// The web view's server: the page with its security headers, nothing outside the page's
// folder, and the typed API over a WebSocket: calls validated as over IPC, the Origin checked,
// the token required when one is set.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEngineApi } from '../../src/lab/engine-api'
import { RENDERER_CSP_HEADER } from '../../src/lab/renderer-policy'
import { startWebServer, type WebServer } from '../../src/lab/web-server'
import { closed, connect } from './ws-connect'

const root = mkdtempSync(path.join(tmpdir(), 'clocklab-web-'))
const page = path.join(root, 'renderer')
mkdirSync(path.join(page, 'assets'), { recursive: true })
writeFileSync(path.join(page, 'index.html'), '<!doctype html><title>ClockLab</title>')
writeFileSync(path.join(page, 'assets', 'app.js'), 'console.log(1)')
writeFileSync(path.join(root, 'secret.txt'), 'not for the web')

const api = createEngineApi({ version: '1.2.3' })
let open: WebServer
let guarded: WebServer
const TOKEN = 'a'.repeat(32)

beforeAll(async () => {
  open = await startWebServer({ api, rendererDir: page, host: '127.0.0.1', port: 0 })
  guarded = await startWebServer({
    api,
    rendererDir: page,
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
  })
})
afterAll(async () => {
  await open.close()
  await guarded.close()
  api.close()
  rmSync(root, { recursive: true, force: true })
})

describe('the page', () => {
  it('serves index.html with the app’s CSP and no caching', async () => {
    const res = await fetch(`http://127.0.0.1:${open.port}/`)
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('<title>ClockLab</title>')
    expect(res.headers.get('content-security-policy')).toBe(RENDERER_CSP_HEADER)
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('cache-control')).toBe('no-store')
    const js = await fetch(`http://127.0.0.1:${open.port}/assets/app.js`)
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/)
  })

  it('serves nothing outside the page’s folder', async () => {
    for (const p of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/../../secret.txt',
      '/nope.js',
    ]) {
      const res = await fetch(`http://127.0.0.1:${open.port}${p}`)
      expect(res.status, p).toBe(404)
      expect(await res.text()).not.toContain('not for the web')
    }
  })

  it('refuses requests for another host name (DNS rebinding)', async () => {
    const res = await new Promise<number>((resolve, reject) => {
      import('node:http').then(({ request }) => {
        const req = request(
          { host: '127.0.0.1', port: open.port, path: '/', headers: { host: 'evil.example' } },
          (r) => resolve(r.statusCode ?? 0),
        )
        req.on('error', reject)
        req.end()
      }, reject)
    })
    expect(res).toBe(421)
  })
})

describe('the API over a WebSocket', () => {
  it('greets, then answers calls by id', async () => {
    const c = await connect(open)
    expect(await c.next()).toEqual({ type: 'hello', auth: 'none' })
    expect(await c.next()).toEqual({ type: 'ready' })
    c.send({ type: 'call', id: 7, method: 'version', args: [] })
    expect(await c.next()).toEqual({ type: 'result', id: 7, ok: true, value: '1.2.3' })
    c.send({ type: 'call', id: 8, method: 'listAlgorithms', args: [] })
    const r = await c.next()
    expect(
      r.type === 'result' && r.ok && (r.value as { name: string }[]).map((a) => a.name),
    ).toContain('lamport')
    c.ws.close()
  })

  it('validates every call with the API’s schemas', async () => {
    const c = await connect(open)
    await c.next()
    await c.next()
    c.send({ type: 'call', id: 1, method: 'startRun', args: [{ algorithm: 'lamport', nodes: -2 }] })
    const bad = await c.next()
    expect(bad).toMatchObject({ type: 'result', id: 1, ok: false })
    expect(bad.type === 'result' && !bad.ok && bad.error).toMatch(
      /clocklab\.startRun: invalid arguments/,
    )
    c.send({ type: 'call', id: 2, method: 'constructor', args: [] })
    expect(await c.next()).toMatchObject({
      id: 2,
      ok: false,
      error: 'clocklab: unknown method constructor',
    })
    c.ws.close()
  })

  it('closes the connection on a message that is not the protocol', async () => {
    const c = await connect(open)
    await c.next()
    await c.next()
    const code = closed(c.ws)
    c.ws.send('{"type":"call","id":"x"}')
    expect(await code).toBe(4400)
  })

  it('refuses a socket from another origin', async () => {
    await expect(connect(open, 'http://evil.example')).rejects.toThrow(/403/)
  })

  it('needs the token first when one is set, and refuses a wrong one', async () => {
    expect(guarded.url).toMatch(new RegExp(`#token=${TOKEN}$`))
    const wrong = await connect(guarded)
    expect(await wrong.next()).toEqual({ type: 'hello', auth: 'token' })
    const code = closed(wrong.ws)
    wrong.send({ type: 'auth', token: 'b'.repeat(32) })
    expect(await wrong.next()).toMatchObject({ type: 'denied' })
    expect(await code).toBe(4401)

    const early = await connect(guarded)
    await early.next()
    const earlyCode = closed(early.ws)
    early.send({ type: 'call', id: 1, method: 'version', args: [] })
    expect(await earlyCode).toBe(4401)

    const right = await connect(guarded)
    await right.next()
    right.send({ type: 'auth', token: TOKEN })
    expect(await right.next()).toEqual({ type: 'ready' })
    right.send({ type: 'call', id: 3, method: 'version', args: [] })
    expect(await right.next()).toMatchObject({ id: 3, ok: true, value: '1.2.3' })
    right.ws.close()
  })
})
