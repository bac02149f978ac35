// The Electron shell's security settings, checked without the Electron binary: the window's
// webPreferences, the renderer's Content-Security-Policy, the navigation rule, and the IPC
// method list the sandboxed preload uses.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { RENDERER_CSP, RENDERER_CSP_HEADER, isAppUrl } from '../../electron/main/policy'
import { windowOptions } from '../../electron/main/window-options'
import { apiSchemas } from '../../src/lab/api'
import { API_METHODS } from '../../src/lab/api-methods'

function directives(policy: string): Map<string, string[]> {
  const map = new Map<string, string[]>()
  for (const part of policy.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/)
    if (name) map.set(name.toLowerCase(), values)
  }
  return map
}

function metaCsp(): string {
  const html = readFileSync(new URL('../../renderer/index.html', import.meta.url), 'utf8')
  const tag = /<meta\s[^>]*http-equiv="Content-Security-Policy"[^>]*>/i.exec(html)
  expect(tag, 'renderer/index.html has a CSP <meta> tag').not.toBeNull()
  const content = /content=(["'])(.*?)\1/is.exec(tag![0])
  expect(content).not.toBeNull()
  return content![2]
}

describe('main window options', () => {
  const prefs = windowOptions('/app/out/preload/index.cjs').webPreferences ?? {}

  it('isolates and sandboxes the renderer without Node', () => {
    expect(prefs.contextIsolation).toBe(true)
    expect(prefs.sandbox).toBe(true)
    expect(prefs.nodeIntegration).toBe(false)
    expect(prefs.nodeIntegrationInWorker ?? false).toBe(false)
    expect(prefs.nodeIntegrationInSubFrames ?? false).toBe(false)
  })

  it('keeps web security on and webviews off', () => {
    expect(prefs.webSecurity).not.toBe(false)
    expect(prefs.allowRunningInsecureContent ?? false).toBe(false)
    expect(prefs.webviewTag ?? false).toBe(false)
  })

  it('loads the given preload', () => {
    expect(prefs.preload).toBe('/app/out/preload/index.cjs')
  })
})

describe('content security policy', () => {
  it("renderer/index.html allows only 'self' by default and never eval", () => {
    const csp = directives(metaCsp())
    expect(csp.get('default-src')).toEqual(["'self'"])
    for (const values of csp.values()) {
      expect(values).not.toContain("'unsafe-eval'")
      expect(values).not.toContain("'unsafe-inline'")
    }
    expect(csp.get('object-src')).toEqual(["'none'"])
  })

  it('the header policy is the page policy plus frame-ancestors', () => {
    expect(directives(metaCsp())).toEqual(directives(RENDERER_CSP))
    const header = directives(RENDERER_CSP_HEADER)
    expect(header.get('frame-ancestors')).toEqual(["'none'"])
    header.delete('frame-ancestors')
    expect(header).toEqual(directives(RENDERER_CSP))
  })
})

describe('navigation', () => {
  const file = 'file:///opt/clocklab/out/renderer/index.html'
  const dev = 'http://localhost:5173/'

  it('allows only the app itself', () => {
    expect(isAppUrl('file:///opt/clocklab/out/renderer/index.html#x', file)).toBe(true)
    expect(isAppUrl('file:///etc/passwd', file)).toBe(false)
    expect(isAppUrl('https://example.com/', file)).toBe(false)
    expect(isAppUrl('http://localhost:5173/some/route', dev)).toBe(true)
    expect(isAppUrl('http://localhost:5174/', dev)).toBe(false)
    expect(isAppUrl('https://localhost:5173/', dev)).toBe(false)
    expect(isAppUrl('not a url', dev)).toBe(false)
  })
})

describe('IPC surface', () => {
  it('the preload exposes exactly the methods the main process validates', () => {
    expect([...API_METHODS].sort()).toEqual(Object.keys(apiSchemas).sort())
  })
})
