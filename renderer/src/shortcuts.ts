// The Simulator's keyboard shortcuts, in one list for the key handler and the help dialog.

export interface Shortcut {
  keys: string
  what: string
}

export const SHORTCUTS: Shortcut[] = [
  { keys: 'Space', what: 'play or pause' },
  { keys: '→', what: 'step one event forward' },
  { keys: '←', what: 'step one event back' },
  { keys: 'Home', what: 'back to the start' },
  { keys: 'End', what: 'show the whole run' },
  { keys: '+ / −', what: 'zoom the diagram in or out' },
  { keys: 'Shift + ← / →', what: 'pan the diagram in time' },
  { keys: '↑ / ↓', what: 'scroll the lanes (diagram focused)' },
  { keys: '0', what: 'fit the whole run in the diagram' },
  { keys: '?', what: 'show these shortcuts' },
]

/** Whether a key press belongs to a form control rather than to the shortcuts. */
export function typingInto(e: KeyboardEvent): boolean {
  const target = e.target
  if (!(target instanceof HTMLElement)) return false
  const tag = target.tagName
  if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA' || target.isContentEditable)
    return true
  // Space and Enter press a focused button; other keys still work as shortcuts.
  return (tag === 'BUTTON' || tag === 'SUMMARY') && (e.key === ' ' || e.key === 'Enter')
}
