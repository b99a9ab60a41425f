/**
 * What the module graph must look like: no import cycles anywhere, and the model a leaf that every
 * layer may use because it uses none of them. `npm run lint` runs it; CI runs `npm test`, which lints.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle makes load order matter and layers impossible to read one at a time.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'model-is-a-leaf',
      severity: 'error',
      comment: 'src/model.ts is the data every layer shares; it imports nothing of ours.',
      from: { path: '^src/model\\.ts$' },
      to: { path: '^(src|steps)/' },
    },
    {
      name: 'steps-do-not-reach-the-engine',
      severity: 'error',
      comment: 'Steps use the kit, the model and the AWS helpers; the engine runs them, never the other way.',
      from: { path: '^steps/' },
      to: { path: '^src/(engine|commands|registry\\.ts)' },
    },
    {
      name: 'only-the-composition-root-knows-the-steps',
      severity: 'error',
      comment: 'The registry (and the commands that use it) pick the steps; the engine and the AWS layer take them as values.',
      from: { path: '^src/(engine|aws|kit|io|answers|controls)/' },
      to: { path: '^(steps/|src/registry\\.ts)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
