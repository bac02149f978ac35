// `npm start`: the desktop app when the Electron binary is installed (build, then preview
// the build); otherwise the command-line lab, after saying why.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const electronDir = path.join(root, 'node_modules', 'electron')
const electronVite = path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js')
const args = process.argv.slice(2)

/**
 * The Electron executable, or null when it is not installed. Mirrors the lookup in
 * node_modules/electron/index.js (and electron-vite's ELECTRON_EXEC_PATH) without its side
 * effect: require('electron') downloads a missing binary on the spot, whatever
 * ELECTRON_SKIP_BINARY_DOWNLOAD says.
 * @returns {string | null}
 */
function electronBinary() {
  let binary = process.env.ELECTRON_EXEC_PATH
  if (!binary) {
    let relative = ''
    try {
      relative = readFileSync(path.join(electronDir, 'path.txt'), 'utf8').trim()
    } catch {
      // not installed (or installed by hand through ELECTRON_OVERRIDE_DIST_PATH)
    }
    const override = process.env.ELECTRON_OVERRIDE_DIST_PATH
    if (override) binary = path.join(override, relative || 'electron')
    else if (relative) binary = path.join(electronDir, 'dist', relative)
  }
  return binary && existsSync(binary) ? binary : null
}

/**
 * Run a Node script with inherited stdio; return its exit status.
 * @param {string[]} argv
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {number}
 */
function node(argv, env = process.env) {
  const r = spawnSync(process.execPath, argv, { cwd: root, stdio: 'inherit', env })
  if (r.error) {
    console.error(`clocklab: could not run ${argv[0]}: ${r.error.message}`)
    return 1
  }
  return r.status ?? 1
}

let binary = electronBinary()
let why = 'ELECTRON_SKIP_BINARY_DOWNLOAD is set, so npm did not download it'
if (!binary && !process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
  // npm 11 may have skipped Electron's install step: try it once.
  const status = node([path.join(electronDir, 'install.js')])
  binary = electronBinary()
  why = status === 0 ? 'its installer ran but left no binary' : 'downloading it failed (see above)'
}

if (binary) {
  const env = { ...process.env, ELECTRON_EXEC_PATH: binary }
  const status = node([electronVite, 'build'], env)
  if (status !== 0) process.exit(status)
  const extra = args.length ? ['--', ...args] : []
  process.exit(node([electronVite, 'preview', '--skipBuild', ...extra], env))
} else {
  console.error(
    `clocklab: the Electron binary is not installed (${why}); starting the command-line lab instead.`,
  )
  process.exit(node([path.join(root, 'bin', 'clocklab.mjs'), ...args]))
}
