// The typed API over a WebSocket (`clocklab web`): the messages a page and the server
// exchange. The server greets; a page that needs a token sends it; then each call carries an
// id that its result echoes. Shared by the server and the renderer's client.

/** The path the API is served on, next to the page. */
export const WEB_API_PATH = '/api'

export type ServerMessage =
  /** On connect: whether calls need a token first (the server binds a non-loopback address). */
  | { type: 'hello'; auth: 'none' | 'token' }
  | { type: 'ready' }
  /** The token was wrong; the server closes the connection. */
  | { type: 'denied'; message: string }
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: string }

export type ClientMessage =
  { type: 'auth'; token: string } | { type: 'call'; id: number; method: string; args: unknown[] }

/** Close codes the server uses (4000-4999 are the application's). */
export const CLOSE_DENIED = 4401
export const CLOSE_BAD_MESSAGE = 4400

/**
 * A call whose first argument is a large text (a recording to open) goes as one binary
 * message instead: four bytes (big-endian) giving the length of a JSON header, the header
 * (the call without that argument), then the text as UTF-8. It spares the text being escaped
 * into JSON by the page and parsed back out by the server.
 */
export function encodeTextCall(
  call: Extract<ClientMessage, { type: 'call' }>,
  text: string,
): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify(call))
  const body = new TextEncoder().encode(text)
  const out = new Uint8Array(4 + header.length + body.length)
  new DataView(out.buffer).setUint32(0, header.length)
  out.set(header, 4)
  out.set(body, 4 + header.length)
  return out
}

/** The header (unvalidated JSON) and the text of a binary call; undefined if it is not one. */
export function decodeTextCall(bytes: Uint8Array): { header: unknown; text: string } | undefined {
  if (bytes.length < 4) return undefined
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0)
  if (4 + length > bytes.length) return undefined
  const decoder = new TextDecoder()
  try {
    return {
      header: JSON.parse(decoder.decode(bytes.subarray(4, 4 + length))),
      text: decoder.decode(bytes.subarray(4 + length)),
    }
  } catch {
    return undefined
  }
}
