// A scan of the Electron shell's source for the settings Electron's security checklist (and
// electronegativity) flags: no Node in the page, no disabled isolation, sandbox or web
// security, no remote content, no opening of external links, no eval; and the hardening that
// must be present: the sandbox for every renderer, the window options from one place, new
// windows, navigation and webviews refused, permissions denied, a preload that exposes the
// typed API only.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

function sources(dir: string, ext = /\.(ts|vue)$/): { file: string; text: string }[] {
  return readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && ext.test(d.name))
    .map((d) => {
      const file = path.join(d.parentPath, d.name)
      return { file: path.relative(root, file), text: readFileSync(file, 'utf8') }
    })
}

const shell = sources('electron')
const main = shell.filter((s) => s.file.startsWith('electron/main/'))
const preload = shell.filter((s) => s.file.startsWith('electron/preload/'))
const all = (files: { text: string }[]) => files.map((s) => s.text).join('\n')

const FORBIDDEN: [string, RegExp][] = [
  ['Node integration', /nodeIntegration(InWorker|InSubFrames)?\s*:\s*true/],
  ['disabled context isolation', /contextIsolation\s*:\s*false/],
  ['disabled sandbox', /sandbox\s*:\s*false|no-sandbox/],
  ['disabled web security', /webSecurity\s*:\s*false|disable-web-security/],
  ['insecure content', /allowRunningInsecureContent\s*:\s*true|allow-insecure-localhost/],
  ['experimental features', /experimentalFeatures\s*:\s*true|enableBlinkFeatures/],
  ['webviews', /webviewTag\s*:\s*true/],
  ['the remote module', /enableRemoteModule|@electron\/remote/],
  ['opening external links', /openExternal\s*\(/],
  ['eval', /\beval\s*\(|new Function\s*\(/],
  ['remote content', /loadURL\(\s*['"`]https?:/],
  ['certificate errors ignored', /certificate-error|ignore-certificate-errors/],
  ['permissions granted', /callback\(\s*true\s*\)/],
]

describe('the Electron shell source', () => {
  it.each(FORBIDDEN)('has no %s', (_what, pattern) => {
    for (const { file, text } of shell) expect(text, file).not.toMatch(pattern)
  })

  it('sandboxes every renderer and builds every window from windowOptions()', () => {
    const text = all(main)
    expect(text).toMatch(/app\.enableSandbox\(\)/)
    const windows = text.match(/new BrowserWindow\([^)]*\)?/g) ?? []
    expect(windows.length).toBeGreaterThan(0)
    for (const w of windows) expect(w).toMatch(/new BrowserWindow\(windowOptions\(/)
  })

  it('refuses new windows, navigation away, webviews and permissions', () => {
    const text = all(main)
    expect(text).toMatch(/setWindowOpenHandler\(\(\) => \(\{ action: 'deny' \}\)\)/)
    expect(text).toMatch(/'will-frame-navigate'/)
    expect(text).toMatch(/'will-redirect'/)
    expect(text).toMatch(/'will-attach-webview', \(event\) => event\.preventDefault\(\)/)
    expect(text).toMatch(/setPermissionRequestHandler\([^]*callback\(false\)/)
    expect(text).toMatch(/setPermissionCheckHandler\(\(\) => false\)/)
    expect(text).toMatch(/'Content-Security-Policy': \[RENDERER_CSP_HEADER\]/)
  })

  it('validates every IPC call and checks its sender', () => {
    const ipc = main.find((s) => s.file.endsWith('ipc.ts'))!.text
    expect(ipc).toMatch(/callApi\(api, method, args\)/)
    expect(ipc).toMatch(/if \(!trusted\(event\)\) throw/)
    expect(all(main)).not.toMatch(/ipcMain\.on\(/)
  })

  it('has a preload that exposes the typed API and nothing else', () => {
    const text = all(preload)
    expect(text.match(/exposeInMainWorld\(/g)).toHaveLength(1)
    expect(text).toMatch(/exposeInMainWorld\('clocklab', api\)/)
    // Only invoke(): no event channels, no raw ipcRenderer handed to the page.
    expect(text.match(/ipcRenderer\.\w+/g)).toEqual(['ipcRenderer.invoke'])
    expect(text).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/)
  })
})

describe('the renderer source', () => {
  it('uses neither Node nor Electron: only the typed API reaches the engine', () => {
    for (const { file, text } of sources('renderer/src')) {
      expect(text, file).not.toMatch(/from ['"](node:|electron|fs|child_process)/)
      expect(text, file).not.toMatch(/\brequire\(/)
      expect(text, file).not.toMatch(/\beval\s*\(|new Function\s*\(|innerHTML|v-html/)
    }
  })
})
