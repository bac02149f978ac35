// The colour theme: follow the system, or light or dark as the user chose (kept across
// visits). Sets data-theme on <html>, which the style sheet and the canvas read.
import { defineStore } from 'pinia'
import { ref, watchEffect } from 'vue'

export type ThemeChoice = 'system' | 'light' | 'dark'

const KEY = 'clocklab.theme'
const dark = window.matchMedia('(prefers-color-scheme: dark)')

export const useThemeStore = defineStore('theme', () => {
  const stored = localStorage.getItem(KEY)
  const choice = ref<ThemeChoice>(stored === 'light' || stored === 'dark' ? stored : 'system')
  const systemDark = ref(dark.matches)
  dark.addEventListener('change', () => (systemDark.value = dark.matches))
  /** The theme in effect; bumps whenever colours change, for canvases to redraw. */
  const effective = ref<'light' | 'dark'>('light')

  watchEffect(() => {
    effective.value =
      choice.value === 'system' ? (systemDark.value ? 'dark' : 'light') : choice.value
    document.documentElement.dataset.theme = effective.value
    if (choice.value === 'system') localStorage.removeItem(KEY)
    else localStorage.setItem(KEY, choice.value)
  })

  function cycle(): void {
    choice.value =
      choice.value === 'system' ? 'light' : choice.value === 'light' ? 'dark' : 'system'
  }

  return { choice, effective, cycle }
})
