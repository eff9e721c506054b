import { defaultClientConditions, defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run build` writes dist/; the gateway's build copies it into META-INF/resources so the gateway
// serves it at /. `npm run dev` serves the app with hot reload and forwards the API to a running
// gateway (./eventline up), so the app and the API stay one origin, as in production.
const gateway = process.env.EVENTLINE_GATEWAY ?? 'http://localhost:8080';

export default defineConfig({
  root: __dirname,
  plugins: [react()],
  // The app builds @eventline/client from its source (the package's "eventline-source" export
  // condition), so neither `npm run dev` nor the gateway's build needs the package's dist/ first.
  resolve: { conditions: ['eventline-source', ...defaultClientConditions] },
  build: {
    outDir: process.env.EVENTLINE_WEB_OUT ?? 'dist',
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    proxy: {
      '/api': { target: gateway, changeOrigin: false },
      '/dev': { target: gateway, changeOrigin: false },
      '/q': { target: gateway, changeOrigin: false },
    },
  },
});
