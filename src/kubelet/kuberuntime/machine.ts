// Facts about the host the node reports (what cAdvisor gives the kubelet): CPUs, memory, the
// data dir's file system size, machine and boot ids, kernel and OS image.

import { readFileSync, statfsSync } from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  cpus: number;
  memoryBytes: number;
  /** Size of the file system holding the data dir (ephemeral-storage). */
  storageBytes: number;
  machineID: string;
  systemUUID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
}

function read(path: string): string {
  try { return readFileSync(path, 'utf8').trim(); } catch { return ''; }
}

/** PRETTY_NAME of /etc/os-release ("Debian GNU/Linux 12 (bookworm)"). */
export function osImage(text = read('/etc/os-release')): string {
  const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text);
  return m ? m[1] : 'Linux';
}

export function machineInfo(dataDir: string): MachineInfo {
  let storageBytes = 0;
  try {
    const s = statfsSync(dataDir);
    storageBytes = Number(s.blocks) * Number(s.bsize);
  } catch { /* unknown */ }
  const machineID = read('/etc/machine-id');
  return {
    cpus: os.cpus().length || 1,
    memoryBytes: os.totalmem(),
    storageBytes,
    machineID,
    systemUUID: read('/sys/class/dmi/id/product_uuid').toLowerCase() || machineID,
    bootID: read('/proc/sys/kernel/random/boot_id'),
    kernelVersion: os.release(),
    osImage: osImage(),
  };
}

const KI = 1024;

/** Node capacity as the kubelet reports it (memory and storage in Ki). */
export function nodeCapacity(m: MachineInfo, maxPods = 110): Record<string, string> {
  return {
    cpu: String(m.cpus),
    'ephemeral-storage': `${Math.floor(m.storageBytes / KI)}Ki`,
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: `${Math.floor(m.memoryBytes / KI)}Ki`,
    pods: String(maxPods),
  };
}
