/**
 * Before the `e2e` project: build the packages its programs run as an installed app would (the
 * Next.js example imports the built core, sql and prisma; the CLI's binary is the built cli) when
 * their sources are newer than their build. Here, once, before any file runs: two test files
 * building the same package side by side would clobber each other's dist/.
 */
import { buildWorkspacePackages } from './workspace-build.js';

export default async function setup(): Promise<void> {
  await buildWorkspacePackages(['core', 'sql', 'prisma', 'cli']);
}
