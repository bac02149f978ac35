// The Electron main process: one window, the menu, hardening, and the typed API over IPC,
// with runs in a worker thread. Thin on purpose: no algorithm and no parsing live here.
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { app, BrowserWindow } from 'electron'
import { createEngineApi } from '../../src/lab/engine-api'
import { bundledWorker } from '../../src/lab/runs/spawn-worker'
import { registerApi } from './ipc'
import { installMenu } from './menu'
import { hardenSession, hardenWebContents } from './security'
import { windowOptions } from './window-options'

const here = path.dirname(fileURLToPath(import.meta.url))
/** Set by `electron-vite dev`: the renderer's dev server. Absent in a production build. */
const devServerUrl = process.env.ELECTRON_RENDERER_URL
const appUrl =
  !app.isPackaged && devServerUrl
    ? devServerUrl
    : pathToFileURL(path.join(here, '../renderer/index.html')).href
const dev = appUrl === devServerUrl

app.enableSandbox()
hardenWebContents(appUrl)

function createWindow(): void {
  const win = new BrowserWindow(windowOptions(path.join(here, '../preload/index.cjs')))
  win.once('ready-to-show', () => win.show())
  void win.loadURL(appUrl)
}

void app.whenReady().then(() => {
  hardenSession(!dev)
  app.setAboutPanelOptions({
    applicationName: 'ClockLab',
    applicationVersion: app.getVersion(),
    copyright: 'MIT License',
  })
  installMenu(dev)
  // Simulations and recordings are read in a worker thread, so the window never waits on them.
  const api = createEngineApi({
    version: app.getVersion(),
    spawnWorker: bundledWorker(path.join(here, 'run-worker.js')),
  })
  registerApi(api, appUrl)
  api.warm()
  app.once('will-quit', () => api.close())
  createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
