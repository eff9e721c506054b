import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // jsdom for the React hooks; the stream tests use its window and document too (online, visibility).
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}', 'test/*.test.mjs'],
    // The packed-tarball test takes a minute (npm install, tsc, vite build of a sample app): it
    // runs with EVENTLINE_PACK_TEST=1 (`npm run test:pack`); ../e2e/sample-app.test.mjs runs it in ./mvnw verify.
    exclude: process.env.EVENTLINE_PACK_TEST ? [] : ['test/sample-app.test.mjs'],
    restoreMocks: true,
  },
});
