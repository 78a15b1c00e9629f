// A default task queue of this test file's own, set before its tests (setup files run once per file, and a
// jest worker runs one file at a time): a CLI run or `sluice worker` that a test starts without
// SLUICE_TASK_QUEUE polls it, not sluice's default `sluice` queue, so files running side by side (.ci/run)
// never pick up each other's tasks or secrets. A test that names its own queue still does.
import { randomBytes } from 'node:crypto';

process.env.SLUICE_TASK_QUEUE = `tq_file_${randomBytes(4).toString('hex')}`;
