/**
 * The Electron preload: exposes exactly `window.api`, built from the contract's method list over one invoke
 * channel (main validates the method name and argument) and one event channel.
 *
 * Runs sandboxed, where only `electron` can be required: the build bundles this file with its imports.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { buildApi, createEventHub } from './build-api.js';
import { IPC_CHANNELS, type ApiResult } from './contract.js';

const hub = createEventHub();

ipcRenderer.on(IPC_CHANNELS.event, (_event, name: unknown, payload: unknown) => {
  if (typeof name === 'string') hub.emit(name, payload);
});

const api = buildApi(async (method, arg) => {
  try {
    return (await ipcRenderer.invoke(IPC_CHANNELS.invoke, method, arg)) as ApiResult<unknown>;
  } catch {
    // Not an answer from a handler (main catches those): the argument could not be cloned, or main is gone.
    return { ok: false, error: { code: 'UNAVAILABLE', message: 'the app did not answer' } };
  }
}, hub);

contextBridge.exposeInMainWorld('api', api);
