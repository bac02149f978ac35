// The lab store: the algorithm list, the run form, and the last run's result, all through
// the typed API on window.clocklab.
import { defineStore } from 'pinia'
import { computed, reactive, ref, shallowRef } from 'vue'
import type { AlgorithmInfo, SimRequest, SimResult } from '../../../src/lab/api'
import { lamportSeries, type NodeSeries } from '../lamport-series'

function api() {
  if (!window.clocklab) throw new Error('The ClockLab API is not available in this window.')
  return window.clocklab
}

function message(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err)
  // Electron wraps errors from the main process; keep the part that explains the problem.
  return text.replace(/^Error invoking remote method '[^']*': (\w*Error: )?/, '')
}

export const useLabStore = defineStore('lab', () => {
  const algorithms = ref<AlgorithmInfo[]>([])
  const loading = ref(false)
  const running = ref(false)
  const error = ref<string | null>(null)
  const request = reactive<SimRequest>({ algorithm: '', nodes: 4, seed: 1, until: 1000 })
  const result = shallowRef<SimResult | null>(null)
  const series = shallowRef<NodeSeries[]>([])

  const selected = computed(() => algorithms.value.find((a) => a.name === request.algorithm))

  async function loadAlgorithms(): Promise<void> {
    loading.value = true
    error.value = null
    try {
      algorithms.value = await api().listAlgorithms()
      if (!selected.value) request.algorithm = algorithms.value[0]?.name ?? ''
    } catch (err) {
      error.value = message(err)
    } finally {
      loading.value = false
    }
  }

  async function run(): Promise<void> {
    running.value = true
    error.value = null
    try {
      const res = await api().runSimulation({ ...request })
      result.value = res
      series.value = lamportSeries(res.traceJson)
    } catch (err) {
      error.value = message(err)
    } finally {
      running.value = false
    }
  }

  return {
    algorithms,
    loading,
    running,
    error,
    request,
    result,
    series,
    selected,
    loadAlgorithms,
    run,
  }
})
