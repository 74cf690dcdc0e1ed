import type { Workspace } from '../../workspace/workspace.js';
import type { ContainerFs } from '../filesystem.js';
import type { AppServerFacts, ContainerProcess } from '../types.js';
import { locateServer } from './argv.js';
import { readDaphne } from './daphne.js';
import { readGranian } from './granian.js';
import { readGunicorn } from './gunicorn.js';
import type { AppServerReading, ReadContext } from './reading.js';
import { readUvicorn } from './uvicorn.js';
import { readUwsgi } from './uwsgi.js';

export type { AppServerReading } from './reading.js';
export { locateServer, type ServerCommand } from './argv.js';

/**
 * The app server a container's process runs, with its settings from every source the program reads
 * (command line, environment, config files in the container's filesystem), or undefined when the
 * process starts none of gunicorn, uvicorn, daphne, uWSGI and granian.
 */
export function readAppServerReading(process: ContainerProcess, fs: ContainerFs, ws: Workspace): AppServerReading | undefined {
  const server = locateServer(process.argv);
  if (!server) return undefined;
  const ctx: ReadContext = { process, fs, ws };
  switch (server.kind) {
    case 'gunicorn':
      return readGunicorn(server, ctx);
    case 'uvicorn':
      return readUvicorn(server, ctx);
    case 'daphne':
      return readDaphne(server, ctx);
    case 'uwsgi':
      return readUwsgi(server, ctx);
    case 'granian':
      return readGranian(server, ctx);
  }
}

export function readAppServer(process: ContainerProcess, fs: ContainerFs, ws: Workspace): AppServerFacts | undefined {
  return readAppServerReading(process, fs, ws)?.facts;
}
