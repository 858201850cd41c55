#!/usr/bin/env node
// Test-bed watchdog: `node testbed/watchdog.js <owner pid> <state file>`.
//
// Started detached by jest's globalSetup. When the owner (the jest process) dies without running
// globalTeardown (Ctrl-C, crash, kill), it stops every process recorded in the state file by pid
// (process group: SIGTERM, then SIGKILL) and removes the state file. It exits on its own once the
// state file is gone or belongs to another owner (normal teardown). Plain JS: starts in
// milliseconds and needs nothing but node.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ownerPid = Number(process.argv[2]);
const stateFile = process.argv[3];
if (!ownerPid || !stateFile) {
  process.stderr.write('usage: watchdog.js <owner pid> <state file>\n');
  process.exit(2);
}

function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const st = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return st !== 'Z' && st !== 'X';
  } catch {
    return true;
  }
}

function readState() {
  try {
    return JSON.parse(fs.readFileSync(stateFile, 'utf8'));
  } catch {
    return undefined;
  }
}

function recorded(state) {
  const out = [];
  for (const c of state.clusters || []) {
    for (const comp of Object.values(c.components || {})) {
      if (!comp.pid || !alive(comp.pid)) continue;
      try {
        const argv0 = fs.readFileSync(`/proc/${comp.pid}/cmdline`, 'utf8').split('\0')[0];
        if (path.basename(argv0) !== path.basename(comp.binary)) continue; // pid reused by something else
      } catch {
        continue;
      }
      out.push(comp.pid);
    }
  }
  return out;
}

function signal(pid, sig) {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      /* gone */
    }
  }
}

function cleanup(state) {
  const pids = recorded(state);
  for (const p of pids) signal(p, 'SIGTERM');
  const deadline = Date.now() + 8000;
  const timer = setInterval(() => {
    const left = pids.filter(alive);
    if (left.length === 0 || Date.now() > deadline) {
      for (const p of left) signal(p, 'SIGKILL');
      clearInterval(timer);
      try {
        fs.rmSync(stateFile, { force: true });
      } catch {
        /* ignore */
      }
      process.stderr.write(`[testbed watchdog] owner ${ownerPid} is gone; stopped ${pids.length} test-bed process(es)\n`);
      process.exit(0);
    }
  }, 100);
}

// The watchdog is started before the bed is (so a crash during bring-up is covered too): while
// there is no state file yet it just waits for the owner.
let cleaning = false;
setInterval(() => {
  if (cleaning) return;
  const state = readState();
  if (!state) {
    if (!alive(ownerPid)) process.exit(0);
    return;
  }
  if (!state.owner || state.owner.pid !== ownerPid) process.exit(0);
  if (!alive(ownerPid)) {
    cleaning = true;
    cleanup(state);
  }
}, 500);
