// The image's HEALTHCHECK: exits 0 when /health answers 200 (the database answers), 1 otherwise.
// Also runs by hand: PORT=3000 node docker/healthcheck.mjs
const port = process.env.PORT || '3000';
try {
  const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(4000) });
  process.exit(res.status === 200 ? 0 : 1);
} catch {
  process.exit(1);
}
