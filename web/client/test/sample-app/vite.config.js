export default { esbuild: { jsx: 'automatic' }, build: { outDir: 'dist' } };
