/**
 * Files only their owner can read: the ledger database, its key and its head anchor are created
 * 0600 (whatever the umask), and replaced atomically — write a temp file beside the target, fsync
 * it, rename it over the target, fsync the directory — so a crash leaves the old or the new
 * content, never half of either. Exported for other stores that hold sensitive state (the graph's
 * checkpoints).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Owner read/write only. */
export const PRIVATE_MODE = 0o600;

/**
 * Creates `file` 0600 with `content`, fsynced; throws EEXIST when it exists. The content is written
 * to a temp file first and hard-linked into place, so a process racing to create the same file
 * sees either no file or the whole content — never an empty file between open and write (two
 * watchdogs creating one ledger key at once must end up with one key, not one error).
 */
export function createPrivateFile(file: string, content: string | Buffer = ''): void {
  const tmp = `${file}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  writeNewFile(tmp, content);
  try {
    fs.linkSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  fsyncDir(path.dirname(file));
}

function writeNewFile(file: string, content: string | Buffer): void {
  const fd = fs.openSync(file, 'wx', PRIVATE_MODE);
  try {
    fs.fchmodSync(fd, PRIVATE_MODE); // the umask may have taken bits away; never added any
    if (content.length) fs.writeSync(fd, typeof content === 'string' ? Buffer.from(content) : content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Makes sure `file` exists and is 0600: creates it empty when missing, tightens it when looser. Returns whether it was created. */
export function ensurePrivateFile(file: string): boolean {
  try {
    createPrivateFile(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const mode = fs.statSync(file).mode & 0o777;
  if (mode !== PRIVATE_MODE && (mode & 0o077) !== 0) fs.chmodSync(file, mode & 0o700);
  return false;
}

/** Replaces `file` atomically with `content` (temp + fsync + rename + directory fsync), 0600. */
export function writePrivateFileAtomic(file: string, content: string): void {
  const tmp = `${file}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  try {
    writeNewFile(tmp, content);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDir(path.dirname(file));
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some filesystems refuse a directory fsync; the rename is still atomic there.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
