/**
 * Whether a process id is alive on this host. Signal 0 checks without signalling: ESRCH means no
 * such process; EPERM means it exists but belongs to another user (alive).
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
