// The Content-Security-Policy of the app's page, wherever it is served from: the Electron
// shell sets it as a header on its responses and `clocklab web` on its own;
// renderer/index.html carries the same policy in a <meta> tag.

export const RENDERER_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'"

/** The header form adds what a <meta> policy cannot express. */
export const RENDERER_CSP_HEADER = `${RENDERER_CSP}; frame-ancestors 'none'`
