import { readFileSync } from 'node:fs';

/** The parent's own parent, from /proc (Linux); undefined where there is no /proc. */
function parentOf(pid: number): number | undefined {
  try {
    // The command name (2nd field) is in parentheses and may hold spaces: read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/**
 * What stops the service: SIGTERM (docker stop, kill), SIGINT (Ctrl+C), and, under npm, the end
 * of npm itself. `npm start` runs the service through `sh -c`, which passes no signal on: a
 * `kill` of npm's pid left the service running as an orphan, holding the port and the data
 * folder. So under npm the service watches its parent (the shell) and the shell's parent (npm):
 * either changing means npm is gone, also after a SIGKILL, which nobody can pass on.
 */
export function stopSignals(env: Record<string, string | undefined> = process.env, pollMs = 250): Promise<string> {
  return new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
    if (!env.npm_lifecycle_event) return;
    const parent = process.ppid;
    const grandparent = parentOf(parent);
    const watch = setInterval(() => {
      if (process.ppid === parent && parentOf(parent) === grandparent) return;
      clearInterval(watch);
      resolve('npm exited');
    }, pollMs);
    watch.unref();
  });
}
