/**
 * Builds the renderer. `root` is this folder so `index.html` is the entry; `base: './'` makes every asset URL
 * relative, so the same build loads from file:// in Electron and from the host-mode server.
 *
 * `--mode demo` also builds `dev/demo.html` (the UI over an in-memory fake api, for looking at it in a plain
 * browser) into a separate folder: the production bundle never contains the fake.
 */
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

// No Node imports here (the renderer lint forbids them): the config's own folder from its URL.
const here = decodeURIComponent(new URL('.', import.meta.url).pathname).replace(/^\/([A-Za-z]:)/, '$1');

/**
 * The dev server's hot reload needs an inline preamble and its own WebSocket; only while serving, the CSP of
 * the served pages allows them. Builds keep the strict policy untouched.
 */
function devCsp(): Plugin {
  return {
    name: 'parley-dev-csp',
    apply: 'serve',
    transformIndexHtml(html) {
      return html
        .replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
        .replace("connect-src 'self'", "connect-src 'self' ws://localhost:* ws://127.0.0.1:*");
    },
  };
}

export default defineConfig(({ mode }) => {
  const demo = mode === 'demo';
  const inputs: Record<string, string> = { main: `${here}index.html` };
  if (demo) inputs.demo = `${here}dev/demo.html`;
  return {
    root: here,
    base: './',
    plugins: [react(), devCsp()],
    build: {
      outDir: demo ? `${here}../out/renderer-demo` : `${here}../out/renderer`,
      emptyOutDir: true,
      target: 'es2022',
      rolldownOptions: {
        input: inputs,
      },
    },
    server: { port: 5173, strictPort: false },
  };
});
