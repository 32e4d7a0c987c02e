#!/usr/bin/env node
// Bundles the command (and its certificate worker) over tsc's output of the same files, so `npx
// fake-apiserver` loads a few files instead of hundreds of modules: about 40% off its start-up. The
// certificate stack goes to a chunk of its own, loaded only when a certificate is made.
import { build } from 'esbuild';
import { chmod, rm } from 'node:fs/promises';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
// Chunk names carry a hash: clear the last build's, so that the package ships only the current ones.
await rm(resolve(root, 'dist/cli-chunks'), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { 'cli/main': 'src/cli/main.ts', 'pki/pki-worker': 'src/pki/pki-worker.ts' },
  outdir: 'dist',
  chunkNames: 'cli-chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'none',
  logLevel: 'warning',
  // CommonJS dependencies call require(); ESM output has none unless given one.
  banner: {
    js: "import { createRequire as __fakeApiserverRequire } from 'node:module'; const require = __fakeApiserverRequire(import.meta.url);",
  },
});
await chmod(resolve(root, 'dist/cli/main.js'), 0o755);
