/**
 * Everything in protocol/, the compiled validators included. Node code (server, main) imports this; the renderer
 * imports ./pure.js instead (the validators compile with `new Function`, which its CSP forbids).
 */
export * from './pure.js';
export * from './validate.js';
