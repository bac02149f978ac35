// A value that follows a source at most every `ms` milliseconds: for tables that need not
// update at the frame rate while the playback runs.
import { onBeforeUnmount, ref, watch, type Ref } from 'vue'

export function useThrottled<T>(source: () => T, ms: number): Ref<T> {
  const value = ref(source()) as Ref<T>
  let timer: ReturnType<typeof setTimeout> | undefined
  watch(source, () => {
    if (timer !== undefined) return
    timer = setTimeout(() => {
      timer = undefined
      value.value = source()
    }, ms)
  })
  onBeforeUnmount(() => clearTimeout(timer))
  return value
}
