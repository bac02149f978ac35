// Regenerates the trace's JSON Schema from its zod schema (src/core/trace-schema.ts):
// run `npx tsx scripts/gen-trace-schema.ts` after changing the trace format.
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { format, resolveConfig } from 'prettier'
import { TRACE_JSON_SCHEMA_PATH, traceJsonSchema } from '../src/core/trace-schema'

const file = fileURLToPath(new URL(`../${TRACE_JSON_SCHEMA_PATH}`, import.meta.url))
const options = { ...(await resolveConfig(file)), filepath: file }
writeFileSync(file, await format(JSON.stringify(traceJsonSchema()), options))
console.log(`wrote ${TRACE_JSON_SCHEMA_PATH}`)
