// ESLint (flat config): recommended JS + TypeScript rules, Vue for the renderer, Prettier
// last. The engine rooms get one extra rule set: they are deterministic, so time,
// randomness and I/O may only come through the driver's context.
import js from '@eslint/js'
import prettier from 'eslint-config-prettier/flat'
import { defineConfig, globalIgnores } from 'eslint/config'
import pluginVue from 'eslint-plugin-vue'
import globals from 'globals'
import tseslint from 'typescript-eslint'
import vueParser from 'vue-eslint-parser'

const DETERMINISM =
  'the engine is deterministic: time, randomness and I/O come through the driver (ctx.now(), ctx.random(), ctx.setTimer(), ctx.send())'

const engineRooms = ['src/core/**', 'src/sim/**', 'src/algorithms/**', 'src/check/**']

export default defineConfig(
  globalIgnores(['out/', 'dist/', 'node_modules/', 'coverage/', 'docs/screenshots/']),

  js.configs.recommended,
  tseslint.configs.recommended,

  {
    files: ['renderer/**/*.vue'],
    extends: [pluginVue.configs['flat/recommended']],
    languageOptions: {
      parser: vueParser,
      parserOptions: {
        parser: tseslint.parser,
        extraFileExtensions: ['.vue'],
        sourceType: 'module',
      },
    },
  },

  {
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'module',
      globals: globals.node,
    },
    rules: {
      'no-unused-vars': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
        },
      ],
    },
  },

  {
    files: ['renderer/**'],
    languageOptions: { globals: globals.browser },
  },

  {
    files: engineRooms,
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: DETERMINISM },
        { object: 'Date', property: 'now', message: DETERMINISM },
        { object: 'performance', property: 'now', message: DETERMINISM },
        { object: 'process', property: 'hrtime', message: DETERMINISM },
        { object: 'globalThis', property: 'setTimeout', message: DETERMINISM },
        { object: 'globalThis', property: 'setInterval', message: DETERMINISM },
        { object: 'globalThis', property: 'setImmediate', message: DETERMINISM },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: DETERMINISM },
        { name: 'setInterval', message: DETERMINISM },
        { name: 'setImmediate', message: DETERMINISM },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: ['dgram', 'net', 'fs', 'fs/promises'].flatMap((m) => [
            { name: m, message: DETERMINISM },
            { name: `node:${m}`, message: DETERMINISM },
          ]),
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: DETERMINISM,
        },
      ],
    },
  },

  prettier,
)
