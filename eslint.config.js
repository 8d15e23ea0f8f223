// @ts-check
// Kept small: the recommended rules, plus the layer boundaries from
// ARCHITECTURE.md ("who may import whom") as errors that fail CI.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import astro from 'eslint-plugin-astro';
import globals from 'globals';
import regexp from 'eslint-plugin-regexp';

const NO_ASTRO_MODULES = {
  regex: '^astro:',
  message: 'The domain, the database and the server run under plain Node (worker, CLI, tests): no astro:* modules here.',
};

const NO_TABLES = [
  {
    regex: '(^|/)db/schema(\\.[cm]?[jt]s)?$',
    message: 'Pages and components call verbs and views in src/lib, never tables: add a view or verb there.',
  },
  {
    regex: '^drizzle-orm',
    message: 'Queries belong in src/lib: pages and components call its verbs and views.',
  },
];

// The domain reads its own queries; views/ shapes pages out of the domain,
// never the other way round, so a page's needs cannot leak into a verb.
const NO_VIEWS = {
  regex: '(^|/)views/',
  message: 'The domain does not read through src/lib/views: move the query into the domain (src/lib/<domain>/load-*.ts) and let the view import it.',
};

// db/ sits below src/lib: the schema and migrations must not depend on the domain they serve.
const NO_DOMAIN = {
  regex: '(^|/)src/lib(/|$)',
  message: 'db/ imports nothing from src/lib: words the schema needs live in db/vocabulary.ts, which src/lib re-exports.',
};

// TypeScript lets `x['field']` and `(x as unknown as {...}).field` reach past
// `private`; a test that needs a private field should get a real option instead.
const NO_PRIVATE_REACH = [
  {
    selector: 'MemberExpression[computed=true] > Literal.property[value=/^[A-Za-z_$][A-Za-z0-9_$]*$/]',
    message: 'Use dot access: bracket access with a plain name is how tests reach private members.',
  },
  {
    selector: 'MemberExpression[computed=true] > TemplateLiteral.property[expressions.length=0]',
    message: 'Use dot access: bracket access with a fixed name is how tests reach private members.',
  },
  {
    selector: "TSAsExpression > TSAsExpression.expression[typeAnnotation.type='TSUnknownKeyword']",
    message: 'No `as unknown as` in tests: it is how tests reach private members. Give the code an option, or type the value properly.',
  },
];

export default tseslint.config(
  {
    ignores: ['dist/', 'node_modules/', '.astro/', 'data/', 'test-results/', 'playwright-report/', 'bench/results/', 'db/migrations/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...astro.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    // Patterns that backtrack super-linearly stall a thread on crafted text
    // (ARCHITECTURE.md, "Guarding the doors"); text from outside is read by
    // hand or through RE2 (re2js) instead. Tests and benches only read
    // Shirase's own output, so the rules hold where the product runs.
    files: ['src/**', 'db/**', 'scripts/**', 'public/**'],
    plugins: { regexp },
    rules: {
      'regexp/no-super-linear-backtracking': 'error',
      'regexp/no-super-linear-move': 'error',
    },
  },
  {
    // Client scripts run in the browser.
    files: ['public/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['src/lib/**', 'db/**', 'src/server/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_ASTRO_MODULES] }] },
  },
  {
    // Later blocks replace the rule's options, so each repeats the astro:* pattern.
    files: ['src/lib/**'],
    ignores: ['src/lib/views/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_ASTRO_MODULES, NO_VIEWS] }] },
  },
  {
    files: ['db/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_ASTRO_MODULES, NO_DOMAIN] }] },
  },
  {
    files: ['src/pages/**', 'src/components/**', 'src/layouts/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: NO_TABLES }] },
  },
  {
    files: ['tests/**'],
    // A test cannot switch these rules off for itself.
    linterOptions: { noInlineConfig: true },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': ['error', { 'ts-expect-error': true, 'ts-ignore': true, 'ts-nocheck': true }],
      'no-restricted-syntax': ['error', ...NO_PRIVATE_REACH],
    },
  },
);
