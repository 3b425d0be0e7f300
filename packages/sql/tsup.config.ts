import { defineConfig } from 'tsup';

export default defineConfig({
  // One entry per client: importing one never loads another's driver.
  entry: ['src/index.ts', 'src/pg.ts', 'src/kysely.ts', 'src/drizzle.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
