// Serves the built app page (out/renderer) for `clocklab web`: GET and HEAD of files under
// that folder only, with the app's Content-Security-Policy and no caching of index.html.
import { createReadStream, statSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import path from 'node:path'
import { RENDERER_CSP_HEADER } from './renderer-policy'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
}

const SECURITY_HEADERS = {
  'Content-Security-Policy': RENDERER_CSP_HEADER,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
}

export function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', ...SECURITY_HEADERS }).end()
    return
  }
  let pathname: string
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
  } catch {
    res.writeHead(400, SECURITY_HEADERS).end()
    return
  }
  if (pathname.endsWith('/')) pathname += 'index.html'
  const file = path.resolve(root, '.' + pathname)
  const inside = file.startsWith(path.resolve(root) + path.sep)
  const size = inside ? fileSize(file) : undefined
  if (size === undefined) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS })
    res.end('not found\n')
    return
  }
  res.writeHead(200, {
    'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'Content-Length': size,
    // Built assets have content hashes in their names; the page itself must always be fresh.
    'Cache-Control': pathname.startsWith('/assets/') ? 'max-age=31536000, immutable' : 'no-store',
    ...SECURITY_HEADERS,
  })
  if (req.method === 'HEAD') res.end()
  else createReadStream(file).pipe(res)
}

function fileSize(file: string): number | undefined {
  try {
    const s = statSync(file)
    return s.isFile() ? s.size : undefined
  } catch {
    return undefined
  }
}
