// A test's client of the web view's API socket (src/lab/web-server.ts): connected with an
// Origin, its messages read in order, calls sent as JSON.
import WebSocket from 'ws'
import type { ClientMessage, ServerMessage } from '../../src/lab/web-protocol'
import type { WebServer } from '../../src/lab/web-server'

/** A connected socket and its messages, in order. */
export async function connect(
  server: WebServer,
  origin = `http://127.0.0.1:${server.port}`,
): Promise<{
  ws: WebSocket
  next: () => Promise<ServerMessage>
  send: (m: ClientMessage) => void
}> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api`, { origin })
  const queue: ServerMessage[] = []
  const waiting: ((m: ServerMessage) => void)[] = []
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as ServerMessage
    const w = waiting.shift()
    if (w) w(m)
    else queue.push(m)
  })
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  return {
    ws,
    next: () =>
      new Promise((resolve) => (queue.length ? resolve(queue.shift()!) : waiting.push(resolve))),
    send: (m) => ws.send(JSON.stringify(m)),
  }
}

/** Resolves with the close code once the server closes the socket. */
export const closed = (ws: WebSocket) =>
  new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))
