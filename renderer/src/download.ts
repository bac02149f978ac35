// Saves text or a blob as a file the browser (or Electron) downloads.

export function saveBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.style.display = 'none'
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export function saveText(name: string, text: string, type = 'text/plain'): void {
  saveBlob(name, new Blob([text], { type: `${type};charset=utf-8` }))
}

/** A file name from a run's label: letters, digits, dots and dashes only. */
export function fileStem(label: string): string {
  return label.replace(/\.json$/i, '').replace(/[^\w.-]+/g, '-') || 'clocklab'
}
