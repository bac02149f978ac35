// Build for the Electron shell: main (ESM), preload (CommonJS, for the sandbox) and the Vue
// renderer, all into out/.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'electron-vite'
import type { Plugin } from 'vite'

const root = path.dirname(fileURLToPath(import.meta.url))
const at = (p: string): string => path.resolve(root, p)

/**
 * The dev server injects component styles as <style> elements and talks to the page over a
 * WebSocket; relax the page's CSP for exactly that, in `dev` only. Builds keep the strict one.
 */
function devCsp(): Plugin {
  return {
    name: 'clocklab:dev-csp',
    apply: 'serve',
    transformIndexHtml(html) {
      return html
        .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
        .replace("connect-src 'self'", "connect-src 'self' ws://localhost:* ws://127.0.0.1:*")
    },
  }
}

export default defineConfig({
  main: {
    build: {
      outDir: at('out/main'),
      // The run worker is a second entry: the main process starts it from out/main/run-worker.js.
      lib: {
        entry: {
          index: at('electron/main/index.ts'),
          'run-worker': at('src/lab/runs/run-worker.ts'),
        },
        formats: ['es'],
      },
    },
  },
  preload: {
    build: {
      outDir: at('out/preload'),
      // Sandboxed preloads can require only 'electron': bundle everything else in.
      externalizeDeps: false,
      lib: { entry: { index: at('electron/preload/index.ts') }, formats: ['cjs'] },
    },
  },
  renderer: {
    root: at('renderer'),
    build: {
      outDir: at('out/renderer'),
      // electron-vite leaves the renderer unminified; `clocklab web` serves it over a LAN too.
      minify: true,
      rollupOptions: { input: at('renderer/index.html') },
    },
    plugins: [vue(), devCsp()],
  },
})
