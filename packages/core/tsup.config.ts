import { defineConfig } from 'tsup';

export default defineConfig({
  // The OpenTelemetry entry is its own file: importing the core never loads @opentelemetry/api.
  entry: { index: 'src/index.ts', opentelemetry: 'src/observability/opentelemetry.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
