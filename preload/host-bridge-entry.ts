/**
 * The script host mode injects into its HTML pages before the renderer's own: installs `window.api` over
 * the host's WebSocket. Browser-only (compiled by preload/tsconfig.web.json).
 *
 * The secret arrives in the URL fragment (`#parley-secret=…`), which browsers never send to a server nor in a
 * Referer. It is moved to sessionStorage (scoped to this origin and tab, so it survives a reload) and removed
 * from the address bar.
 */
import { HOST_IPC } from './contract.js';
import { createHostApi } from './host-bridge.js';

function takeSecret(): string {
  const storageKey = HOST_IPC.fragmentKey;
  const params = new URLSearchParams(location.hash.slice(1));
  const fromFragment = params.get(HOST_IPC.fragmentKey);
  if (fromFragment) {
    sessionStorage.setItem(storageKey, fromFragment);
    params.delete(HOST_IPC.fragmentKey);
    const rest = params.toString();
    history.replaceState(history.state, '', location.pathname + location.search + (rest ? `#${rest}` : ''));
    return fromFragment;
  }
  return sessionStorage.getItem(storageKey) ?? '';
}

const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
const { api } = createHostApi({
  url: `${scheme}//${location.host}${HOST_IPC.path}`,
  secret: takeSecret(),
  openSocket(url, protocols, handlers) {
    const ws = new WebSocket(url, protocols);
    ws.onopen = () => handlers.open();
    ws.onmessage = (event) => {
      if (typeof event.data === 'string') handlers.message(event.data);
    };
    ws.onclose = (event) => handlers.close(event.code);
    return { send: (text) => ws.send(text), close: () => ws.close() };
  },
});

Object.defineProperty(window, 'api', { value: api, enumerable: true, writable: false, configurable: false });
