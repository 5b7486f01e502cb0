import { isAbsolute, join, relative, resolve } from 'node:path';

/** Moves the local runtime's state (database files, signing key, runtime file) out of the project's `.local/`. */
export const LOCAL_DIR_ENV = 'SCIM_LOCAL_DIR';

/**
 * Where `npm start` and the admin CLI keep local state: `.local/` in the project (git-ignored), unless
 * `SCIM_LOCAL_DIR` names another folder (a second checkout's data, or a test's own folder).
 */
export function localStateDir(): string {
  return process.env[LOCAL_DIR_ENV] || join(__dirname, '..', '.local');
}

/** A path as people read it in messages: relative to the working folder when inside it, else absolute. */
export function displayPath(path: string): string {
  const inside = relative(process.cwd(), path);
  return inside === '' || inside.startsWith('..') || isAbsolute(inside) ? resolve(path) : inside;
}
