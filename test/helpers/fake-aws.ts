/** The stateful fake of AWS, split by service: see fake-aws/index.ts. Kept so that test imports stay as they are. */
export * from './fake-aws/index.js';
