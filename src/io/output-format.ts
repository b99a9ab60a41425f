/** Its own module so argument parsing (the start-up path of `--help`) loads no renderer. */
export type OutputFormat = 'human' | 'json' | 'markdown';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['human', 'json', 'markdown'];
