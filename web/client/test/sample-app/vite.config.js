// `vite build` writes dist/. `vite` (dev) and `vite preview` (the built dist/) forward /api and /dev
// to a running gateway (EVENTLINE_GATEWAY, default http://localhost:8080), so the app and the API
// stay one origin, as behind a production gateway.
const gateway = process.env.EVENTLINE_GATEWAY ?? 'http://localhost:8080';
const proxy = {
  '/api': { target: gateway, changeOrigin: false },
  '/dev': { target: gateway, changeOrigin: false },
};

export default { esbuild: { jsx: 'automatic' }, build: { outDir: 'dist' }, server: { proxy }, preview: { proxy } };
