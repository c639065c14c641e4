#!/usr/bin/env node
// After `npm run build` the compiled command line lives in dist/; this file only forwards to it.
import('../dist/src/cli.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND') {
    console.error('kooperator: not built yet. Run `npm run build` first, or use `npm run kooperator -- <command>`.');
    process.exit(1);
  }
  throw error;
});
