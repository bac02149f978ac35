// What the app may load and where it may go: the Content-Security-Policy and the rule for
// which URLs count as the app itself. Pure, so it is tested without Electron.

/** The renderer's policy (shared with `clocklab web`); index.html has it in a <meta> tag. */
export { RENDERER_CSP, RENDERER_CSP_HEADER } from '../../src/lab/renderer-policy'

/**
 * Whether `url` is the app's own page: the same origin as a dev server URL, or the same
 * file as a packaged index.html (query and fragment ignored).
 */
export function isAppUrl(url: string, appUrl: string): boolean {
  let target: URL
  let app: URL
  try {
    target = new URL(url)
    app = new URL(appUrl)
  } catch {
    return false
  }
  if (app.protocol === 'file:')
    return target.protocol === 'file:' && target.pathname === app.pathname
  if (app.protocol === 'http:' || app.protocol === 'https:') return target.origin === app.origin
  return false
}
