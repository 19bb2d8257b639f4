import { runConformance } from '../conformance.js';
import { MemoryStore } from './memory.js';

runConformance('memory', async () => new MemoryStore());
