import { defineConfig } from 'tsup';

export default defineConfig({
  // The library entry (defineConfig and its types) and the `msgqueue` binary (its shebang is kept).
  entry: ['src/index.ts', 'src/bin.ts'],
  format: ['esm'],
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  target: 'node20',
});
