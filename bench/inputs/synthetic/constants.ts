/**
 * Constants the whole generator shares: its version (part of the cache key), the MiB unit, the one
 * modification time every entry carries, and the app user's id.
 */

/** Bump whenever the bytes written for given options change: it is part of the recipe (the cache key). */
export const GENERATOR_VERSION = 2;

export const MiB = 1024 * 1024;
/** The modification time of every tar entry, and the source mtime in every .pyc header. */
export const MTIME = new Date("2024-06-03T09:30:00Z");
/** uid and gid of the app user, owner of the venv and the app. */
export const APP_UID = 1001;
