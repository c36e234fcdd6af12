/**
 * The processes under a process, as `ps` lists them, and whether they are still running: for tests
 * that a signal to the top of a tree (`npm start`) ends every process of it.
 */
import { execFileSync } from 'node:child_process';

function table(): Array<{ pid: number; ppid: number; stat: string }> {
  return execFileSync('ps', ['-A', '-o', 'pid=,ppid=,stat='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols.length >= 3)
    .map(([pid, ppid, stat]) => ({ pid: Number(pid), ppid: Number(ppid), stat: stat as string }));
}

/** `pid` and every process below it. */
export function processTree(pid: number): number[] {
  const rows = table();
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    for (const row of rows) if (row.ppid === tree[i] && !tree.includes(row.pid)) tree.push(row.pid);
  }
  return tree;
}

/** Those of `pids` still running (a zombie, exited but not yet reaped, counts as gone). */
export function running(pids: readonly number[]): number[] {
  const rows = new Map(table().map((row) => [row.pid, row.stat]));
  return pids.filter((pid) => {
    const stat = rows.get(pid);
    return stat !== undefined && !stat.startsWith('Z');
  });
}
