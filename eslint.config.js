// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Run-time uses of a class's or function's name: the bundle is minified, so those names are not ours. */
const NAME_AT_RUN_TIME = [
  {
    selector: "MemberExpression[property.name='name'][object.type='MemberExpression'][object.property.name='constructor']",
    message: 'The bundle is minified: constructor.name is not the class name. Use a field or the SDK operation schema.',
  },
];

/** A change's address is the readable name of a resource, never an instruction: apply dispatches on its operation. */
const ADDRESS_PARSING = [
  {
    selector:
      "CallExpression[callee.property.name=/^(exec|test|match|matchAll|startsWith|endsWith|slice|substring|split|replace|includes|indexOf)$/]:matches([callee.object.property.name='address'], [arguments.0.property.name='address'])",
    message: 'Do not decode a change address: give the change an operation kind and input, and dispatch on it.',
  },
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      'no-restricted-syntax': ['error', ...NAME_AT_RUN_TIME],
    },
  },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } } },
  {
    files: ['src/**/*.ts', 'steps/**/*.ts', 'docs/example-step/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error', ...NAME_AT_RUN_TIME, ...ADDRESS_PARSING],
      // Small functions: a step or engine function that does not fit on a screen does more than one thing.
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true, IIFEs: true }],
    },
  },
);
