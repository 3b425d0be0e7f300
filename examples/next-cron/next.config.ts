import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // What create-next-app 16 turns on. The cron routes stay dynamic under it: cronHandler reads the
  // request before anything else, so `next build` never prerenders (runs) a tick.
  cacheComponents: true,
  partialPrefetching: true,
};

export default nextConfig;
