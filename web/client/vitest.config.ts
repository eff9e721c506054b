import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // jsdom for the React hooks; the stream tests use its window and document too (online, visibility).
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.mjs'],
    restoreMocks: true,
  },
});
