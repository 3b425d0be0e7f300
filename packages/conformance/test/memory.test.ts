import { ManualClock, memoryAdapter } from '@org/msgqueue';
import { runConformance } from '@org/msgqueue-conformance';

runConformance(
  {
    name: 'memory',
    async setup() {
      const clock = new ManualClock();
      return {
        adapter: memoryAdapter({ clock: clock.now }),
        advance: async (ms) => clock.advance(ms),
        teardown: async () => {},
      };
    },
  },
  { claimers: 16, messages: 2000, modelRuns: 300 },
);
