import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run build` writes dist/; the gateway's build copies it into META-INF/resources so the gateway
// serves it at /. `npm run dev` serves the app with hot reload and forwards the API to a running
// gateway (./eventline up), so the app and the API stay one origin, as in production.
const gateway = process.env.EVENTLINE_GATEWAY ?? 'http://localhost:8080';

export default defineConfig({
  root: __dirname,
  plugins: [react()],
  build: {
    outDir: process.env.EVENTLINE_WEB_OUT ?? 'dist',
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    proxy: {
      '/api': { target: gateway, changeOrigin: false },
      '/dev': { target: gateway, changeOrigin: false },
    },
  },
});
