// The browser view's server (`clocklab web`): the built app page over HTTP and the typed API
// over a WebSocket next to it, every call validated by callApi() exactly as the Electron
// shell's IPC does. Loopback by default; any other address needs the token.
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import { z } from 'zod'
import { callApi, type ClockLabApi } from './api'
import { hostAllowed, isLoopback, originAllowed, tokenMatches } from './web-auth'
import {
  CLOSE_BAD_MESSAGE,
  CLOSE_DENIED,
  decodeTextCall,
  WEB_API_PATH,
  type ServerMessage,
} from './web-protocol'
import { serveStatic } from './web-static'

export interface WebServerOptions {
  api: ClockLabApi
  /** The built page: out/renderer. */
  rendererDir: string
  /** The address to bind. */
  host: string
  /** 0: any free port. */
  port: number
  /** Calls need this token first; required when `host` is not a loopback address. */
  token?: string
}

export interface WebServer {
  /** The page's address (with the token in its fragment when one is needed). */
  url: string
  port: number
  close(): Promise<void>
}

/** The largest message a page may send: a recording to open is the biggest. */
const MAX_MESSAGE_BYTES = 300 * 1024 * 1024

const ClientMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('auth'), token: z.string().max(256) }),
  z.strictObject({
    type: z.literal('call'),
    id: z.int().nonnegative(),
    method: z.string().max(64),
    args: z.array(z.unknown()),
  }),
])

export function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const loopbackOnly = isLoopback(options.host)
  const token = options.token
  if (!loopbackOnly && token === undefined)
    throw new Error(`a token is required to serve on ${options.host}, a non-loopback address`)

  const http = createServer((req, res) => {
    if (!hostAllowed(req.headers.host, loopbackOnly)) {
      res.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8' })
      res.end('this server answers to its loopback address only\n')
      return
    }
    serveStatic(options.rendererDir, req, res)
  })
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })

  http.on('upgrade', (req: IncomingMessage, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    const ok =
      path === WEB_API_PATH &&
      hostAllowed(req.headers.host, loopbackOnly) &&
      originAllowed(req.headers.origin, req.headers.host)
    if (!ok) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveConnection(ws, options.api, token))
  })

  return new Promise((resolve, reject) => {
    http.once('error', reject)
    http.listen(options.port, options.host, () => {
      http.off('error', reject)
      const { port } = http.address() as AddressInfo
      const host = options.host.includes(':') ? `[${options.host}]` : options.host
      const url = `http://${host}:${port}/${token !== undefined ? `#token=${token}` : ''}`
      resolve({
        url,
        port,
        close: () =>
          new Promise<void>((done) => {
            for (const ws of wss.clients) ws.terminate()
            wss.close()
            http.close(() => done())
            http.closeAllConnections()
          }),
      })
    })
  })
}

/** One page's connection: greet, check the token if one is needed, then answer calls. */
function serveConnection(ws: WebSocket, api: ClockLabApi, token: string | undefined): void {
  const send = (m: ServerMessage): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m))
  }
  let ready = token === undefined
  send({ type: 'hello', auth: ready ? 'none' : 'token' })
  if (ready) send({ type: 'ready' })

  ws.on('message', (data: RawData, isBinary: boolean) => {
    let parsed: unknown
    // A binary message is a call whose first argument, a large text, follows its header.
    let text: string | undefined
    try {
      if (isBinary) {
        const call = decodeTextCall(
          Array.isArray(data) ? Buffer.concat(data) : new Uint8Array(data),
        )
        parsed = call?.header
        text = call?.text
      } else parsed = JSON.parse(data.toString())
    } catch {
      parsed = undefined
    }
    const msg = ClientMessageSchema.safeParse(parsed)
    if (!msg.success || (text !== undefined && msg.data.type !== 'call')) {
      ws.close(CLOSE_BAD_MESSAGE, 'not a ClockLab API message')
      return
    }
    const m = msg.data
    if (m.type === 'auth') {
      if (ready) return
      if (token !== undefined && tokenMatches(m.token, token)) {
        ready = true
        send({ type: 'ready' })
      } else {
        send({ type: 'denied', message: 'wrong token: use the link clocklab web printed' })
        ws.close(CLOSE_DENIED, 'wrong token')
      }
      return
    }
    if (!ready) {
      ws.close(CLOSE_DENIED, 'the token comes first')
      return
    }
    callApi(api, m.method, text === undefined ? m.args : [text, ...m.args]).then(
      (value) => send({ type: 'result', id: m.id, ok: true, value }),
      (err: unknown) =>
        send({
          type: 'result',
          id: m.id,
          ok: false,
          error: err instanceof Error ? err.message : String(err),
        }),
    )
  })
}
