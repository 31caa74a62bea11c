import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

// The layers (README "Layout"): a folder may import only from the folders below it.
//   cli → fleet → plans → journeys, clients → metrics, fake-media → common
//   reports sit on metrics; dashboards on metrics; in-page/ and reference-waddle/ stand alone.
// Each zone says which folders a folder must NOT import (DESIGN.md style 8).
const ours = ['cli', 'fleet', 'plans', 'journeys', 'clients', 'metrics', 'reports', 'dashboards', 'fake-media', 'in-page', 'reference-waddle', 'common', 'bench', 'test'];
const except = (...allowed) => ours.filter((f) => !allowed.includes(f)).map((f) => `./${f}`);
const zones = [
  { target: './common', from: except('common'), message: 'common/ is the bottom layer: it imports nothing of the fleet' },
  { target: './in-page', from: except('in-page'), message: 'in-page/ runs inside the page: it imports nothing from Node or the fleet' },
  { target: './fake-media', from: except('fake-media', 'common'), message: 'fake-media/ makes media files; it knows nothing of runs' },
  { target: './metrics', from: except('metrics', 'common', 'in-page'), message: 'metrics/ and its sinks never import fleet, plans, journeys, clients or reports' },
  { target: './reports', from: except('reports', 'metrics', 'common'), message: 'reports/ read a run folder: they import metrics/ and common/ only' },
  { target: './dashboards', from: except('dashboards', 'metrics', 'common'), message: 'dashboards/ are built from the metric catalogue only' },
  { target: './journeys', from: except('journeys', 'clients', 'metrics', 'common'), message: 'journeys/ see only the client interface (and record metrics)' },
  // protocolMedia reads fake-media's pre-encoded files and scores audio with in-page's E-model (pure)
  { target: './clients', from: except('clients', 'common', 'reference-waddle', 'fake-media', 'in-page'), message: 'clients/ are drivers: they know Waddle, not the fleet' },
  { target: './plans', from: except('plans', 'journeys', 'clients', 'metrics', 'common'), message: 'plans/ are data: they never import fleet, cli or reports' },
  { target: './fleet', from: ['./cli', './bench', './test'], message: 'nothing imports cli/ (the only place that exits)' },
  { target: './reference-waddle', from: except('reference-waddle', 'common'), message: 'the reference Waddle is the system under test: it stands alone' },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'results/**', '**/*.bundle.js', 'coverage/**', 'test-output/**', 'dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    // Design rule 8: only cli/ may end the process.
    files: ['**/*.ts'],
    ignores: ['cli/**', 'reference-waddle/cli.ts', 'bench/**', 'scripts/**', 'test/fixtures/**'],
    rules: { 'no-restricted-properties': ['error', { object: 'process', property: 'exit', message: 'Only cli/ calls process.exit (DESIGN.md exit-code table).' }] },
  },
  {
    // The layers, and no import cycles, in the code the fleet runs (tests may reach across).
    files: ['**/*.ts'],
    ignores: ['**/*.test.ts', 'test/**', 'bench/**', '**/testing/**'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [importX.createNodeResolver({ extensions: ['.ts', '.mjs', '.js'] })],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.mjs', '.js'],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/cli/*'], message: 'nothing imports cli/ (DESIGN.md style 8)' }] }],
    },
  },
  {
    files: ['cli/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // Small files, small functions (DESIGN.md style; issue 8): every line counts, comments and
    // blank lines included. Tests too: a long describe splits into describes by topic.
    files: ['**/*.ts', '**/*.mts', '**/*.mjs', '**/*.js', '**/*.cjs'],
    ignores: ['test/fixtures/**'],
    rules: {
      'max-lines': ['error', { max: 400 }],
      // IIFEs count too: an in-page script written as one IIFE escaped the rule at 277 lines (issue 19)
      'max-lines-per-function': ['error', { max: 80, IIFEs: true }],
    },
  },
);
