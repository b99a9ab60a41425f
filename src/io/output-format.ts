/** Its own module so argument parsing (the start-up path of `--help`) loads no renderer. */
export type OutputFormat = 'human' | 'json' | 'markdown' | 'sarif';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['human', 'json', 'markdown', 'sarif'];
/** Formats only `verify` prints: SARIF carries findings, and a plan has none. */
export const VERIFY_ONLY_FORMATS: readonly OutputFormat[] = ['sarif'];
