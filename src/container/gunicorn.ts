/** Moved to app-servers/gunicorn.ts; this path stays until the stack imports from there. */
export * from './app-servers/gunicorn.js';
